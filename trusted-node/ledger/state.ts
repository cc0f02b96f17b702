/**
 * The account state held in memory: every account in slot order inside the formats' state
 * tree (protocol/state.ts), at the smallest depth that holds them. Changing existing accounts
 * rehashes their paths (depth+1 hashes each); a change that adds accounts rebuilds the tree,
 * since the tree has no append (about two hashes per account).
 * @module
 */
import { depthFor, StateTree, type Account } from '../../protocol/state.ts';
import { toHex } from '../bytes.ts';
import type { AccountRecord } from '../store/types.ts';

/** An account and its slot. */
export type SlottedAccount = AccountRecord;

/** Accounts by key and slot, with the state root over them. */
export class LedgerState {
  #tree: StateTree;
  #supply: bigint;

  /** Builds the state from accounts in slot order (slots 0..n-1). */
  constructor(accounts: readonly AccountRecord[] = []) {
    accounts.forEach((a, i) => {
      if (a.slot !== i) throw new RangeError(`"accounts[${i}].slot" expected ${i}, got ${a.slot}`);
    });
    this.#tree = buildTree(accounts);
    this.#supply = accounts.reduce((sum, a) => sum + a.balance, 0n);
  }

  /** Sum of all balances. Credits may never raise it past u64, so no balance can overflow. */
  get supply(): bigint {
    return this.#supply;
  }

  /** The state root. */
  get root(): Uint8Array {
    return this.#tree.root;
  }

  /** Number of accounts. */
  get size(): number {
    return this.#tree.size;
  }

  /** The account with `publicKey`, or undefined. */
  get(publicKey: Uint8Array): SlottedAccount | undefined {
    const slot = this.#tree.indexOf(publicKey);
    return slot === undefined ? undefined : this.at(slot);
  }

  /** The account in `slot`. */
  at(slot: number): SlottedAccount {
    const a = this.#tree.account(slot);
    return { publicKey: a.publicKey, slot, balance: a.balance, nonce: a.nonce };
  }

  /** Every account in slot order. */
  all(): SlottedAccount[] {
    return Array.from({ length: this.size }, (_, slot) => this.at(slot));
  }

  /** The state proof of an account (for work units), or undefined for an unknown key. */
  proof(publicKey: Uint8Array): Uint8Array | undefined {
    const slot = this.#tree.indexOf(publicKey);
    return slot === undefined ? undefined : this.#tree.proof(slot);
  }

  /**
   * Applies new account values: existing slots are replaced, slots from `size` on are added
   * (they must continue the slot sequence). Returns a function that restores the previous
   * state, for a caller whose durable commit failed.
   */
  apply(changes: readonly AccountRecord[]): () => void {
    const size = this.size;
    const added = changes.filter((c) => c.slot >= size).sort((a, b) => a.slot - b.slot);
    added.forEach((a, i) => {
      if (a.slot !== size + i) throw new RangeError(`new account slot expected ${size + i}, got ${a.slot}`);
    });
    const previous = changes.filter((c) => c.slot < size).map((c) => this.at(c.slot));
    for (const c of changes) {
      if (c.slot < size && toHex(this.#tree.account(c.slot).publicKey) !== toHex(c.publicKey)) throw new RangeError(`account slot ${c.slot} belongs to another key`);
    }
    const tree = this.#tree;
    const supply = this.#supply;
    for (const c of changes) this.#supply += c.balance - (c.slot < size ? this.at(c.slot).balance : 0n);
    if (added.length > 0) {
      const next = this.all();
      for (const c of changes) next[c.slot] = c;
      this.#tree = buildTree(next);
    } else {
      for (const c of changes) tree.update(c.slot, account(c));
    }
    return () => {
      this.#tree = tree;
      this.#supply = supply;
      for (const p of previous) tree.update(p.slot, account(p));
    };
  }
}

function buildTree(accounts: readonly AccountRecord[]): StateTree {
  return new StateTree(depthFor(accounts.length), accounts.map(account));
}

function account(record: AccountRecord): Account {
  return { publicKey: record.publicKey, balance: record.balance, nonce: record.nonce };
}
