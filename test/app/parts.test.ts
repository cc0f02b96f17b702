import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackoff, nextDelay, resetBackoff } from '../../firmware/app/backoff.ts';
import { checkConfig } from '../../firmware/app/config.ts';
import { selfTest } from '../../firmware/app/self-test.ts';
import {
  QUEUE_SLOTS, dequeue, enqueue, loadState, oldestQueued, queuedFor, raiseCounter, reserveCounter, restoreSlot, resultU32,
} from '../../firmware/app/state.ts';
import { openWork } from '../../firmware/app/work.ts';
import { checkStoreEntry } from '../../firmware/app/store-rules.ts';
import { writeU32 } from '../../firmware/core/bytes.ts';
import {
  CHECK_SIGNATURE, FIELD_HEADER, HEADER_CHECKS_AT, HEADER_VERSION_AT, RESULT_COUNTER_AT, RESULT_SIZE, RESULT_UNIT_AT,
} from '../../firmware/core/layout.ts';
import { nobleSha512 } from '../../firmware/digest/noble.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import type { Store } from '../../firmware/hal/hal.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { decodeErrorName } from '../../protocol/messages.ts';
import { encodeEspruinoConfig, encodeModdablePreferences } from '../../protocol/device-config.ts';
import { exampleIdentity, exampleUnit } from '../../protocol/wire-example.ts';
import { wireErrorOf } from '../../protocol/wire.ts';
import { selfTestVector } from '../../tools/build/self-test.ts';

function memoryStore(flash = new Map<string, string>()): Store & { flash: Map<string, string> } {
  return { flash, get: (k) => flash.get(k) ?? null, set: (k, v) => void flash.set(k, v), remove: (k) => void flash.delete(k) };
}

/** A result's hex, as the queue keeps it. */
function result(unitId: number, counter: number): string {
  const bytes = new Uint8Array(RESULT_SIZE);
  writeU32(bytes, RESULT_UNIT_AT, unitId);
  writeU32(bytes, RESULT_COUNTER_AT, counter);
  return Buffer.from(bytes).toString('hex');
}

test('the counter is written before it is handed out, alternating two keys', () => {
  const store = memoryStore();
  const state = loadState(store);
  assert.is(state.lastCounter, 0);
  assert.is(reserveCounter(state), 1);
  assert.equal([...store.flash], [['ctr1', '1']]);
  assert.is(reserveCounter(state), 2);
  assert.is(reserveCounter(state), 3);
  assert.equal([...store.flash].sort(), [['ctr0', '2'], ['ctr1', '3']]);
  assert.is(loadState(store).lastCounter, 3);
});

test('a power cut while a counter key is rewritten loses only that write: the counter never goes back to a used value', () => {
  const store = memoryStore(new Map([['ctr0', '2'], ['ctr1', '3']]));
  // Writing 4 erased ctr0 and the power went before it was written back.
  store.flash.delete('ctr0');
  const state = loadState(store);
  assert.is(state.lastCounter, 3);
  assert.is(reserveCounter(state), 4, '4 was never used: its write had not completed');
  // Garbage in a counter key reads as absent.
  store.flash.set('ctr1', '3x');
  assert.is(loadState(store).lastCounter, 4);
});

test('the node\'s counter raises the device\'s after a flash rollback; a spent counter range stops the device', () => {
  const state = loadState(memoryStore());
  raiseCounter(state, 41);
  assert.is(reserveCounter(state), 42);
  raiseCounter(state, 7);
  assert.is(state.lastCounter, 42);
  raiseCounter(state, 0xffffffff);
  assert.is(reserveCounter(state), -1);
});

test('the result queue: bounded, durable, oldest counter first, unreadable slots dropped', () => {
  const store = memoryStore();
  const state = loadState(store);
  assert.is(enqueue(state, result(9, 12)), 0);
  assert.is(enqueue(state, result(8, 11)), 1);
  assert.is(oldestQueued(state, []), 1);
  assert.is(oldestQueued(state, [false, true]), 0);
  assert.is(queuedFor(state, 9), 0);
  assert.is(queuedFor(state, 10), -1);
  for (let i = 2; i < QUEUE_SLOTS; i++) assert.is(enqueue(state, result(20 + i, 20 + i)), i);
  assert.is(enqueue(state, result(99, 99)), -1, 'full');
  dequeue(state, 1);
  assert.is(store.flash.get('q1'), undefined);
  store.flash.set('q3', 'cut off mid-wri');
  // The device checks each stored text in slices (decoding its hex), then restores the slot.
  const reloaded = loadState(store);
  assert.is(reloaded.lastCounter, 0, 'the queued results come back slot by slot');
  for (let slot = 0; slot < QUEUE_SLOTS; slot++) {
    const text = store.flash.get('q' + slot);
    if (text !== undefined) restoreSlot(reloaded, slot, text, /^([0-9a-f]{2}){112}$/.test(text));
  }
  assert.is(reloaded.queue.filter((r) => r !== null).length, QUEUE_SLOTS - 2);
  assert.is(store.flash.get('q3'), undefined, 'the unreadable slot is freed');
  // The counter read back covers the queued results' counters.
  assert.is(reloaded.lastCounter, 27);
});

test('a queued result\'s unit and counter are read from its hex, little-endian', () => {
  const hex = result(0x01020304, 0xfffffffe);
  assert.is(resultU32(hex, RESULT_UNIT_AT), 0x01020304);
  assert.is(resultU32(hex, RESULT_COUNTER_AT), 0xfffffffe);
});

