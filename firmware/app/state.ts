/**
 * What the device keeps across power cuts: its result counter and a bounded queue of sealed
 * results the node has not acknowledged.
 *
 * - The counter is written before it is used, so a counter that reached a result (and maybe
 *   the node) is never handed out again. It alternates between keys `ctr0` and `ctr1`: a power
 *   cut while one is rewritten leaves the other, one lower and never used (docs/firmware.md).
 * - A result is written to a free slot `q0`..`q7` before it is sent and removed only when the
 *   node answers for it, so nothing acknowledged is lost and nothing unacknowledged is dropped.
 * @module
 */
import { RESULT_COUNTER_AT, RESULT_UNIT_AT } from '../core/layout.ts';
import type { Store } from '../hal/hal.ts';

/** How many unacknowledged results the device keeps at most. */
export const QUEUE_SLOTS = 8;

/** The device's persistent state, mirrored in RAM. */
export interface DeviceState {
  readonly storage: Store;
  /** the last counter handed out (0 before the first) */
  lastCounter: number;
  /**
   * sealed results by slot as they are stored and sent, lowercase hex (encoded once, in slices,
   * by the device), null for a free slot
   */
  readonly queue: (string | null)[];
}

/** The counter stored under `ctr<parity>`, or 0 when absent or unreadable. */
function readCounter(store: Store, parity: number): number {
  const text = store.get('ctr' + parity);
  const value = text === null ? 0 : parseInt(text, 10);
  return value >= 0 && value <= 0xffffffff && String(value) === text ? value : 0;
}

/** A u32 field of a result at byte `at`, read from its hex (little-endian). */
export function resultU32(result: string, at: number): number {
  let value = 0;
  for (let i = 2 * at + 6; i >= 2 * at; i -= 2) value = value * 256 + parseInt(result.substr(i, 2), 16);
  return value;
}

/**
 * Reads the counters back. The queued results come back a slot at a time through
 * {@link restoreSlot}: checking a result's hex takes slices of its own.
 */
export function loadState(store: Store): DeviceState {
  return { storage: store, lastCounter: Math.max(readCounter(store, 0), readCounter(store, 1)), queue: [null, null, null, null, null, null, null, null] };
}

/**
 * Puts back the result stored in `slot`, `text`, once the caller found it to be a result's
 * lowercase hex (`readable`); an unreadable one was cut off before it was sent and is freed.
 */
export function restoreSlot(state: DeviceState, slot: number, text: string, readable: boolean): void {
  if (!readable) return state.storage.remove('q' + slot);
  state.queue[slot] = text;
  state.lastCounter = Math.max(state.lastCounter, resultU32(text, RESULT_COUNTER_AT));
}

/**
 * Hands out the next counter after making it durable, or returns -1 when all 2^32 - 1 are
 * spent (the device must then stop: a counter is never reused).
 */
export function reserveCounter(state: DeviceState): number {
  if (state.lastCounter >= 0xffffffff) return -1;
  const next = state.lastCounter + 1;
  state.storage.set('ctr' + next % 2, String(next));
  state.lastCounter = next;
  return next;
}

/** Moves the counter up to the node's (after a flash rollback); it is persisted with the next reservation. */
export function raiseCounter(state: DeviceState, floor: number): void {
  if (floor > state.lastCounter) state.lastCounter = floor;
}

/** Makes a sealed result (its hex) durable; returns its slot, or -1 when the queue is full. */
export function enqueue(state: DeviceState, result: string): number {
  const slot = state.queue.indexOf(null);
  if (slot < 0) return -1;
  state.storage.set('q' + slot, result);
  state.queue[slot] = result;
  return slot;
}

/** Forgets the result in `slot` once the node has answered for it. */
export function dequeue(state: DeviceState, slot: number): void {
  state.queue[slot] = null;
  state.storage.remove('q' + slot);
}

/** The slot of the queued result with the lowest counter among those `skip` does not mark, or -1. */
export function oldestQueued(state: DeviceState, skip: boolean[]): number {
  let best = -1;
  for (let slot = 0; slot < QUEUE_SLOTS; slot++) {
    const result = state.queue[slot];
    if (result === null || skip[slot]) continue;
    if (best < 0 || resultU32(result, RESULT_COUNTER_AT) < resultU32(state.queue[best] as string, RESULT_COUNTER_AT)) best = slot;
  }
  return best;
}

/** The slot holding a result for `unitId`, or -1. */
export function queuedFor(state: DeviceState, unitId: number): number {
  for (let slot = 0; slot < QUEUE_SLOTS; slot++) {
    const result = state.queue[slot];
    if (result !== null && resultU32(result, RESULT_UNIT_AT) === unitId) return slot;
  }
  return -1;
}

/** How many results wait for an acknowledgement. */
export function queuedCount(state: DeviceState): number {
  let count = 0;
  for (let slot = 0; slot < QUEUE_SLOTS; slot++) if (state.queue[slot] !== null) count++;
  return count;
}
