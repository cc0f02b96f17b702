/**
 * One work unit on the device: judging its entries as they arrive, then searching the share in
 * slices and sealing the result. Pure steps over plain state; the device (device.ts) decides when
 * each runs and what goes on the wire.
 * @module
 */
import type { Digest, VerifySignature } from '../core/digest.ts';
import { errorText } from '../core/errors.ts';
import { sealResult } from '../core/result.ts';
import { searchShare, startShareSearch, type ShareSearch } from '../core/share.ts';
import { openUnit, type PendingResult, type UnitValidator } from '../core/validator.ts';
import { ERROR_MALFORMED, ERROR_TIER_MISMATCH, ERROR_UNSUPPORTED_VERSION } from '../core/wire/protocol.ts';

/** Bounds of one slice of share search. */
export interface SliceBounds {
  /** most nonces tried in one slice (from the profile's CPU rate at build time) */
  attempts: number;
  /** most milliseconds one slice may take on the device's clock */
  ms: number;
}

/** A unit being worked on. */
export interface Work {
  readonly unitId: number;
  readonly validator: UnitValidator;
  /** clock time the unit arrived; its deadline counts from here */
  readonly receivedAt: number;
  /** verdict code of the last judged entry, null before the first */
  lastVerdict: number | null;
  /** the result awaiting its share, once every entry is judged */
  pending: PendingResult | null;
  search: ShareSearch | null;
}

/** A unit to work on, or why the device declines it (`why`: a wire error code). */
export type Opened = { ok: true; work: Work } | { ok: false; why: number; problem: string };

/** Opens the unit of a notify; a unit this device cannot work on is declined with the wire reason. */
export function openWork(unitId: number, header: Uint8Array, digest: Digest, verify: VerifySignature | null, now: number): Opened {
  const opened = openUnit(header, { digest: digest, verify: verify });
  if (!opened.ok) {
    const code = opened.error.code;
    const why = code === 'tier' ? ERROR_TIER_MISMATCH : code === 'unsupported' ? ERROR_UNSUPPORTED_VERSION : ERROR_MALFORMED;
    return { ok: false, why: why, problem: errorText(opened.error) };
  }
  return { ok: true, work: { unitId: unitId, validator: opened.value, receivedAt: now, lastVerdict: null, pending: null, search: null } };
}

/** True while entries remain to be pulled (including the final pull that reports the last verdict). */
export function isPulling(work: Work): boolean {
  return work.search === null;
}

/** True once the unit's deadline has passed on the device's clock. */
export function isExpired(work: Work, now: number): boolean {
  return now - work.receivedAt > work.validator.header.deadline;
}

/** Judges the next entry and returns its verdict code. */
export function judge(work: Work, entry: Uint8Array): number {
  work.lastVerdict = work.validator.check(entry).code;
  return work.lastVerdict;
}

/** Builds the result under `counter` (already durable) and starts the share search over it. */
export function beginShare(work: Work, deviceId: Uint8Array, counter: number): void {
  work.pending = work.validator.finish(deviceId, counter);
  work.search = startShareSearch(work.pending.digest, work.pending.difficulty);
}

/** Nonces tried between two looks at the clock inside a slice. */
const CLOCK_STRIDE = 8;

/**
 * Runs one slice of share search: at most `bounds.attempts` nonces, and no more once
 * `bounds.ms` have passed on `now`. Returns true when the search is over (found or exhausted).
 */
export function searchSlice(work: Work, digest: Digest, bounds: SliceBounds, now: () => number): boolean {
  const search = work.search as ShareSearch;
  const started = now();
  let done = false;
  for (let tried = 0; !done && tried < bounds.attempts; tried += CLOCK_STRIDE) {
    done = searchShare(digest, search, Math.min(CLOCK_STRIDE, bounds.attempts - tried));
    if (now() - started >= bounds.ms) break;
  }
  return done;
}

/** The sealed result (share nonce and MAC written in), or null when every nonce failed. */
export function seal(work: Work, digest: Digest, deviceKey: Uint8Array): Uint8Array | null {
  const search = work.search as ShareSearch;
  const pending = work.pending as PendingResult;
  if (search.found === undefined) return null;
  return sealResult(digest, pending.bytes, pending.digest, search.found, deviceKey);
}
