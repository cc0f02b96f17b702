/**
 * One work unit on the device: decoding and judging its entries as they arrive, then searching
 * the share, all in slices bounded by the build's counts and the device's clock, and sealing the
 * result. Pure steps over plain state; the device (device.ts) decides when each runs and what goes
 * on the wire.
 * @module
 */
import type { Digest, SignatureVerifier } from '../core/digest.ts';
import { DECODE_TIER, DECODE_UNSUPPORTED, type DecodeError } from '../core/errors.ts';
import { sealResult } from '../core/result.ts';
import { searchShare, startShareSearch, type ShareSearch } from '../core/share.ts';
import { decodeHexInto } from '../core/hex.ts';
import { ENTRY_MAX_SIZE } from '../core/layout.ts';
import { finishUnit, openUnit, type PendingResult, type StepBounds, stepEntry, type UnitValidator } from '../core/validator.ts';
import { ERROR_MALFORMED, ERROR_TIER_MISMATCH, ERROR_UNSUPPORTED_VERSION } from '../core/wire/protocol.ts';

/**
 * Bounds of one slice, per kind of work: counts the build computes from the profile's CPU rate
 * and measured costs (tools/build/slices.ts), and the profile's slice bound on the device's clock.
 * A validator step does at most `levels` proof levels or `verifierSteps` signature steps.
 */
export interface SliceBounds extends StepBounds {
  /** most share nonces tried in one slice */
  attempts: number;
  /** most entry bytes decoded from hex in one slice */
  hexBytes: number;
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
  shareSearch: ShareSearch | null;
  /**
   * from an entry's arrival to its verdict, and from the node's answer to the last verdict on (the
   * share search and the result): no pull goes out meanwhile
   */
  judging: boolean;
  /** where entries are decoded: the largest entry's size, once per unit, so entries never allocate */
  readonly entryBytes: Uint8Array;
}

/** A unit to work on, or why the device declines it (`why`: a wire error code). */
export type Opened = { ok: true; work: Work } | { ok: false; why: number; error: DecodeError };

/** Opens the unit of a notify; a unit this device cannot work on is declined with the wire reason. */
export function openWork(unitId: number, header: Uint8Array, digest: Digest, verify: SignatureVerifier | null, now: number): Opened {
  const opened = openUnit(header, { digest: digest, verify: verify });
  if (!opened.ok) {
    const code = opened.error.code;
    const why = code === DECODE_TIER ? ERROR_TIER_MISMATCH : code === DECODE_UNSUPPORTED ? ERROR_UNSUPPORTED_VERSION : ERROR_MALFORMED;
    return { ok: false, why: why, error: opened.error };
  }
  return {
    ok: true,
    work: {
      unitId: unitId, validator: opened.value, receivedAt: now, lastVerdict: null, pending: null, shareSearch: null,
      judging: false, entryBytes: new Uint8Array(ENTRY_MAX_SIZE),
    },
  };
}

/**
 * Takes the next entry as the node sent it, lowercase hex: returns the bytes to decode it into (the
 * unit's entry buffer, cut to its size), or null when its length cannot be an entry's: odd, or past
 * the largest entry. No pull goes out until {@link entrySlice} has judged it.
 */
export function takeEntry(work: Work, hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || hex.length > 2 * ENTRY_MAX_SIZE) return null;
  work.judging = true;
  return work.entryBytes.subarray(0, hex.length / 2);
}

/** Bytes decoded between two looks at the clock inside a slice. */
const HEX_STRIDE = 32;

/**
 * One slice of decoding `hex` into `out` from byte `from`: at most `bounds.hexBytes` bytes, and no
 * more once `bounds.ms` have passed on `now`. Returns where decoding stopped (`out.length` once
 * done), or -1 at a character that is not a lowercase hex digit.
 */
export function hexSlice(hex: string, out: Uint8Array, from: number, bounds: SliceBounds, now: () => number): number {
  const end = Math.min(out.length, from + bounds.hexBytes);
  const started = now();
  while (from < end) {
    const to = Math.min(end, from + HEX_STRIDE);
    if (!decodeHexInto(hex, out, from, to)) return -1;
    from = to;
    if (now() - started >= bounds.ms) break;
  }
  return from;
}

/**
 * One validator step on the entry begun, within `bounds`. Returns the verdict code once the entry
 * is judged (the next pull reports it), null while work remains.
 */
export function entrySlice(work: Work, bounds: SliceBounds): number | null {
  const verdict = stepEntry(work.validator, bounds);
  if (verdict === null) return null;
  work.judging = false;
  work.lastVerdict = verdict.code;
  return verdict.code;
}

/** Builds the result under `counter` (already durable) and starts the share search over it. */
export function beginShare(work: Work, deviceId: Uint8Array, counter: number): void {
  work.pending = finishUnit(work.validator, deviceId, counter);
  work.shareSearch = startShareSearch(work.pending.digest, work.pending.difficulty);
}

/** Nonces tried between two looks at the clock inside a slice. */
const CLOCK_STRIDE = 8;

/**
 * Runs one slice of share search: at most `bounds.attempts` nonces, and no more once
 * `bounds.ms` have passed on `now`. Returns true when the search is over (found or exhausted).
 */
export function searchSlice(work: Work, digest: Digest, bounds: SliceBounds, now: () => number): boolean {
  const search = work.shareSearch as ShareSearch;
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
  const search = work.shareSearch as ShareSearch;
  const pending = work.pending as PendingResult;
  if (search.found === undefined) return null;
  return sealResult(digest, pending.bytes, pending.digest, search.found, deviceKey);
}
