/**
 * Proof-of-work shares, searched in resumable slices: a share is a nonce u32 such that
 * SHA-256(result digest || nonce LE) starts with `difficulty` zero bits. Any sequence of slice
 * sizes finds the same (smallest) nonce as one long search, and no call loops unboundedly.
 * @module
 */
import { u32 } from './assert.ts';
import { writeU32 } from './bytes.ts';
import type { Digest } from './digest.ts';

/** The whole state of a search between slices. */
export interface ShareSearch {
  /** result digest (32 bytes) followed by the nonce under test (u32 LE) */
  message: Uint8Array;
  difficulty: number;
  /** the next nonce to try; 2^32 once all were tried */
  nextNonce: number;
  /** the share's nonce once found */
  found?: number;
}

/** Starts a search for a share over `resultDigest` (32 bytes) at `difficulty` bits. */
export function startShareSearch(resultDigest: Uint8Array, difficulty: number): ShareSearch {
  const message = new Uint8Array(36);
  message.set(resultDigest);
  return { message: message, difficulty: difficulty, nextNonce: 0 };
}

/** True when `hash` starts with at least `difficulty` zero bits. */
export function hasLeadingZeros(hash: Uint8Array, difficulty: number): boolean {
  const wholeBytes = difficulty >> 3;
  for (let i = 0; i < wholeBytes; i++) if (hash[i] !== 0) return false;
  const bits = difficulty & 7;
  return bits === 0 || hash[wholeBytes] >> (8 - bits) === 0;
}

/**
 * Tries at most `maxAttempts` nonces and returns true when the search is over: `found` is set,
 * or every nonce was tried (then finish the result again under the next counter).
 */
export function searchShare(digest: Digest, search: ShareSearch, maxAttempts: number): boolean {
  u32('maxAttempts', maxAttempts);
  const message = search.message;
  for (let n = 0; n < maxAttempts && search.found === undefined && search.nextNonce <= 0xffffffff; n++) {
    const nonce = search.nextNonce++;
    writeU32(message, 32, nonce);
    if (hasLeadingZeros(digest.sha256(message), search.difficulty)) search.found = nonce;
  }
  return search.found !== undefined || search.nextNonce > 0xffffffff;
}

/** True when `nonce` is a share of `difficulty` bits for `resultDigest`. */
export function isShare(digest: Digest, resultDigest: Uint8Array, nonce: number, difficulty: number): boolean {
  const search = startShareSearch(resultDigest, difficulty);
  writeU32(search.message, 32, nonce);
  return hasLeadingZeros(digest.sha256(search.message), difficulty);
}
