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
import { readU32 } from '../core/bytes.ts';
import { bytesToHex, hexToBytes } from '../core/hex.ts';
import { RESULT_COUNTER_AT, RESULT_SIZE, RESULT_UNIT_AT } from '../core/layout.ts';
import type { Store } from '../hal/hal.ts';

/** How many unacknowledged results the device keeps at most. */
export const QUEUE_SLOTS = 8;

/** The device's persistent state, mirrored in RAM. */
export interface DeviceState {
  readonly store: Store;
  /** the last counter handed out (0 before the first) */
  counter: number;
  /** sealed results by slot, null for a free slot */
  readonly queue: (Uint8Array | null)[];
}

const COUNTER_KEYS = ['ctr0', 'ctr1'];

/** A stored counter, or 0 when absent or unreadable. */
function readCounter(store: Store, key: string): number {
  const text = store.get(key);
  const value = text === null ? 0 : parseInt(text, 10);
  return value >= 0 && value <= 0xffffffff && String(value) === text ? value : 0;
}

/** Reads the state back; unreadable slots count as free (they were cut off before being sent). */
export function loadState(store: Store): DeviceState {
  const state: DeviceState = { store: store, counter: 0, queue: [] };
  for (let i = 0; i < COUNTER_KEYS.length; i++) state.counter = Math.max(state.counter, readCounter(store, COUNTER_KEYS[i]));
  for (let slot = 0; slot < QUEUE_SLOTS; slot++) {
    const text = store.get('q' + slot);
    const result = text === null ? null : hexToBytes(text);
    const usable = result !== null && result.length === RESULT_SIZE;
    state.queue.push(usable ? result : null);
    if (usable) state.counter = Math.max(state.counter, readU32(result as Uint8Array, RESULT_COUNTER_AT));
    else if (text !== null) store.remove('q' + slot);
  }
  return state;
}

/**
 * Hands out the next counter after making it durable, or returns -1 when all 2^32 - 1 are
 * spent (the device must then stop: a counter is never reused).
 */
export function reserveCounter(state: DeviceState): number {
  if (state.counter >= 0xffffffff) return -1;
  const next = state.counter + 1;
  state.store.set(COUNTER_KEYS[next % 2], String(next));
  state.counter = next;
  return next;
}

/** Moves the counter up to the node's (after a flash rollback); it is persisted with the next reservation. */
export function raiseCounter(state: DeviceState, floor: number): void {
  if (floor > state.counter) state.counter = floor;
}

/** Makes a sealed result durable; returns its slot, or -1 when the queue is full. */
export function enqueue(state: DeviceState, result: Uint8Array): number {
  const slot = state.queue.indexOf(null);
  if (slot < 0) return -1;
  state.store.set('q' + slot, bytesToHex(result));
  state.queue[slot] = result;
  return slot;
}

/** Forgets the result in `slot` once the node has answered for it. */
export function dequeue(state: DeviceState, slot: number): void {
  state.queue[slot] = null;
  state.store.remove('q' + slot);
}

/** The slot of the queued result with the lowest counter among those `skip` does not mark, or -1. */
export function oldestQueued(state: DeviceState, skip: boolean[]): number {
  let best = -1;
  for (let slot = 0; slot < QUEUE_SLOTS; slot++) {
    const result = state.queue[slot];
    if (result === null || skip[slot]) continue;
    if (best < 0 || readU32(result, RESULT_COUNTER_AT) < readU32(state.queue[best] as Uint8Array, RESULT_COUNTER_AT)) best = slot;
  }
  return best;
}

/** The slot holding a result for `unitId`, or -1. */
export function queuedFor(state: DeviceState, unitId: number): number {
  for (let slot = 0; slot < QUEUE_SLOTS; slot++) {
    const result = state.queue[slot];
    if (result !== null && readU32(result, RESULT_UNIT_AT) === unitId) return slot;
  }
  return -1;
}

/** How many results wait for an acknowledgement. */
export function queuedCount(state: DeviceState): number {
  let count = 0;
  for (let slot = 0; slot < QUEUE_SLOTS; slot++) if (state.queue[slot] !== null) count++;
  return count;
}
