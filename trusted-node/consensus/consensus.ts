/**
 * Quorum consensus over device verdicts. Each transaction (a job) goes to `replicas` distinct
 * devices of one tier; once their verdicts are durable:
 *
 * - verdicts that **disagree** are all audited (the node re-runs the core's validator on each
 *   device's own entry and header); the ones proven wrong are penalized and no longer count;
 * - once `quorum` verdicts **agree**, a random sample of jobs (default 5%) is audited all the same;
 * - an agreed **accept** is decided accepted (for a hash-tier job only after the node verified the
 *   signature itself: those devices were not asked to) and waits for the next block, where the
 *   ledger applies its own rules once more: invalid transactions never enter, whatever devices
 *   say, and a refusal there audits the devices that accepted;
 * - an agreed **rejection** is confirmed by the node against the current state before the
 *   transaction is dropped, so devices can delay a transaction but never censor it. If the node
 *   finds it valid and every verdict was right for the state its unit was built on (the state
 *   moved since), the job starts over.
 *
 * Every verdict not proven wrong when the job is decided earns a verdict reward; verdicts that
 * arrive after the decision are compared with it (and audited when they differ).
 * @module
 */
import { TX_SIZE } from '../../firmware/core/layout.ts';
import { reasonCode, reasonOf } from '../../firmware/core/reasons.ts';
import { toHex } from '../bytes.ts';
import type { BlockCandidate, CommittedBlock } from '../ledger/ledger.ts';
import { txId } from '../../protocol/tx.ts';
import type { Logger } from '../log.ts';
import type { Mempool } from '../mempool.ts';
import type { Counter, MetricsRegistry } from '../metrics.ts';
import type { BlockProducer } from '../producer.ts';
import type { RewardBook } from '../rewards/book.ts';
import type { SerialLane } from '../serial.ts';
import type { Job, JobBoard, JobVerdict } from '../scheduler/jobs.ts';
import type { Unit } from '../scheduler/units.ts';
import type { Auditor } from './audit.ts';
import type { AuditTrigger, Standing } from './standing.ts';

const ACCEPT = reasonCode('accept');
const BAD_SIGNATURE = reasonCode('bad-signature');

/** How many devices and how many must agree. */
export interface ConsensusRules {
  /** Devices each transaction goes to (k). */
  readonly replicas: number;
  /** Agreeing verdicts that decide (q). */
  readonly quorum: number;
  /** Accepted transactions that make a block at once, without waiting for the block interval. */
  readonly blockTransactions: number;
}

/** Defaults of the issue: k = 3, q = 2. */
export const DEFAULT_CONSENSUS_RULES: ConsensusRules = { replicas: 3, quorum: 2, blockTransactions: 500 };

/** What consensus needs to know of a device to pay it. */
export interface DeviceFacts {
  /** The account its rewards go to. */
  account(deviceId: string): Uint8Array | undefined;
  /** Its current speed level (rewards/rules.ts). */
  level(deviceId: string): number;
}

/** What {@link Consensus} works with. */
export interface ConsensusDeps {
  readonly board: JobBoard;
  readonly auditor: Auditor;
  readonly standing: Standing;
  readonly rewards: RewardBook;
  readonly producer: BlockProducer;
  readonly mempool: Mempool;
  readonly lane: SerialLane;
  readonly devices: DeviceFacts;
  readonly rules: ConsensusRules;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
}

/** See the module comment. */
export class Consensus {
  readonly #deps: ConsensusDeps;
  /** Jobs decided accepted, in decision order, until a block includes or refuses them. */
  #accepted: Job[] = [];
  readonly #decisions: Counter;

