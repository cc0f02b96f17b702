/**
 * The node's digests: SHA-256 from Node's OpenSSL behind the core's Digest interface, and the
 * Ed25519 library wired to a SHA-512 so that signing and verifying work synchronously.
 * @module
 */
import * as crypto from 'node:crypto';
import { hashes } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Digest } from '../firmware/core/digest.ts';

hashes.sha512 = sha512;

/**
 * One-shot SHA-256 from node:crypto: `crypto.hash` where Node has it (20.12 and later), about
 * twice as fast as a Hash object for the short inputs the formats hash, and no native object
 * left for the garbage collector.
 */
const oneShot: (data: Uint8Array) => Uint8Array =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** SHA-256 through node:crypto, as a plain Uint8Array over the digest's own 32-byte buffer (not copied). */
export const nodeDigest: Digest = {
  sha256(data: Uint8Array): Uint8Array {
    const hash = oneShot(data);
    return new Uint8Array(hash.buffer, hash.byteOffset, hash.byteLength);
  },
};

/** SHA-256 of `data` as a fresh array. */
export function sha256(data: Uint8Array): Uint8Array {
  return nodeDigest.sha256(data);
}
