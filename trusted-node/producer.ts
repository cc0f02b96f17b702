/**
 * Block production. By default the node makes a block from the mempool's best transactions
 * (fee order, nonces in order) plus a settlement of unpaid rewards, on a timer. The consensus
 * layer replaces the mempool as the source of transactions ({@link BlockProducer.useTransactions}:
 * those its device quorum accepted) or passes a whole candidate to {@link BlockProducer.produce},
 * and hears of every block ({@link BlockProducer.onCommitted}). Either way the
 * ledger re-checks every transaction and leaves out what breaks a rule, and the mempool then
 * forgets what was included and drops what can no longer execute.
 * @module
 */
import { fromHex, toHex } from './bytes.ts';
import type { BlockCandidate, CommittedBlock, Ledger } from './ledger/ledger.ts';
import { decodeTransaction, isRefusal } from './ledger/rules.ts';
import type { Logger } from './log.ts';
import type { Mempool, PendingTx } from './mempool.ts';
import type { Counter, Histogram, MetricsRegistry } from './metrics.ts';
import type { SerialLane } from './serial.ts';
import type { Credit, LedgerStore } from './store/types.ts';

/** Dependencies of {@link BlockProducer}. */
export interface ProducerDeps {
  readonly ledger: Ledger;
  readonly mempool: Mempool;
  readonly store: LedgerStore;
  readonly lane: SerialLane;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
  /** Most rewards one block settles. Default 1000. */
  readonly maxRewardsPerBlock?: number;
}

/** Picks the transactions of the next block: at most `max`, in the order to apply them. */
export type TransactionSource = (max: number) => readonly Uint8Array[];

/** Hears of a committed block and the candidate it was made from. */
export type CommitListener = (committed: CommittedBlock, candidate: BlockCandidate) => void | Promise<void>;

/** Makes blocks; see the module comment. */
export class BlockProducer {
  readonly #deps: ProducerDeps;
  #source: TransactionSource;
  readonly #listeners: CommitListener[] = [];
  readonly #blocks: Counter;
  readonly #transactions: Counter;
  readonly #refused: Counter;
  readonly #commitSeconds: Histogram;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(deps: ProducerDeps) {
    this.#deps = deps;
    this.#source = (max) => deps.mempool.select(max).map((t) => t.tx);
    const m = deps.metrics;
    this.#blocks = m.counter({ name: 'mm_blocks_committed_total', help: 'Blocks committed since start' });
    this.#transactions = m.counter({ name: 'mm_block_transactions_total', help: 'Transactions committed in blocks since start' });
    this.#refused = m.counter({ name: 'mm_block_refused_total', help: 'Candidate transactions left out of blocks, by reason', labels: ['reason'] });
    m.gauge({ name: 'mm_chain_height', help: 'Height of the chain head', collect: (g) => g.set(deps.ledger.head.header.height) });
    this.#commitSeconds = m.histogram({
      name: 'mm_block_commit_seconds',
      help: 'Time to build, check and durably commit a block',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    });
  }

  /**
   * Commits the next block from `candidate`, or from the mempool and unpaid rewards when none
   * is given. Without a candidate and with nothing to include, commits nothing and resolves
   * to undefined.
   */
  produce(candidate?: BlockCandidate): Promise<CommittedBlock | undefined> {
    return this.#deps.lane.run(async () => {
      const next = candidate ?? (await this.#defaultCandidate());
      if (next === undefined) return undefined;
      const started = performance.now();
      // A signature intake verified is not verified again (about 1.2 ms each, on the thread that serves every device).
      const mempool = this.#deps.mempool;
      const committed = await this.#deps.ledger.commitBlock({ signatureVerified: (tx) => mempool.signatureVerified(tx), ...next });
      this.#commitSeconds.observe((performance.now() - started) / 1000);
      await this.#afterCommit(next, committed);
      for (const listener of this.#listeners) await listener(committed, next);
      return committed;
    });
  }

  /**
   * Takes the transactions of blocks made without a candidate from `source` instead of the
   * mempool's best (the consensus layer passes those a device quorum accepted); rewards are
   * settled as before.
   */
  useTransactions(source: TransactionSource): void {
    this.#source = source;
  }

  /** Calls `listener` after every committed block, inside the lane, once the mempool is updated. */
  onCommitted(listener: CommitListener): void {
    this.#listeners.push(listener);
  }

  /** Produces a block every `intervalMs` (after the previous one finished) until {@link stop}. */
  start(intervalMs: number): void {
    if (!(intervalMs > 0)) throw new RangeError(`"blockIntervalMs" expected a number above 0, got ${intervalMs}`);
    if (this.#timer !== undefined) return;
    const tick = (): void => {
      this.#running = this.produce()
        .catch((error: unknown) => this.#deps.logger.error('block_failed', { error }))
        .finally(() => {
          if (this.#timer !== undefined) this.#timer = setTimeout(tick, intervalMs);
        });
    };
    this.#timer = setTimeout(tick, intervalMs);
  }

  /** Stops the timer and waits for a block in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async #defaultCandidate(): Promise<BlockCandidate | undefined> {
    const { ledger, store } = this.#deps;
    const transactions = this.#source(ledger.maxBlockTransactions);
    const rewards = await store.unpaidRewards(this.#deps.maxRewardsPerBlock ?? 1_000);
    if (transactions.length === 0 && rewards.length === 0) return undefined;
    const credits = new Map<string, Credit>();
    for (const r of rewards) {
      const key = toHex(r.account);
      credits.set(key, { account: r.account, amount: (credits.get(key)?.amount ?? 0n) + r.amount });
    }
    return { transactions, credits: [...credits.values()], paidRewards: rewards.map((r) => r.id) };
  }

  async #afterCommit(candidate: BlockCandidate, committed: CommittedBlock): Promise<void> {
    const { mempool, ledger, logger } = this.#deps;
    const { header } = committed.block;
    this.#blocks.inc();
    this.#transactions.inc({}, committed.included.length);
    for (const r of committed.refused) this.#refused.inc({ reason: r.refusal.reason });
    mempool.committed(committed.included.map((t) => t.key));
    // Pending transactions the ledger refused, their sender's later ones, and pending ones
    // of the senders this block touched that no longer fit their account can never execute.
    const stale = new Set<PendingTx>();
    for (const r of committed.refused) {
      const decoded = decodeTransaction(candidate.transactions[r.index]!);
      const pending = isRefusal(decoded) ? undefined : mempool.get(decoded.key);
      if (pending === undefined) continue;
      for (const t of mempool.pendingOf(pending.senderKey)) if (t.nonce >= pending.nonce) stale.add(t);
    }
    for (const senderKey of new Set(committed.included.map((t) => t.senderKey))) {
      for (const t of mempool.unexecutable(senderKey, ledger.account(fromHex(senderKey)))) stale.add(t);
    }
    await mempool.drop([...stale]);
    logger.info('block_committed', {
      height: header.height, hash: committed.block.hash, transactions: header.txCount, credits: header.creditCount,
      refused: committed.refused.length, dropped: stale.size,
    });
  }
}
