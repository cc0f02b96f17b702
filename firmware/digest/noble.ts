/**
 * The pure-JS fallback digest over @noble/hashes, for a target without a native SHA-256 (and
 * for measuring the core on XS without native code). Kept outside firmware/core so that images
 * using a native digest do not carry it.
 * @module
 */
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { Digest } from '../core/digest.ts';

/** SHA-256 computed in JavaScript. */
export const nobleDigest: Digest = {
  sha256: function (data: Uint8Array): Uint8Array {
    return sha256(data);
  },
};

/** SHA-512 computed in JavaScript, for firmware/sig's createVerifier. */
export function nobleSha512(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return sha512(data);
}
