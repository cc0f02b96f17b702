/**
 * Exact u64 arithmetic on two u32 halves (low, high): Espruino has no BigInt, and a double
 * holds every sum of two u32 values exactly, so carries need no tricks.
 * @module
 */

/** Compares (aLow, aHigh) with (bLow, bHigh): -1, 0 or 1. */
export function compareU64(aLow: number, aHigh: number, bLow: number, bHigh: number): number {
  if (aHigh !== bHigh) return aHigh < bHigh ? -1 : 1;
  if (aLow !== bLow) return aLow < bLow ? -1 : 1;
  return 0;
}

/**
 * Adds two u64 values into `out` ([low, high]) and returns the carry out of bit 63 (0 or 1):
 * a carry means the exact sum is at least 2^64.
 */
export function addU64(aLow: number, aHigh: number, bLow: number, bHigh: number, out: Uint32Array): number {
  const low = aLow + bLow;
  const high = aHigh + bHigh + (low > 0xffffffff ? 1 : 0);
  out[0] = low >>> 0;
  out[1] = high >>> 0;
  return high > 0xffffffff ? 1 : 0;
}

/**
 * Subtracts (bLow, bHigh) from (aLow, aHigh) into `out` and returns the borrow (0 or 1):
 * a borrow means b was larger than a.
 */
export function subU64(aLow: number, aHigh: number, bLow: number, bHigh: number, out: Uint32Array): number {
  const low = aLow - bLow;
  const high = aHigh - bHigh - (low < 0 ? 1 : 0);
  out[0] = low >>> 0;
  out[1] = high >>> 0;
  return high < 0 ? 1 : 0;
}
