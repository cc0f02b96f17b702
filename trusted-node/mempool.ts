/**
 * The mempool: checked transactions waiting for a block, bounded in size, ordered by fee.
 *
 * - Per sender, pending transactions form a gapless nonce run starting at the account's
 *   nonce, so every one of them can be executed in order (intake enforces it with
 *   {@link Mempool.nextNonce}).
 * - When full, a newcomer must pay more than the cheapest pending transaction; that one is
 *   evicted together with its sender's later transactions (they could no longer execute).
 *   Finding the cheapest is a scan, done only when the pool is full: at the default capacity
 *   that costs less than decoding the request.
 * - Every change is written to the store before it is visible, so a transaction the API
 *   accepted survives a crash; {@link Mempool.load} restores the pool at start.
 * @module
 */
import { equalBytes } from './bytes.ts';
import { NodeError } from './errors.ts';
import type { DecodedTx } from './ledger/rules.ts';
import type { LedgerStore, MempoolRecord } from './store/types.ts';

/** A checked transaction as the mempool holds it. */
export interface PendingTx extends MempoolRecord {
  /** Lowercase hex of `id`. */
  readonly key: string;
  /** Lowercase hex of `sender`. */
  readonly senderKey: string;
  readonly amount: bigint;
  /**
   * True when intake verified the signature of `tx` in this process, so a block need not verify
   * it again. Not stored: entries restored at start are verified again when a block takes them.
   */
  readonly signatureVerified?: boolean;
}

/** Default capacity (transactions). */
export const DEFAULT_MEMPOOL_CAPACITY = 10_000;

/** In-memory index over the durable mempool table. */
export class Mempool {
  readonly capacity: number;
  readonly #store: LedgerStore;
  readonly #byKey = new Map<string, PendingTx>();
  /** Per sender, pending transactions in nonce order. */
  readonly #bySender = new Map<string, PendingTx[]>();

