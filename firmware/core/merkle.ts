/**
 * A streaming Merkle accumulator over accepted transaction ids, in the shape of RFC 6962
 * (leaf SHA-256(0x00 || id), node SHA-256(0x01 || left || right), the empty tree SHA-256 of
 * nothing). It keeps one 32-byte root per level of perfect subtree: fixed memory for up to
 * 2^levels - 1 leaves, so a device never holds the ids themselves.
 * @module
 */
import { copy32, type Digest } from './digest.ts';
import { FRONTIER_LEVELS } from './layout.ts';
import { prefixedHash } from './proof.ts';

/**
 * Adds the leaf for `id` as leaf number `count` (the count before adding). `frontier` holds 32
 * bytes per level and `scratch` at least 65 bytes.
 */
export function frontierAdd(digest: Digest, frontier: Uint8Array, count: number, id: Uint8Array, scratch: Uint8Array): void {
  frontierMerge(digest, frontier, count, copy32(prefixedHash(digest, scratch, 0, id, null)), 0, FRONTIER_LEVELS, scratch);
}

/**
 * Merges `node` (32 bytes, updated in place: at first the new leaf's hash, leaf number `count`)
 * with the waiting subtrees from `level` up, at most `merges` of them, one SHA-256 each. Returns
 * the level to resume from, or -1 once the node is stored in `frontier`: a resumable step.
 */
export function frontierMerge(digest: Digest, frontier: Uint8Array, count: number, node: Uint8Array, level: number, merges: number, scratch: Uint8Array): number {
  // Each set low bit of count is a finished subtree of that size waiting for its right sibling.
  for (let n = 0; n < merges && (count >> level) & 1; n++, level++) {
    node.set(prefixedHash(digest, scratch, 1, frontier.subarray(level * 32, level * 32 + 32), node));
  }
  if ((count >> level) & 1) return level;
  frontier.set(node, level * 32);
  return -1;
}

/** The RFC 6962 root of the `count` leaves accumulated in `frontier`, as a fresh 32-byte array. */
export function frontierRoot(digest: Digest, frontier: Uint8Array, count: number, scratch: Uint8Array): Uint8Array {
  const root = new Uint8Array(32);
  rootMerge(digest, frontier, count, root, rootStart(digest, frontier, count, root), FRONTIER_LEVELS, scratch);
  return root;
}

/**
 * Starts the root of `count` leaves in `node` (32 bytes): the smallest waiting subtree, or the
 * empty tree's hash. Returns the level {@link rootMerge} goes on from.
 */
export function rootStart(digest: Digest, frontier: Uint8Array, count: number, node: Uint8Array): number {
  if (count === 0) {
    node.set(digest.sha256(new Uint8Array(0)));
    return 0;
  }
  let level = 0;
  while (((count >> level) & 1) === 0) level++;
  node.set(frontier.subarray(level * 32, level * 32 + 32));
  return level + 1;
}

/**
 * Folds the larger waiting subtrees into `node` from `level` up, at most `merges` of them, one
 * SHA-256 each. Returns the level to resume from, or -1 once `node` is the root: a resumable step.
 */
export function rootMerge(digest: Digest, frontier: Uint8Array, count: number, node: Uint8Array, level: number, merges: number, scratch: Uint8Array): number {
  // RFC 6962 splits at the largest power of two, so the bigger subtrees sit on the left.
  for (let n = 0; n < merges && count >> level; level++) {
    if ((count >> level) & 1) {
      node.set(prefixedHash(digest, scratch, 1, frontier.subarray(level * 32, level * 32 + 32), node));
      n++;
    }
  }
  return count >> level ? level : -1;
}
