/** What went wrong with a manifest file. */
export type ManifestErrorCode =
  | 'unknown-target'
  | 'missing-file'
  | 'bad-json'
  | 'missing-field'
  | 'unknown-field'
  | 'wrong-type'
  | 'bad-value';

/** Where in which file a problem is. `path` is a dotted field path; line/column (1-based) only for JSON syntax. */
export interface ManifestLocation {
  file: string;
  path?: string;
  line?: number;
  column?: number;
}

/**
 * A structured manifest error: a code for machines, a location naming the file and field, and a
 * hint for people. `message` reads like `manifests/profiles/x.json: "ram.heap.initial" expected u32, got -1`.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code: ManifestErrorCode;
  readonly location: ManifestLocation;
  readonly hint: string;

  constructor(code: ManifestErrorCode, location: ManifestLocation, detail: string, hint: string) {
    super(describe(location) + (location.path ? ' ' : ': ') + detail);
    this.code = code;
    this.location = location;
    this.hint = hint;
  }
}

function describe(at: ManifestLocation): string {
  if (at.line !== undefined) return `${at.file}:${at.line}:${at.column ?? 1}`;
  return at.path ? `${at.file}: "${at.path}"` : at.file;
}
