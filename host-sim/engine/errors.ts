/**
 * Structured errors of the engine: a code to branch on, a message for people, and where it
 * happened (device name, usage at the time) when known.
 * @module
 */
import type { Usage } from './usage.ts';

/**
 * Why a call or a device failed.
 * - `exception`: the JS code threw (or an image did not compile); the device goes on.
 * - `not-enough-memory`, `stack-overflow`, `no-more-keys`: XS aborted, as it would on the board.
 * - `cpu-budget-exceeded`: the call ran past its computron limit (a watchdog reset on the board).
 * - `crashed`: the host process died unexpectedly; `closed`: the device was closed or had aborted.
 * - `not-built`: the device host binary is missing.
 * The four abort codes and `crashed` end the device: later calls fail with `closed`.
 */
export type EngineErrorCode =
  | 'exception'
  | 'not-enough-memory'
  | 'stack-overflow'
  | 'no-more-keys'
  | 'cpu-budget-exceeded'
  | 'crashed'
  | 'closed'
  | 'not-built';

/** Extra context of an {@link EngineError}. */
export interface EngineErrorDetail {
  /** the device's name, when the error concerns one */
  device?: string;
  /** usage of the failed call up to the failure (device units) */
  usage?: Usage;
  /** what to do about it */
  hint?: string;
}

/** An engine failure with a machine-readable code. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: EngineErrorCode;
  readonly device: string | undefined;
  readonly usage: Usage | undefined;
  readonly hint: string | undefined;

  constructor(code: EngineErrorCode, message: string, detail: EngineErrorDetail = {}) {
    super(detail.device ? `${detail.device}: ${message}` : message);
    this.code = code;
    this.device = detail.device;
    this.usage = detail.usage;
    this.hint = detail.hint;
  }
}
