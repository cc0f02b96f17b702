/**
 * The scheduler: builds each device's next unit when it asks for work. A unit holds jobs the
 * device has not seen yet, at most one per sender, sorted by sender, each entry carrying the
 * sender's state proof against the current state root, up to the size its profile allows
 * (scheduler/sizing.ts). All entries of a unit share one tier:
 *
 * - a job's tier is fixed by its first device: `sig` from a sig-tier device; `hash` from a
 *   hash-tier device, which may start a job only while fewer sig-tier devices than `replicas`
 *   are connected (then the node verifies signatures itself before accepting);
 * - sig-tier devices may also finish hash-tier jobs (in a unit without signature checks).
 *
 * When no job wants the device and probes are on, it gets a probe unit (scheduler/probes.ts).
 * A unit that comes back without a result (refused, expired, device gone) frees its jobs for
 * other devices: that is the reassignment of a slow, silent or vanished device.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Tier } from '../../protocol/wire.ts';
import { encodeEntry } from '../../protocol/unit.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Mempool } from '../mempool.ts';
import type { CounterSeries, MetricsRegistry } from '../metrics.ts';
import type { Job, JobBoard } from './jobs.ts';
import type { ProbeSet } from './probes.ts';
import { planUnit, type ProfileCatalog, type SizingLimits } from './sizing.ts';
import { bySender, stateIsSettled, UnitHeaders, type Unit } from './units.ts';

/** Scheduling options. */
export interface SchedulingRules extends SizingLimits {
  /** Give idle devices probe units (known answers) when no transaction needs them. */
  readonly probes: boolean;
}

/**
 * Defaults: units as large as the profile allows, deadlines of at least 10 s with 500 ms per
 * round trip and 10 s per unit for a jittery network (docs/node.md, Scheduling), no probes.
 */
export const DEFAULT_SCHEDULING_RULES: SchedulingRules = { maxEntries: 0xffff, minDeadlineMs: 10_000, jitterMs: 500, networkSlackMs: 10_000, probes: false };

/** What the scheduler needs to know of the device asking. */
export interface Worker {
  readonly id: string;
  readonly tier: Tier;
  readonly profile: string;
  readonly difficulty: number;
}

/** What the scheduler works with. */
export interface SchedulerDeps {
  readonly ledger: Ledger;
  readonly mempool: Mempool;
  readonly board: JobBoard;
  readonly catalog: ProfileCatalog;
  readonly probes: ProbeSet;
  readonly rules: SchedulingRules;
  /** Devices each job goes to (consensus `replicas`). */
  readonly replicas: number;
  /** How many sig-tier devices are connected now. */
  readonly sigDevices: () => number;
  readonly now: () => number;
  readonly metrics: MetricsRegistry;
}

