/**
 * What flashing needs to know about a target, from its profile (manifests/profiles/<target>.json
 * through tools/manifests): the runtime, the Espruino board names that may answer for it and the
 * oldest Espruino accepted, or the Moddable subplatform and creation block.
 * @module
 */
import { loadProfile, ManifestError, type EspruinoProfile, type XsProfile } from '../manifests/index.ts';
import { ToolError } from '../provision/errors.ts';

/**
 * The oldest Espruino firmware accepted. Images are built and linted against current Espruino
 * (2v2x) and rely on Storage writes with offset and size, `E.setBootCode` and `load()`; older
 * firmware may lack language features the image uses, so it is refused rather than half-run.
 */
export const MIN_ESPRUINO_VERSION = '2v20';

/** Loads a target's profile; an unknown target or a bad profile becomes a ToolError. */
export function profileOf(target: string): EspruinoProfile | XsProfile {
  try {
    return loadProfile(target);
  } catch (error) {
    if (error instanceof ManifestError) throw new ToolError('unknown_target', error.message, { where: '--target', hint: error.hint });
    throw error;
  }
}

/**
 * Whether `board` (Espruino's `process.env.BOARD`) is a build for the profile's board: its name,
 * or its name with an ESP-IDF suffix (`ESP32_IDF4`, `ESP32C3_IDF5`), as Espruino names its builds.
 */
export function isBoardFor(profile: EspruinoProfile, board: string): boolean {
  return board === profile.board.name || new RegExp(`^${profile.board.name}_IDF\\d+$`).test(board);
}

/** Espruino version text (`2v24`, `2v24.15`) as [major, minor, build], or null. */
export function parseEspruinoVersion(version: string): [number, number, number] | null {
  const match = /^(\d+)v(\d+)(?:\.(\d+))?$/.exec(version.trim());
  return match === null ? null : [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** True when `version` is at least {@link MIN_ESPRUINO_VERSION}. */
export function isSupportedEspruino(version: string): boolean {
  const have = parseEspruinoVersion(version);
  const need = parseEspruinoVersion(MIN_ESPRUINO_VERSION)!;
  if (have === null) return false;
  for (let i = 0; i < 3; i++) if (have[i] !== need[i]) return have[i] > need[i];
  return true;
}
