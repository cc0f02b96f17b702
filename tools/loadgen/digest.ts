/**
 * Hashing for simulated devices. SHA-256 is Node's native one-shot hash, its 32 bytes written
 * into one array that every call reuses, as the core's Digest interface allows
 * (firmware/core/digest.ts: the core copies what it keeps). A device hashes a couple of dozen
 * times per result; asking OpenSSL for a one-byte-per-character ('binary', that is latin1)
 * string and copying it out costs about a quarter of asking it for a Buffer, whose fresh
 * off-heap memory the garbage collector must also track and free. The result MAC is the core's
 * HMAC-SHA256 with the key's padded blocks made once per device, so it allocates nothing.
 * @module
 */
import * as crypto from 'node:crypto';
import { bytes, u32 } from '../../firmware/core/assert.ts';
import { writeU32 } from '../../firmware/core/bytes.ts';
import type { Digest } from '../../firmware/core/digest.ts';
import { RESULT_MAC_AT, RESULT_NONCE_AT, RESULT_SIZE } from '../../firmware/core/layout.ts';

const latin1Sha256: (data: Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'binary')
    : (data) => crypto.createHash('sha256').update(data).digest('binary');

/** A digest whose every result is the same array, valid until its next call. */
export function reusingDigest(): Digest {
  const out = new Uint8Array(32);
  return {
    sha256(data: Uint8Array): Uint8Array {
      const hash = latin1Sha256(data);
      for (let i = 0; i < 32; i++) out[i] = hash.charCodeAt(i);
      return out;
    },
  };
}

const BLOCK = 64;

/** Seals a result as sealResult does (firmware/core/result.ts); see {@link resultSealer}. */
export type Sealer = (result: Uint8Array, digestOfResult: Uint8Array, nonce: number) => Uint8Array;

/**
 * The same sealing as the core's `sealResult(digest, result, digestOfResult, nonce, deviceKey)`:
 * the share nonce, then HMAC-SHA256(key, result digest || nonce LE) (RFC 2104) into `result`,
 * which it returns. The key's inner and outer blocks are padded once here, so a seal costs the
 * two hashes and nothing else.
 */
export function resultSealer(digest: Digest, deviceKey: Uint8Array): Sealer {
  const key = bytes('deviceKey', deviceKey, -1);
  const padded = new Uint8Array(BLOCK);
  padded.set(key.length > BLOCK ? digest.sha256(key) : key);
  // The inner input is the padded key and the 36-byte message; the outer one the padded key and the inner hash.
  const inner = new Uint8Array(BLOCK + 36);
  const outer = new Uint8Array(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = padded[i]! ^ 0x36;
    outer[i] = padded[i]! ^ 0x5c;
  }
  return (result, digestOfResult, nonce) => {
    bytes('result', result, RESULT_SIZE);
    inner.set(bytes('digestOfResult', digestOfResult, 32), BLOCK);
    writeU32(inner, BLOCK + 32, u32('nonce', nonce));
    outer.set(digest.sha256(inner), BLOCK);
    writeU32(result, RESULT_NONCE_AT, nonce);
    result.set(digest.sha256(outer), RESULT_MAC_AT);
    return result;
  };
}
