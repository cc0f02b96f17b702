/**
 * The node's digests: SHA-256 from Node's OpenSSL behind the core's Digest interface, and the
 * Ed25519 library wired to a SHA-512 so that signing and verifying work synchronously.
 * @module
 */
import { createHash } from 'node:crypto';
import { hashes } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Digest } from '../firmware/core/digest.ts';

hashes.sha512 = sha512;

/** SHA-256 through node:crypto. */
export const nodeDigest: Digest = {
  sha256(data: Uint8Array): Uint8Array {
    return new Uint8Array(createHash('sha256').update(data).digest());
  },
};

/** SHA-256 of `data` as a fresh array. */
export function sha256(data: Uint8Array): Uint8Array {
  return nodeDigest.sha256(data);
}