test('backoff: deterministic per device and counter, bounded, doubling, jittered', () => {
  const id = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const delays = (seedId: Uint8Array, counter: number) => {
    const backoff = createBackoff(seedId, counter, 1000, 16000);
    return Array.from({ length: 8 }, () => nextDelay(backoff));
  };
  const a = delays(id, 5);
  assert.equal(delays(id, 5), a, 'same device and counter, same delays');
  assert.not.equal(delays(id, 6), a);
  assert.not.equal(delays(new Uint8Array(8), 5), a);
  const ceilings = [1000, 2000, 4000, 8000, 16000, 16000, 16000, 16000];
  a.forEach((delay, i) => assert.ok(delay >= ceilings[i]! / 2 && delay <= ceilings[i]!, `delay ${i}: ${delay}`));
  const backoff = createBackoff(id, 5, 1000, 16000);
  for (let i = 0; i < 5; i++) nextDelay(backoff);
  resetBackoff(backoff);
  assert.ok(nextDelay(backoff) <= 1000);
});

test('the configuration as provisioning writes it is accepted in both runtime forms', () => {
  const identity = exampleIdentity();
  const config = { node: 'node.local:7070', id: identity.deviceId, key: identity.key, profile: 'espruino-esp32' as const, tier: 'hash' as const };
  const espruino = checkConfig(JSON.parse(encodeEspruinoConfig(config)), 'espruino-esp32', 'hash');
  assert.ok(typeof espruino !== 'string');
  if (typeof espruino !== 'string') assert.equal([espruino.host, espruino.port, espruino.key], ['node.local', 7070, identity.key]);
  const preferences = Object.fromEntries(encodeModdablePreferences({ ...config, profile: 'moddable-esp32', tier: 'sig' }).map((e) => [e.key, e.value]));
  const moddable = checkConfig(preferences as never, 'moddable-esp32', 'sig');
  assert.ok(typeof moddable !== 'string' && moddable.port === 7070 && moddable.idBytes.length === 8);
});

test('every bad configuration field is named', () => {
  const good = { node: '10.0.0.2:7070', id: '00112233aabbccdd', key: 'ab'.repeat(32), profile: 'espruino-esp32', tier: 'hash' };
  const problem = (change: Record<string, unknown>) => {
    const checked = checkConfig({ ...good, ...change }, 'espruino-esp32', 'hash');
    return typeof checked === 'string' ? checked : 'accepted';
  };
  assert.is(problem({}), 'accepted');
  assert.is(problem({ node: 'node.local:443' }), 'accepted');
  for (const node of ['10.0.0.2', ':7070', '10.0.0.2:0', '10.0.0.2:70000', '10.0.0.2:07070', '10.0.0.2:+80', '10.0.0.2:80x', 'bad host:7070', '-a.b:7070', 7070]) {
    assert.is(problem({ node }), 'config "node"', String(node));
  }
  assert.is(problem({ id: '00112233AABBCCDD' }), 'config "id"');
  assert.is(problem({ key: 'ab'.repeat(31) }), 'config "key"');
  assert.is(problem({ key: 'zz'.repeat(32) }), 'config "key"');
  assert.is(problem({ profile: 'moddable-esp32' }), 'config "profile"');
  assert.is(problem({ tier: 'sig' }), 'config "tier"');
  assert.is(checkConfig(null, 'espruino-esp32', 'hash'), 'no config');
});

test('store keys and values are held to the limits every runtime can keep', () => {
  checkStoreEntry('ctr0', '1');
  assert.throws(() => checkStoreEntry('Ctr', '1'), /store "Ctr"/);
  assert.throws(() => checkStoreEntry('abcdefghijklm', '1'), /"abcdefghijklm"/);
  assert.throws(() => checkStoreEntry('q0', 'x'.repeat(1025)), /store "q0"/);
});

test('units the device cannot work on are declined with the wire reason', () => {
  const header = exampleUnit(3, 1, 2, 4).header;
  const sig = header.slice();
  sig[HEADER_CHECKS_AT] |= CHECK_SIGNATURE;
  const declined = openWork(3, sig, nodeDigest, null, 0);
  assert.ok(!declined.ok && wireErrorOf(declined.why) === 'tier-mismatch');
  const future = header.slice();
  future[HEADER_VERSION_AT] = 2;
  const version = openWork(3, future, nodeDigest, null, 0);
  assert.ok(!version.ok && wireErrorOf(version.why) === 'unsupported-version');
  const truncated = openWork(3, header.subarray(0, 50), nodeDigest, null, 0);
  assert.ok(!truncated.ok && wireErrorOf(truncated.why) === 'malformed' && decodeErrorName(truncated.error.code) === 'truncated' && truncated.error.field === FIELD_HEADER && truncated.error.offset === 50);
  assert.ok(openWork(3, sig, nodeDigest, createVerifier(nobleSha512), 0).ok, 'a sig-tier device takes it');
});

test('the self-test passes with the build\'s vectors on both tiers, and fails on a wrong expectation', () => {
  const verify = createVerifier(nobleSha512);
  assert.equal(selfTest(nodeDigest, null, selfTestVector('hash')), { pass: true, failed: [] });
  assert.equal(selfTest(nodeDigest, verify, selfTestVector('sig')), { pass: true, failed: [] });
  const wrong = { ...selfTestVector('sig'), digest: '00'.repeat(32), tamperedVerdict: 0 };
  assert.equal(selfTest(nodeDigest, verify, wrong), { pass: false, failed: ['unit-accept', 'unit-reject'] });
  // A sig-tier vector on a device without a verifier: the unit does not even open.
  assert.equal(selfTest(nodeDigest, null, selfTestVector('sig')).failed, ['unit-accept', 'unit-reject']);
});

test.run();
