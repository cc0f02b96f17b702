/**
 * What flashing needs to know about a target, from its profile (manifests/profiles/<target>.json
 * through tools/manifests): the runtime, the Espruino board names that may answer for it and the
 * oldest Espruino accepted, or the Moddable subplatform and creation block.
 * @module
 */
import { loadProfile, ManifestError, type EspruinoProfile, type XsProfile } from '../manifests/index.ts';
import { isEspruinoAtLeast } from '../manifests/espruino-version.ts';
import { ToolError } from '../provision/errors.ts';

export { MIN_ESPRUINO_VERSION, parseEspruinoVersion } from '../manifests/espruino-version.ts';

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

/**
 * True when a board running `version` can take the profile's image: the release the image is
 * built for (the profile's `firmware`, which the manifest loader keeps at or after
 * {@link MIN_ESPRUINO_VERSION}) or later.
 */
export function isSupportedEspruino(version: string, profile: EspruinoProfile): boolean {
  return isEspruinoAtLeast(version, profile.firmware);
}
