// Espruino release names (`2v21`, `2v20.48`: major, minor, and the build number of a cutting-edge
// build between releases) and their order. Profiles state the release an image targets; the
// flasher compares a board's `process.env.VERSION` against it.

/**
 * The oldest Espruino firmware micromine supports. Images are built and linted against current
 * Espruino (2v2x) and rely on Storage writes with offset and size, `E.setBootCode` and `load()`;
 * older firmware may lack language features the image uses, so it is refused rather than half-run.
 */
export const MIN_ESPRUINO_VERSION = '2v20';

/** Espruino version text (`2v24`, `2v24.15`) as [major, minor, build], or null when it is not one. */
export function parseEspruinoVersion(version: string): [number, number, number] | null {
  const match = /^(\d+)v(\d+)(?:\.(\d+))?$/.exec(version.trim());
  return match === null ? null : [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** True when Espruino `version` is `since` or later; false when `version` is not a version. */
export function isEspruinoAtLeast(version: string, since: string): boolean {
  const have = parseEspruinoVersion(version);
  const need = parseEspruinoVersion(since);
  if (need === null) throw new RangeError(`"since" expected an Espruino version like 2v21, got ${JSON.stringify(since)}`);
  if (have === null) return false;
  for (let i = 0; i < 3; i++) if (have[i] !== need[i]) return have[i]! > need[i]!;
  return true;
}
