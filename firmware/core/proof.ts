/**
 * Account leaves, state proofs, and the hashing rules of the state tree: leaf hash
 * SHA-256(0x00 || leaf), inner node SHA-256(0x01 || left || right). The prefixes keep a leaf
 * from ever passing for an inner node, so a proof of the wrong depth cannot verify.
 * @module
 */
import { readU32 } from './bytes.ts';
import { copy32, type Digest } from './digest.ts';
import { DECODE_INVALID, DECODE_OVERSIZED, DECODE_TRUNCATED, decodeError, type DecodeError, type Decoded } from './errors.ts';
import {
  FIELD_PROOF, FIELD_PROOF_DEPTH, FIELD_PROOF_INDEX, FIELD_PROOF_SIBLINGS, LEAF_BALANCE_AT, LEAF_NONCE_AT, LEAF_SIZE,
  MAX_PROOF_DEPTH, PROOF_DEPTH_AT, PROOF_INDEX_AT, PROOF_LEAF_AT, PROOF_SIBLINGS_AT, proofSize,
} from './layout.ts';

/** A decoded state proof; byte fields are views into the input. */
export interface StateProof {
  /** the 44-byte account leaf */
  leaf: Uint8Array;
  publicKey: Uint8Array;
  balanceLow: number;
  balanceHigh: number;
  nonce: number;
  index: number;
  depth: number;
  /** depth*32 bytes, the sibling at the leaf's level first */
  siblings: Uint8Array;
}

/**
 * Checks the proof that fills `data[at..)` exactly: null when it is well-formed, else the first
 * defect, with offsets relative to `data`. The length is checked against the depth before
 * anything else is read.
 */
export function proofError(data: Uint8Array, at: number): DecodeError | null {
  const available = data.length - at;
  if (available < PROOF_SIBLINGS_AT) return decodeError(DECODE_TRUNCATED, FIELD_PROOF, data.length);
  const depth = data[at + PROOF_DEPTH_AT];
  if (depth > MAX_PROOF_DEPTH) return decodeError(DECODE_INVALID, FIELD_PROOF_DEPTH, at + PROOF_DEPTH_AT);
  const size = proofSize(depth);
  if (available < size) return decodeError(DECODE_TRUNCATED, FIELD_PROOF_SIBLINGS, data.length);
  if (available > size) return decodeError(DECODE_OVERSIZED, FIELD_PROOF, at + size);
  if (readU32(data, at + PROOF_INDEX_AT) >= 1 << depth) return decodeError(DECODE_INVALID, FIELD_PROOF_INDEX, at + PROOF_INDEX_AT);
  return null;
}

/** The fields of the well-formed proof that fills `data[at..)` (see {@link proofError}). */
export function readProof(data: Uint8Array, at: number): StateProof {
  const leafAt = at + PROOF_LEAF_AT;
  return {
    leaf: data.subarray(leafAt, leafAt + LEAF_SIZE),
    publicKey: data.subarray(leafAt, leafAt + 32),
    balanceLow: readU32(data, leafAt + LEAF_BALANCE_AT),
    balanceHigh: readU32(data, leafAt + LEAF_BALANCE_AT + 4),
    nonce: readU32(data, leafAt + LEAF_NONCE_AT),
    index: readU32(data, at + PROOF_INDEX_AT),
    depth: data[at + PROOF_DEPTH_AT],
    siblings: data.subarray(at + PROOF_SIBLINGS_AT),
  };
}

/** Decodes a standalone state proof. */
export function decodeProof(data: Uint8Array): Decoded<StateProof> {
  const error = proofError(data, 0);
  return error ? { ok: false, error: error } : { ok: true, value: readProof(data, 0) };
}

/**
 * Hashes `a` (and `b` if given) behind a one-byte `prefix` using `scratch` (at least 65 bytes),
 * and returns the digest's own output.
 */
export function prefixedHash(digest: Digest, scratch: Uint8Array, prefix: number, a: Uint8Array, b: Uint8Array | null): Uint8Array {
  scratch[0] = prefix;
  scratch.set(a, 1);
  if (b === null) return digest.sha256(scratch.subarray(0, 1 + a.length));
  scratch.set(b, 1 + a.length);
  return digest.sha256(scratch.subarray(0, 1 + a.length + b.length));
}

/**
 * Climbs a proof (its `siblings`, the leaf's level first, and the leaf's `index`) from level
 * `from` to level `to`: `node` (32 bytes) holds the hash at `from` and is updated in place, one
 * SHA-256 per level. A resumable step: a device climbs a few levels per slice, and nothing but
 * `node` carries over between them. `scratch` is at least 65 bytes.
 */
export function climbProof(digest: Digest, siblings: Uint8Array, index: number, node: Uint8Array, from: number, to: number, scratch: Uint8Array): void {
  for (let level = from; level < to; level++) {
    const sibling = siblings.subarray(level * 32, level * 32 + 32);
    // The node is copied into scratch before set() overwrites it with the digest's output.
    node.set((index >>> level) & 1 ? prefixedHash(digest, scratch, 1, sibling, node) : prefixedHash(digest, scratch, 1, node, sibling));
  }
}

/** The state root a proof leads to, as a fresh 32-byte array: depth+1 SHA-256 calls. `scratch` is at least 65 bytes. */
export function proofRoot(digest: Digest, proof: StateProof, scratch: Uint8Array): Uint8Array {
  const node = copy32(prefixedHash(digest, scratch, 0, proof.leaf, null));
  climbProof(digest, proof.siblings, proof.index, node, 0, proof.depth, scratch);
  return node;
}