/** See the module comment. */
export class Scheduler {
  readonly #deps: SchedulerDeps;
  readonly #units = new Map<number, Unit>();
  readonly #headers: UnitHeaders;
  #nextId: number;
  /** `mm_units_assigned_total` by kind, bound once (counted per unit). */
  readonly #assigned: { readonly [kind in Unit['kind']]: CounterSeries };

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
    this.#headers = new UnitHeaders(deps.ledger);
    // Unit ids start at random so that a restarted node does not reuse the ids of units a
    // device may still resend results for.
    this.#nextId = randomBytes(4).readUInt32LE(0);
    const assigned = deps.metrics.counter({ name: 'mm_units_assigned_total', help: 'Work units handed to devices, by kind', labels: ['kind'] });
    this.#assigned = { consensus: assigned.series({ kind: 'consensus' }), probe: assigned.series({ kind: 'probe' }) };
    deps.metrics.gauge({ name: 'mm_units_open', help: 'Work units handed out and not yet finished', collect: (g) => g.set(this.#units.size) });
  }

  /** Brings the jobs up to date with the mempool; returns the jobs it cancelled (their transaction left the mempool). */
  refresh(): Job[] {
    return this.#deps.board.refresh(this.#deps.mempool, this.#deps.ledger);
  }

  /** The unit with this id, while it is out. */
  unit(id: number): Unit | undefined {
    return this.#units.get(id);
  }

  /** Forgets a unit (its result is stored, or it came back without one). */
  forget(unit: Unit): void {
    if (this.#units.get(unit.id) === unit) this.#units.delete(unit.id);
  }

  /** Builds the next unit for `worker`, or null when there is nothing for it now. */
  build(worker: Worker): Unit | null {
    const { ledger } = this.#deps;
    // Between a block's state change and its durable commit no proof is handed out.
    if (!stateIsSettled(ledger)) return null;
    const picked = this.#pick(worker);
    if (picked !== null) return this.#consensusUnit(worker, picked.jobs, picked.signatures, picked.deadlineMs);
    return this.#deps.rules.probes ? this.#probeUnit(worker) : null;
  }

  /** Jobs for one unit: same tier, distinct senders, new to the worker, highest fee first. */
  #pick(worker: Worker): { jobs: Job[]; signatures: boolean; deadlineMs: number } | null {
    const { board, ledger, replicas, sigDevices } = this.#deps;
    const open = board.open();
    // Most requests for work find none open (probe units then): nothing to gather.
    if (open.length === 0) return null;
    const jobs: Job[] = [];
    const senders = new Set<string>();
    let mode: Tier | null = null;
    let limit = 1;
    for (const job of open) {
      if (jobs.length >= limit) break;
      if (job.wanted(replicas) === 0 || job.asked.has(worker.id) || senders.has(job.tx.senderKey)) continue;
      const tier = job.tier ?? (worker.tier === 'sig' ? 'sig' : sigDevices() >= replicas ? null : 'hash');
      if (tier === null || (tier === 'sig' && worker.tier !== 'sig') || (mode !== null && tier !== mode)) continue;
      if (ledger.account(job.tx.sender) === undefined) continue;
      if (mode === null) {
        mode = tier;
        limit = this.#plan(worker, tier === 'sig').entries;
      }
      jobs.push(job);
      senders.add(job.tx.senderKey);
    }
    if (jobs.length === 0) return null;
    return { jobs, signatures: mode === 'sig', deadlineMs: this.#plan(worker, mode === 'sig', jobs.length).deadlineMs };
  }

  /** The unit `worker` can take (with `available`: the deadline for that many entries). */
  #plan(worker: Worker, signatures: boolean, available?: number): { entries: number; deadlineMs: number } {
    const { profile, budget } = this.#deps.catalog.get(worker.profile);
    return planUnit(profile, budget, signatures, worker.difficulty, this.#deps.rules, available);
  }

  #consensusUnit(worker: Worker, jobs: Job[], signatures: boolean, deadlineMs: number): Unit {
    const { ledger } = this.#deps;
    const planned = jobs.map((job) => ({ job, entry: encodeEntry(job.tx.tx, ledger.proof(job.tx.sender)!) })).sort(bySender);
    const unit = this.#register(worker, 'consensus', signatures, deadlineMs, {
      entries: planned.map((p) => p.entry),
      txIds: planned.map((p) => p.job.tx.id),
      jobs: planned.map((p) => p.job),
      expected: [],
    });
    for (const job of unit.jobs) {
      job.tier ??= signatures ? 'sig' : 'hash';
      job.inflight.set(worker.id, unit);
      job.asked.add(worker.id);
    }
    return unit;
  }

  #probeUnit(worker: Worker): Unit | null {
    const probes = this.#deps.probes.take(this.#plan(worker, false).entries);
    if (probes.length === 0) return null;
    return this.#register(worker, 'probe', false, this.#plan(worker, false, probes.length).deadlineMs, {
      entries: probes.map((p) => p.entry),
      txIds: probes.map((p) => p.txId),
      jobs: [],
      expected: probes.map((p) => p.code),
    });
  }

  #register(worker: Worker, kind: Unit['kind'], signatures: boolean, deadlineMs: number, body: Pick<Unit, 'entries' | 'txIds' | 'jobs' | 'expected'>): Unit {
    while (this.#units.has(this.#nextId)) this.#nextId = (this.#nextId + 1) >>> 0;
    const id = this.#nextId;
    this.#nextId = (id + 1) >>> 0;
    const header = this.#headers.header({ unitId: id, signatures, difficulty: worker.difficulty, deadlineMs }, body.entries.length);
    const unit: Unit = { id, kind, deviceId: worker.id, header, signatures, difficulty: worker.difficulty, assignedAt: this.#deps.now(), voided: false, ...body };
    this.#units.set(id, unit);
    this.#assigned[kind].inc();
    return unit;
  }
}