  constructor(store: LedgerStore, capacity: number = DEFAULT_MEMPOOL_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`"capacity" expected an integer >= 1, got ${capacity}`);
    this.#store = store;
    this.capacity = capacity;
  }

  /** Number of pending transactions. */
  get size(): number {
    return this.#byKey.size;
  }

  /** The pending transaction with id `key` (hex). */
  get(key: string): PendingTx | undefined {
    return this.#byKey.get(key);
  }

  /** Whether `tx` is byte for byte a pending transaction whose signature intake verified. */
  signatureVerified(tx: DecodedTx): boolean {
    const pending = this.#byKey.get(tx.key);
    return pending?.signatureVerified === true && equalBytes(pending.tx, tx.bytes);
  }

  /** Nonce the sender's next transaction must carry, given the account's committed nonce. */
  nextNonce(senderKey: string, accountNonce: number): number {
    return accountNonce + (this.#bySender.get(senderKey)?.length ?? 0);
  }

  /** Amount plus fee of all the sender's pending transactions (what intake must reserve). */
  pendingSpend(senderKey: string): bigint {
    return (this.#bySender.get(senderKey) ?? []).reduce((sum, t) => sum + t.amount + t.fee, 0n);
  }

  /** The cheapest pending fee, or undefined when empty (for `/stats`). */
  lowestFee(): bigint | undefined {
    return this.#cheapest()?.fee;
  }

  /**
   * Adds a checked transaction (the caller verified its nonce with {@link nextNonce}),
   * evicting when full; resolves to the evicted transactions once the change is durable.
   * Rejects with `conflict` for a transaction already pending and `mempool_full` when the
   * pool is full of transactions paying at least as much.
   */
  async add(tx: PendingTx): Promise<PendingTx[]> {
    if (this.#byKey.has(tx.key)) throw new NodeError('tx_rejected', `transaction ${tx.key} is already pending`, { reason: 'duplicate', where: 'tx' });
    const evicted = this.size >= this.capacity ? this.#evictionFor(tx) : [];
    await this.#store.mempoolPut(tx, evicted.map((t) => t.id));
    for (const t of evicted) this.#forget(t);
    this.#remember(tx);
    return evicted;
  }

  /**
   * Up to `max` transactions for the next block: highest fee first, each sender's in nonce
   * order (a sender's next transaction competes once its predecessor is chosen).
   */
  select(max: number): PendingTx[] {
    const queues = [...this.#bySender.values()].map((run) => ({ run, next: 0 }));
    const chosen: PendingTx[] = [];
    while (chosen.length < max) {
      let best: (typeof queues)[number] | undefined;
      for (const q of queues) {
        const head = q.run[q.next];
        if (head !== undefined && (best === undefined || before(head, best.run[best.next]!))) best = q;
      }
      if (best === undefined) break;
      chosen.push(best.run[best.next++]!);
    }
    return chosen;
  }

  /** Drops transactions a committed block included (the store already removed them). */
  committed(ids: readonly string[]): void {
    for (const key of ids) {
      const t = this.#byKey.get(key);
      if (t !== undefined) this.#forget(t);
    }
  }

  /**
   * Removes transactions that can no longer execute (e.g. after a block, a sender whose
   * balance or nonce moved); resolves once the removal is durable.
   */
  async drop(txs: readonly PendingTx[]): Promise<void> {
    if (txs.length === 0) return;
    await this.#store.mempoolDelete(txs.map((t) => t.id));
    for (const t of txs) this.#forget(t);
  }

  /**
   * The sender's pending transactions from the first one that no longer fits its committed
   * account (nonce run broken or balance exceeded) on; empty when all can still execute.
   */
  unexecutable(senderKey: string, account: { readonly balance: bigint; readonly nonce: number } | undefined): PendingTx[] {
    const run = this.pendingOf(senderKey);
    let nonce = account?.nonce ?? 0;
    let available = account?.balance ?? 0n;
    for (const [i, t] of run.entries()) {
      if (t.nonce !== nonce || t.amount + t.fee > available) return run.slice(i);
      nonce++;
      available -= t.amount + t.fee;
    }
    return [];
  }

  /** All pending transactions of one sender, in nonce order. */
  pendingOf(senderKey: string): readonly PendingTx[] {
    return this.#bySender.get(senderKey) ?? [];
  }

  /** Every sender with pending transactions. */
  senders(): IterableIterator<string> {
    return this.#bySender.keys();
  }

  /** Restores the pool from already checked, stored entries (at start). */
  load(entries: readonly PendingTx[]): void {
    for (const t of [...entries].sort((a, b) => a.nonce - b.nonce)) this.#remember(t);
  }

  #evictionFor(tx: PendingTx): PendingTx[] {
    const cheapest = this.#cheapest()!;
    if (tx.fee <= cheapest.fee) {
      throw new NodeError('mempool_full', `the mempool is full (${this.capacity} transactions) and the cheapest pays fee ${cheapest.fee}`, {
        reason: 'mempool-full',
        where: 'tx.fee',
        hint: `pay a fee above ${cheapest.fee}, or retry later`,
      });
    }
    const run = this.#bySender.get(cheapest.senderKey)!;
    const evicted = run.slice(run.indexOf(cheapest));
    if (cheapest.senderKey === tx.senderKey) {
      throw new NodeError('mempool_full', `the mempool is full and making room would evict this sender's own earlier transaction (fee ${cheapest.fee})`, {
        reason: 'mempool-full',
        where: 'tx.fee',
        hint: 'wait for your pending transactions to be included',
      });
    }
    return evicted;
  }

  #cheapest(): PendingTx | undefined {
    let cheapest: PendingTx | undefined;
    for (const t of this.#byKey.values()) if (cheapest === undefined || before(cheapest, t)) cheapest = t;
    return cheapest;
  }

  #remember(t: PendingTx): void {
    this.#byKey.set(t.key, t);
    const run = this.#bySender.get(t.senderKey);
    if (run === undefined) this.#bySender.set(t.senderKey, [t]);
    else {
      run.push(t);
      run.sort((a, b) => a.nonce - b.nonce);
    }
  }

  #forget(t: PendingTx): void {
    this.#byKey.delete(t.key);
    const run = this.#bySender.get(t.senderKey);
    if (run === undefined) return;
    const rest = run.filter((p) => p !== t);
    if (rest.length === 0) this.#bySender.delete(t.senderKey);
    else this.#bySender.set(t.senderKey, rest);
  }
}

/** Priority order: higher fee first, then earlier arrival, then id (a total order). */
function before(a: PendingTx, b: PendingTx): boolean {
  if (a.fee !== b.fee) return a.fee > b.fee;
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt;
  return a.key < b.key;
}