  constructor(deps: ConsensusDeps) {
    this.#deps = deps;
    this.#decisions = deps.metrics.counter({ name: 'mm_consensus_decisions_total', help: 'Transactions decided by device quorum and audit, by outcome', labels: ['outcome'] });
    deps.metrics.gauge({ name: 'mm_consensus_accepted_waiting', help: 'Transactions accepted by consensus, waiting for a block', collect: (g) => g.set(this.#accepted.length) });
    deps.metrics.gauge({ name: 'mm_consensus_jobs', help: 'Transactions under validation or waiting for a block', collect: (g) => g.set(deps.board.size) });
    deps.producer.useTransactions((max) => this.#accepted.slice(0, max).map((job) => job.tx.tx));
    deps.producer.onCommitted((committed, candidate) => this.#committed(committed, candidate));
  }

  /** Accepted transactions waiting for a block. */
  get accepted(): readonly Job[] {
    return this.#accepted;
  }

  /** Takes the durable verdicts of a consensus unit's result. */
  verdicts(unit: Unit, codes: Uint8Array): void {
    unit.jobs.forEach((job, index) => {
      if (job.inflight.get(unit.deviceId) === unit) job.inflight.delete(unit.deviceId);
      const verdict: JobVerdict = { deviceId: unit.deviceId, code: codes[index]!, unit, index };
      if (job.decision !== null) this.#late(job, verdict);
      else if (job.closed) return; // cancelled: its transaction left the mempool undecided
      else {
        job.verdicts.set(unit.deviceId, verdict);
        this.#evaluate(job);
      }
    });
  }

  /** A unit ended without a result (refused, expired, its device gone): its jobs want other devices. */
  released(unit: Unit): void {
    for (const job of unit.jobs) if (job.inflight.get(unit.deviceId) === unit) job.inflight.delete(unit.deviceId);
  }

  /** A suspended device's verdicts on undecided jobs stop counting. */
  forget(deviceId: string): void {
    for (const job of [...this.#deps.board.open()]) {
      job.inflight.delete(deviceId);
      if (job.verdicts.delete(deviceId)) this.#evaluate(job);
    }
  }

  #evaluate(job: Job): void {
    const { auditor, rules } = this.#deps;
    for (;;) {
      const verdicts = [...job.verdicts.values()];
      if (verdicts.length === 0) return;
      if (disagree(verdicts)) {
        this.#audit(job, verdicts, 'disagreement');
        if (this.#rejectIfInvalid(job)) return;
        // Verdicts still differing were each right for the state its unit was built on: the state moved.
        if (disagree([...job.verdicts.values()])) return this.#restart(job);
        continue;
      }
      if (verdicts.length < rules.quorum) return;
      const agreed = verdicts[0]!.code;
      if (!job.sampled) {
        job.sampled = true;
        if (auditor.sample() && this.#audit(job, verdicts, 'sample') > 0) continue;
      }
      if (agreed === ACCEPT) {
        // Hash-tier devices were not asked to check the signature: the node does, before accepting.
        if (job.tier === 'hash' && !auditor.signature(job.tx)) return this.#decide(job, 'reject', BAD_SIGNATURE, verdicts);
        return this.#decide(job, 'accept', ACCEPT, verdicts);
      }
      if (this.#rejectIfInvalid(job)) return;
      if (this.#audit(job, verdicts, 'rejection') > 0) continue;
      return this.#restart(job);
    }
  }

  /** Rejects the job when the node's own check finds the transaction invalid now; true when it did. */
  #rejectIfInvalid(job: Job): boolean {
    const now = this.#deps.auditor.now(job.tx);
    if (now === ACCEPT) return false;
    this.#decide(job, 'reject', now, [...job.verdicts.values()]);
    return true;
  }

  /** Audits verdicts in their own context; penalizes and drops the wrong ones; returns how many. */
  #audit(job: Job, verdicts: readonly JobVerdict[], trigger: AuditTrigger): number {
    let wrong = 0;
    for (const v of verdicts) {
      const truth = this.#deps.auditor.inContext(v.unit, v.index);
      if (truth === v.code) {
        this.#deps.standing.confirmed(v.deviceId, trigger);
        continue;
      }
      wrong++;
      job.verdicts.delete(v.deviceId);
      void this.#deps.standing.wrong(v.deviceId, v.unit, trigger, `transaction ${job.key}: said ${nameOf(v.code)}, the node finds ${nameOf(truth)}`);
    }
    return wrong;
  }

  /** Settles the verdicts so far as correct and asks again (the state moved between units). */
  #restart(job: Job): void {
    this.#pay([...job.verdicts.values()]);
    job.verdicts.clear();
    job.asked.clear();
    for (const deviceId of job.inflight.keys()) job.asked.add(deviceId);
    job.sampled = false;
  }

  #decide(job: Job, outcome: 'accept' | 'reject', code: number, verdicts: readonly JobVerdict[]): void {
    const { board, mempool, lane, producer, rules, logger } = this.#deps;
    job.decision = { outcome, code, agreed: verdicts[0]?.code ?? code };
    this.#decisions.inc({ outcome });
    this.#pay(verdicts);
    logger.debug('tx_decided', { id: job.key, outcome, reason: nameOf(code), devices: verdicts.map((v) => v.deviceId) });
    if (outcome === 'accept') {
      this.#accepted.push(job);
      if (this.#accepted.length >= rules.blockTransactions) void producer.produce().catch((error: unknown) => logger.error('block_failed', { error }));
      return;
    }
    board.remove(job);
    // The rejected transaction is its sender's first pending one: the later ones can never execute either.
    void lane
      .run(() => mempool.drop(mempool.get(job.key) === undefined ? [] : [...mempool.pendingOf(job.tx.senderKey)]))
      .catch((error: unknown) => logger.error('tx_not_dropped', { id: job.key, error }));
  }

  /**
   * A verdict on a decided job: paid when it matches what the devices agreed, audited when not.
   * A late verdict proven right contradicts the decision: the deciding verdicts are audited
   * too, and an acceptance that is not in a block yet is taken back and decided again.
   */
  #late(job: Job, verdict: JobVerdict): void {
    const decision = job.decision!;
    if (verdict.code === decision.agreed) return this.#pay([verdict]);
    if (this.#audit(job, [verdict], 'late') > 0) return;
    const wrong = this.#audit(job, [...job.verdicts.values()], 'late');
    job.verdicts.set(verdict.deviceId, verdict);
    if (wrong === 0 || decision.outcome !== 'accept' || !this.#accepted.includes(job)) return this.#pay([verdict]);
    this.#accepted = this.#accepted.filter((j) => j !== job);
    job.decision = null;
    this.#deps.board.reopen(job);
    if (!this.#rejectIfInvalid(job)) this.#evaluate(job);
  }

  #pay(verdicts: readonly JobVerdict[]): void {
    const { rewards, devices, logger } = this.#deps;
    for (const v of verdicts) {
      const account = devices.account(v.deviceId);
      if (account === undefined) continue;
      rewards.verdict({ deviceId: v.deviceId, account, level: devices.level(v.deviceId), unit: v.unit }).catch((error: unknown) =>
        logger.error('reward_not_credited', { deviceId: v.deviceId, error }),
      );
    }
  }

  /** After a block: included jobs are done; accepted ones the ledger refused audit their devices. */
  #committed(committed: CommittedBlock, candidate: BlockCandidate): void {
    const { board } = this.#deps;
    for (const tx of committed.included) {
      const job = board.get(tx.key);
      if (job !== undefined) board.remove(job);
    }
    for (const { index, refusal } of committed.refused) {
      const bytes = candidate.transactions[index]!;
      const job = bytes.length === TX_SIZE ? board.get(toHex(txId(bytes))) : undefined;
      if (job === undefined) continue;
      this.#deps.logger.info('tx_refused_by_ledger', { id: job.key, reason: refusal.reason });
      this.#audit(job, [...job.verdicts.values()], 'ledger');
      board.remove(job);
    }
    this.#accepted = this.#accepted.filter((job) => !job.closed);
  }
}

function disagree(verdicts: readonly JobVerdict[]): boolean {
  return verdicts.some((v) => v.code !== verdicts[0]!.code);
}

function nameOf(code: number): string {
  return reasonOf(code) ?? `code ${code}`;
}
