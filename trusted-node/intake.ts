/**
 * Transaction intake: what happens to a transaction a wallet submits. It must be lowercase hex
 * of a 153-byte transaction, well-formed, new (neither pending nor committed), of this chain,
 * carry its sender's next nonce (committed nonce plus pending transactions), pay at least the
 * minimum fee, fit the balance left after the sender's pending transactions, and be signed by
 * its sender. It is then durably in the mempool before the caller hears "accepted".
 * @module
 */
import { TX_SIZE } from '../firmware/core/layout.ts';
import { fromHex, parseHex } from './bytes.ts';
import { badField, NodeError } from './errors.ts';
import type { Ledger } from './ledger/ledger.ts';
import { checkTransaction, decodeTransaction, isRefusal, type Refusal } from './ledger/rules.ts';
import type { Mempool, PendingTx } from './mempool.ts';
import type { Counter, MetricsRegistry } from './metrics.ts';
import type { SerialLane } from './serial.ts';
import type { LedgerStore } from './store/types.ts';

/** What the submitter learns about an accepted transaction. */
export interface Accepted {
  /** Transaction id, lowercase hex. */
  readonly id: string;
  readonly status: 'pending';
  /** Transactions evicted to make room (ids, hex). */
  readonly evicted: readonly string[];
}

/** Dependencies of {@link Intake}. */
export interface IntakeDeps {
  readonly ledger: Ledger;
  readonly mempool: Mempool;
  readonly store: LedgerStore;
  readonly lane: SerialLane;
  readonly metrics: MetricsRegistry;
  readonly now?: () => number;
}

/** Checks submitted transactions and admits them to the mempool. */
export class Intake {
  readonly #deps: IntakeDeps;
  readonly #outcomes: Counter;
  readonly #evictions: Counter;

  constructor(deps: IntakeDeps) {
    this.#deps = deps;
    this.#outcomes = deps.metrics.counter({ name: 'mm_tx_submissions_total', help: 'Submitted transactions by outcome (accepted or the rejection reason)', labels: ['outcome'] });
    this.#evictions = deps.metrics.counter({ name: 'mm_mempool_evictions_total', help: 'Pending transactions evicted by higher-fee ones' });
  }

  /**
   * Checks and admits the transaction given as hex. Rejects with `bad_field` (not hex of 153
   * bytes), `tx_rejected` (a rule; `reason` is the verdict reason) or `mempool_full`.
   */
  async submit(hex: unknown): Promise<Accepted> {
    try {
      const bytes = parseHex('tx', hex);
      if (bytes.length !== TX_SIZE) throw badField('tx', `expected ${TX_SIZE * 2} hex characters (a ${TX_SIZE}-byte transaction), got ${bytes.length * 2}`);
      const accepted = await this.#deps.lane.run(() => this.#admit(bytes));
      this.#outcomes.inc({ outcome: 'accepted' });
      this.#evictions.inc({}, accepted.evicted.length);
      return accepted;
    } catch (error) {
      this.#outcomes.inc({ outcome: error instanceof NodeError ? (error.reason ?? error.code) : 'internal' });
      throw error;
    }
  }

  async #admit(bytes: Uint8Array): Promise<Accepted> {
    const { ledger, mempool, store } = this.#deps;
    const tx = decodeTransaction(bytes);
    if (isRefusal(tx)) throw rejection(tx);
    if (mempool.get(tx.key) !== undefined || (await store.transaction(tx.id)) !== undefined) {
      throw rejection({ reason: 'duplicate', message: `transaction ${tx.key} was already submitted` });
    }
    const account = ledger.account(tx.sender);
    const refusal = checkTransaction(tx, {
      chainId: ledger.chain.chainId,
      minFee: ledger.chain.minFee,
      expectedNonce: mempool.nextNonce(tx.senderKey, account?.nonce ?? 0),
      available: (account?.balance ?? 0n) - mempool.pendingSpend(tx.senderKey),
    });
    if (refusal !== undefined) throw rejection(refusal);
    const pending: PendingTx = {
      id: tx.id, key: tx.key, tx: bytes, sender: tx.sender, senderKey: tx.senderKey,
      nonce: tx.nonce, fee: tx.fee, amount: tx.amount, receivedAt: (this.#deps.now ?? Date.now)(), signatureVerified: true,
    };
    const evicted = await mempool.add(pending);
    return { id: tx.key, status: 'pending', evicted: evicted.map((t) => t.key) };
  }
}

function rejection(refusal: Refusal): NodeError {
  return new NodeError('tx_rejected', refusal.message, { reason: refusal.reason, where: 'tx' });
}

/**
 * Refills the mempool from the store at start. Entries were fully checked when admitted, so
 * only what a committed block can have changed is re-checked (nonce runs and balances);
 * signatures are checked again by the ledger when a block includes them. Entries that can no
 * longer execute are deleted. Resolves to the number restored.
 */
export async function restoreMempool(store: LedgerStore, mempool: Mempool, ledger: Ledger): Promise<number> {
  const entries: PendingTx[] = [];
  const broken: Uint8Array[] = [];
  for (const record of await store.mempoolEntries()) {
    const tx = decodeTransaction(record.tx);
    if (isRefusal(tx)) broken.push(record.id);
    else entries.push({ ...record, key: tx.key, senderKey: tx.senderKey, amount: tx.amount });
  }
  mempool.load(entries);
  const stale = [...mempool.senders()].flatMap((sender) => mempool.unexecutable(sender, ledger.account(fromHex(sender))));
  await mempool.drop(stale);
  if (broken.length > 0) await store.mempoolDelete(broken);
  return mempool.size;
}
