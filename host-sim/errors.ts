/**
 * The simulator's structured errors: a code to branch on, a message naming what was wrong, where
 * (a flag, a device, a file) and a hint.
 * @module
 */

/** Why the simulator refused to run or stopped. */
export type SimErrorCode = 'usage' | 'no-image' | 'bad-image' | 'profile' | 'node' | 'flash';

/** A simulator failure with a machine-readable code. */
export class SimError extends Error {
  override readonly name = 'SimError';
  readonly code: SimErrorCode;
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(code: SimErrorCode, message: string, detail: { where?: string; hint?: string } = {}) {
    super(detail.where ? `${detail.where}: ${message}` : message);
    this.code = code;
    this.where = detail.where;
    this.hint = detail.hint;
  }
}
