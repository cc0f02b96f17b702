// Structured build errors in the style of esbuild's: a stable code for machines, a location
// naming the file (and the field or line) at fault, and a hint for people.

/** Why a build could not produce its images. */
export type BuildErrorCode =
  | 'unknown-option'
  | 'bad-option'
  | 'unknown-target'
  | 'manifest'
  | 'type-error'
  | 'bundle-error'
  | 'lint'
  | 'pretokenise'
  | 'io';

/** Where a problem is: a file, and inside it a dotted field path or a line and column (1-based). */
export interface BuildLocation {
  file?: string;
  field?: string;
  line?: number;
  column?: number;
}

/** A build error. `message` names the location first, e.g. `manifests/budgets/x.json: "image.rawBytes" missing`. */
export class BuildError extends Error {
  override readonly name = 'BuildError';
  constructor(readonly code: BuildErrorCode, readonly location: BuildLocation, message: string, readonly hint: string) {
    super(message);
  }
}

/** A message that starts with `location`, for errors this module's callers word themselves. */
export function at(location: BuildLocation, detail: string): string {
  if (location.file === undefined) return detail;
  if (location.line !== undefined) return `${location.file}:${location.line}:${location.column ?? 1}: ${detail}`;
  return location.field !== undefined ? `${location.file}: "${location.field}" ${detail}` : `${location.file}: ${detail}`;
}
