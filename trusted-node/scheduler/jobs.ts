/**
 * Jobs: one per transaction the devices are asked about. A transaction becomes a job once it is
 * the first pending transaction of its sender and carries the sender's committed nonce, the only
 * one a state proof against the current root can show valid (the next one waits for the block
 * that includes it). A job remembers which devices it went to, their verdicts, and the decision.
 * @module
 */
import type { Tier } from '../../protocol/wire.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Mempool, PendingTx } from '../mempool.ts';
import type { Unit } from './units.ts';

/** One device's verdict on a job, and where it was given. */
export interface JobVerdict {
  readonly deviceId: string;
  readonly code: number;
  readonly unit: Unit;
  /** The entry's index in the unit. */
  readonly index: number;
}

/** What consensus decided: accept, or reject with the reason code the node confirmed. */
export interface Decision {
  readonly outcome: 'accept' | 'reject';
  readonly code: number;
  /** The code the deciding verdicts agreed on (a hash-tier accept the node then rejects for its signature differs from `code`). */
  readonly agreed: number;
}

/** A transaction under validation. */
export class Job {
  readonly tx: PendingTx;
  /** The tier every verdict on it comes from, fixed by its first assignment (null before). */
  tier: Tier | null = null;
  /** Devices working on it now, and the unit each has. */
  readonly inflight = new Map<string, Unit>();
  /** Verdicts not proven wrong, by device. */
  readonly verdicts = new Map<string, JobVerdict>();
  /** Every device that was ever given it: none gets it twice. */
  readonly asked = new Set<string>();
  decision: Decision | null = null;
  /** Whether the random audit sample was drawn for it already. */
  sampled = false;
  /** Set once it left the board (committed, rejected, cancelled): later verdicts change nothing. */
  closed = false;

  constructor(tx: PendingTx) {
    this.tx = tx;
  }

  get key(): string {
    return this.tx.key;
  }

  /** New assignments it still wants to reach `replicas` live verdicts (0 once decided). */
  wanted(replicas: number): number {
    return this.decision === null ? Math.max(0, replicas - this.inflight.size - this.verdicts.size) : 0;
  }
}

/** The jobs of a node: created from the mempool, ordered by fee for assignment. */
export class JobBoard {
  readonly #jobs = new Map<string, Job>();
  /** Undecided jobs in assignment order (fee, then arrival), rebuilt by {@link refresh}. */
  #order: Job[] = [];

  /** The job of a transaction id (hex). */
  get(key: string): Job | undefined {
    return this.#jobs.get(key);
  }

  get size(): number {
    return this.#jobs.size;
  }

  /**
   * Creates jobs for the senders' first pending transactions that carry the committed nonce,
   * and returns the jobs whose transaction left the mempool without being decided for a block
   * (evicted, dropped as unexecutable): the caller cancels them.
   */
  refresh(mempool: Mempool, ledger: Ledger): Job[] {
    for (const senderKey of mempool.senders()) {
      const head = mempool.pendingOf(senderKey)[0];
      if (head === undefined || this.#jobs.has(head.key)) continue;
      if (head.nonce === (ledger.account(head.sender)?.nonce ?? 0)) this.#jobs.set(head.key, new Job(head));
    }
    const gone: Job[] = [];
    for (const job of this.#jobs.values()) {
      if (mempool.get(job.key) === undefined && job.decision?.outcome !== 'accept') gone.push(job);
    }
    for (const job of gone) {
      job.closed = true;
      this.#jobs.delete(job.key);
    }
    this.#order = [...this.#jobs.values()].filter((j) => j.decision === null).sort(byPriority);
    return gone;
  }

  /** Undecided jobs, highest fee first. */
  open(): readonly Job[] {
    return this.#order;
  }

  /** Puts a job whose decision was taken back among the undecided again. */
  reopen(job: Job): void {
    if (!this.#order.includes(job)) this.#order = [...this.#order, job].sort(byPriority);
  }

  /** Forgets a job (committed, rejected or cancelled). */
  remove(job: Job): void {
    job.closed = true;
    this.#jobs.delete(job.key);
    const at = this.#order.indexOf(job);
    if (at >= 0) this.#order.splice(at, 1);
  }
}

/** Higher fee first, then earlier arrival, then id: the mempool's own order. */
function byPriority(a: Job, b: Job): number {
  if (a.tx.fee !== b.tx.fee) return a.tx.fee > b.tx.fee ? -1 : 1;
  if (a.tx.receivedAt !== b.tx.receivedAt) return a.tx.receivedAt - b.tx.receivedAt;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
