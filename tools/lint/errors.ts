import type { Position } from './types.ts';

/** Why the lint could not run (as opposed to findings, which are what it reports). */
export type LintErrorCode = 'unknown-option' | 'bad-option' | 'parse-error' | 'missing-file';

/** A structured lint input error: a code, an optional location and a hint (esbuild style). */
export class LintError extends Error {
  override readonly name = 'LintError';
  constructor(readonly code: LintErrorCode, message: string, readonly hint: string, readonly location?: Position) {
    super(location ? `${location.file}:${location.line}:${location.column}: ${message}` : message);
  }
}
