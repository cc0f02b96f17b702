// The simulated devices' hashing is the core's, only cheaper: the reused-array digest gives
// node:crypto's SHA-256, and the per-device sealer writes exactly what the core's sealResult does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, createHmac } from 'node:crypto';
import { hmacSha256 } from '../../firmware/core/digest.ts';
import { RESULT_MAC_AT, RESULT_NONCE_AT, RESULT_SIZE } from '../../firmware/core/layout.ts';
import { sealResult } from '../../firmware/core/result.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { resultSealer, reusingDigest } from '../../tools/loadgen/digest.ts';

/** Deterministic bytes for a test case. */
function filled(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 17) & 0xff);
}

test('the reusing digest is SHA-256 into one array that every call reuses', () => {
  const digest = reusingDigest();
  const first = digest.sha256(filled(0, 0));
  for (const length of [0, 1, 36, 55, 56, 63, 64, 65, 112, 1_000]) {
    const data = filled(length, length);
    const out = digest.sha256(data);
    assert.is(out, first, 'the same array every time');
    assert.equal(Array.from(out), Array.from(createHash('sha256').update(data).digest()), `SHA-256 of ${length} bytes`);
  }
});

test('the sealer writes the nonce and the MAC as sealResult does, for any key length', () => {
  for (const keyLength of [0, 16, 32, 64, 65, 100]) {
    const key = filled(keyLength, 3);
    const seal = resultSealer(reusingDigest(), key);
    for (const nonce of [0, 1, 0x12345678, 0xffffffff]) {
      const digestOfResult = filled(32, nonce & 0xff);
      const expected = sealResult(nodeDigest, filled(RESULT_SIZE, 9), digestOfResult, nonce, key);
      const result = filled(RESULT_SIZE, 9);
      assert.is(seal(result, digestOfResult, nonce), result, 'seals in place');
      assert.equal(Array.from(result), Array.from(expected), `key of ${keyLength} bytes, nonce ${nonce}`);
      // And it is the standard HMAC, by Node's own implementation.
      const message = new Uint8Array(36);
      message.set(digestOfResult);
      new DataView(message.buffer).setUint32(32, nonce, true);
      assert.equal(Array.from(result.subarray(RESULT_MAC_AT)), Array.from(createHmac('sha256', key).update(message).digest()));
      assert.equal(Array.from(result.subarray(RESULT_MAC_AT)), Array.from(hmacSha256(nodeDigest, key, message)));
      assert.is(new DataView(result.buffer).getUint32(RESULT_NONCE_AT, true), nonce);
    }
  }
});

test('the sealer names a bad argument', () => {
  const seal = resultSealer(reusingDigest(), filled(32, 1));
  assert.throws(() => resultSealer(reusingDigest(), 'key' as never), (e: Error) => e instanceof TypeError && /^"deviceKey" expected Uint8Array, got string$/.test(e.message));
  assert.throws(() => seal(new Uint8Array(111), filled(32, 0), 0), (e: Error) => e instanceof RangeError && e.message === '"result" expected 112 bytes, got 111');
  assert.throws(() => seal(new Uint8Array(RESULT_SIZE), filled(31, 0), 0), (e: Error) => e instanceof RangeError && e.message === '"digestOfResult" expected 32 bytes, got 31');
  assert.throws(() => seal(new Uint8Array(RESULT_SIZE), filled(32, 0), -1), (e: Error) => e instanceof RangeError && e.message === '"nonce" expected u32, got -1');
});

test.run();
