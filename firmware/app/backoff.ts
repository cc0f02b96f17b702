/**
 * Reconnection delays: exponential backoff with jitter from the device's own deterministic
 * generator. The jitter spreads a fleet that lost its node at the same moment; drawing it from a
 * seed (device id and counter) instead of Math.random keeps a simulated fleet reproducible while
 * every device still waits differently: device ids are random, so their seeds are too.
 * @module
 */
import { readU32 } from '../core/bytes.ts';

/** Backoff state of one device. */
export interface Backoff {
  /** xorshift32 state, never 0 */
  xorshift: number;
  /** failed attempts since the last success */
  failures: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/** A backoff seeded from the device id's two u32 halves and the counter, xored (and 1 if that is 0). */
export function createBackoff(deviceId: Uint8Array, counter: number, baseMs: number, maxMs: number): Backoff {
  return { xorshift: (readU32(deviceId, 0) ^ readU32(deviceId, 4) ^ counter) >>> 0 || 1, failures: 0, baseMs: baseMs, maxMs: maxMs };
}

/** The next value of the generator, a u32. */
export function nextRandom(backoff: Backoff): number {
  let x = backoff.xorshift;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  backoff.xorshift = x >>> 0;
  return backoff.xorshift;
}

/**
 * Delay before the next attempt: the ceiling doubles with each failure from `baseMs` up to
 * `maxMs`, and the delay is drawn from its upper half ("equal jitter"), so it never collapses
 * to zero and never exceeds the ceiling.
 */
export function nextDelay(backoff: Backoff): number {
  let ceiling = backoff.baseMs;
  for (let i = 0; i < backoff.failures && ceiling < backoff.maxMs; i++) ceiling *= 2;
  if (ceiling > backoff.maxMs) ceiling = backoff.maxMs;
  backoff.failures++;
  const half = Math.floor(ceiling / 2);
  return ceiling - half + (nextRandom(backoff) % (half + 1));
}

/** Starts the doubling over after a successful session. */
export function resetBackoff(backoff: Backoff): void {
  backoff.failures = 0;
}
