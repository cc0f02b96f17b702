/**
 * SHA-256 for simulated devices: Node's native one-shot hash, its 32 bytes written into one array
 * that every call reuses, as the core's Digest interface allows (firmware/core/digest.ts: the core
 * copies what it keeps). A device hashes a couple of dozen times per result; asking OpenSSL for
 * a one-byte-per-character ('binary', that is latin1) string and copying it out costs about a quarter of asking it for a
 * Buffer, whose fresh off-heap memory the garbage collector must also track and free.
 * @module
 */
import * as crypto from 'node:crypto';
import type { Digest } from '../../firmware/core/digest.ts';

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
