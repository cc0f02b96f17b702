/**
 * The state commitment, node side: account leaves and a fixed-shape binary Merkle tree over
 * them that produces the proofs devices check. Leaf i of the tree is account i; an empty slot
 * hashes to 32 zero bytes and an empty subtree of height h to the ladder value zero[h].
 * @module
 */
import { bytes, u32 } from '../firmware/core/assert.ts';
import { readU32, writeU32 } from '../firmware/core/bytes.ts';
import { checkSize, type Decoded } from '../firmware/core/errors.ts';
import {
  FIELD_LEAF, LEAF_BALANCE_AT, LEAF_KEY_AT, LEAF_NONCE_AT, LEAF_SIZE, MAX_PROOF_DEPTH, PROOF_DEPTH_AT, PROOF_INDEX_AT,
  PROOF_LEAF_AT, PROOF_SIBLINGS_AT, proofSize,
} from '../firmware/core/layout.ts';
import { sha256 } from './digest.ts';
import { joinU64, knownKeys, u64, writeU64 } from './fields.ts';

/** An account: keyed by its Ed25519 public key. */
export interface Account {
  publicKey: Uint8Array;
  balance: bigint;
  /** the nonce its next transaction must carry */
  nonce: number;
}

const ACCOUNT_KEYS = ['publicKey', 'balance', 'nonce'] as const;

/** Encodes a 44-byte account leaf. */
export function encodeLeaf(account: Account): Uint8Array {
  knownKeys('account', account, ACCOUNT_KEYS);
  const leaf = new Uint8Array(LEAF_SIZE);
  leaf.set(bytes('publicKey', account.publicKey, 32), LEAF_KEY_AT);
  writeU64(leaf, LEAF_BALANCE_AT, u64('balance', account.balance));
  writeU32(leaf, LEAF_NONCE_AT, u32('nonce', account.nonce));
  return leaf;
}

/** Decodes a 44-byte account leaf. */
export function decodeLeaf(leaf: Uint8Array): Decoded<Account> {
  const sized = checkSize<Account>(leaf, LEAF_SIZE, FIELD_LEAF);
  if (sized) return sized;
  return {
    ok: true,
    value: {
      publicKey: leaf.slice(LEAF_KEY_AT, LEAF_KEY_AT + 32),
      balance: joinU64(readU32(leaf, LEAF_BALANCE_AT), readU32(leaf, LEAF_BALANCE_AT + 4)),
      nonce: readU32(leaf, LEAF_NONCE_AT),
    },
  };
}

/** SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0, ...leaf));
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(65);
  input[0] = 1;
  input.set(left, 1);
  input.set(right, 33);
  return sha256(input);
}

/** zero[h] is the root of an empty subtree of height h; zero[0] is an empty slot. */
export const ZERO_HASHES: readonly Uint8Array[] = (() => {
  const ladder: Uint8Array[] = [new Uint8Array(32)];
  for (let h = 1; h <= MAX_PROOF_DEPTH; h++) ladder.push(nodeHash(ladder[h - 1], ladder[h - 1]));
  return ladder;
})();

/** The smallest depth whose tree holds `count` accounts. */
export function depthFor(count: number): number {
  u32('count', count);
  let depth = 0;
  while (2 ** depth < count) depth++;
  if (depth > MAX_PROOF_DEPTH) throw new RangeError(`"count" expected at most 2^${MAX_PROOF_DEPTH} accounts, got ${count}`);
  return depth;
}

/**
 * A state tree of a fixed depth. Accounts fill the slots from 0 in the order given; keys must
 * be unique. Only occupied subtrees are stored (levels[h] holds the nodes of height h that have
 * an account below them), so a million accounts cost about 2 million hashes of memory.
 */
export class StateTree {
  readonly depth: number;
  private readonly accounts: Account[];
  private readonly levels: Uint8Array[][];
  private readonly slots = new Map<string, number>();

  constructor(depth: number, accounts: readonly Account[]) {
    this.depth = u32('depth', depth);
    if (depth > MAX_PROOF_DEPTH) throw new RangeError(`"depth" expected at most ${MAX_PROOF_DEPTH}, got ${depth}`);
    if (accounts.length > 2 ** depth) throw new RangeError(`"accounts" expected at most ${2 ** depth} for depth ${depth}, got ${accounts.length}`);
    this.accounts = [];
    const leaves: Uint8Array[] = [];
    accounts.forEach((account, index) => {
      const leaf = encodeLeaf(account);
      const key = hex(account.publicKey);
      if (this.slots.has(key)) throw new RangeError(`"accounts[${index}]" repeats the key of accounts[${this.slots.get(key)}]`);
      this.slots.set(key, index);
      this.accounts.push({ publicKey: account.publicKey.slice(), balance: account.balance, nonce: account.nonce });
      leaves.push(leafHash(leaf));
    });
    this.levels = [leaves];
    for (let h = 1; h <= depth; h++) {
      const below = this.levels[h - 1];
      const level: Uint8Array[] = [];
      for (let i = 0; i < below.length; i += 2) level.push(nodeHash(below[i], below[i + 1] ?? ZERO_HASHES[h - 1]));
      this.levels.push(level);
    }
  }

  /** The state root. */
  get root(): Uint8Array {
    return this.levels[this.depth][0] ?? ZERO_HASHES[this.depth];
  }

  /** Number of accounts. */
  get size(): number {
    return this.accounts.length;
  }

  /** The slot of the account with `publicKey`, or undefined. */
  indexOf(publicKey: Uint8Array): number | undefined {
    return this.slots.get(hex(publicKey));
  }

  /** A copy of the account in slot `index`. */
  account(index: number): Account {
    const account = this.accounts[this.slot(index)];
    return { publicKey: account.publicKey.slice(), balance: account.balance, nonce: account.nonce };
  }

  /** Replaces the account in slot `index` (same key) and rehashes its path: depth+1 hashes. */
  update(index: number, account: Account): void {
    this.slot(index);
    const leaf = encodeLeaf(account);
    if (hex(account.publicKey) !== hex(this.accounts[index].publicKey)) throw new RangeError(`"account.publicKey" differs from the key in slot ${index}`);
    this.accounts[index] = { publicKey: account.publicKey.slice(), balance: account.balance, nonce: account.nonce };
    this.levels[0][index] = leafHash(leaf);
    let position = index;
    for (let h = 1; h <= this.depth; h++) {
      position >>>= 1;
      const below = this.levels[h - 1];
      this.levels[h][position] = nodeHash(below[2 * position], below[2 * position + 1] ?? ZERO_HASHES[h - 1]);
    }
  }

  /** The state proof of slot `index`: leaf, index, depth and siblings from the leaf upward. */
  proof(index: number): Uint8Array {
    this.slot(index);
    const proof = new Uint8Array(proofSize(this.depth));
    proof.set(encodeLeaf(this.accounts[index]), PROOF_LEAF_AT);
    writeU32(proof, PROOF_INDEX_AT, index);
    proof[PROOF_DEPTH_AT] = this.depth;
    let position = index;
    for (let h = 0; h < this.depth; h++) {
      proof.set(this.levels[h][position ^ 1] ?? ZERO_HASHES[h], PROOF_SIBLINGS_AT + h * 32);
      position >>>= 1;
    }
    return proof;
  }

  private slot(index: number): number {
    u32('index', index);
    if (index >= this.accounts.length) throw new RangeError(`"index" expected below ${this.accounts.length}, got ${index}`);
    return index;
  }
}

function hex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}
