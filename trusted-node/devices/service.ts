/**
 * The device side of a trusted node: what every connection's session asks of the node
 * (registry, units, durable results), and the parts behind it: the scheduler, consensus with
 * its audits, standing, rewards and variable difficulty, group commit, and the periodic sweep
 * (deadlines, timeouts, idle devices). The TCP listener is devices/server.ts.
 *
 * A result is acknowledged only after it, its verdicts and its share reward are durable in one
 * store transaction (group commit); its verdicts reach consensus after that.
 * @module
 */
import { readU32 } from '../../firmware/core/bytes.ts';
import { RESULT_COUNTER_AT } from '../../firmware/core/layout.ts';
import { reasonOf } from '../../firmware/core/reasons.ts';
import type { DeviceRecord, SessionEvent, StoreOutcome, Submission, UnitProgress } from '../../protocol/wire-session.ts';
import type { Tier } from '../../protocol/wire.ts';
import { equalBytes, fromHex } from '../bytes.ts';
import { Auditor } from '../consensus/audit.ts';
import { Consensus } from '../consensus/consensus.ts';
import { Standing } from '../consensus/standing.ts';
import type { Logger } from '../log.ts';
import type { Counter, CounterSeries, HistogramSeries } from '../metrics.ts';
import type { NodeParts } from '../node.ts';
import { RewardBook } from '../rewards/book.ts';
import { nextDifficulty, speedLevel } from '../rewards/rules.ts';
import { JobBoard } from '../scheduler/jobs.ts';
import { ProbeSet } from '../scheduler/probes.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { ProfileCatalog } from '../scheduler/sizing.ts';
import type { Unit } from '../scheduler/units.ts';
import type { NewReward, ResultOutcome, DeviceRecord as StoredDevice, VerdictRecord } from '../store/types.ts';
import type { Connection } from './connection.ts';
import { GroupCommit } from './group-commit.ts';
import { KeyedBuckets } from './limits.ts';
import type { ResolvedOptions } from './options.ts';
import type { ResultWriter } from './result-writer.ts';

/** What the node keeps in memory about a device it has seen since it started. */
export interface DeviceState {
  readonly id: string;
  readonly tier: Tier;
  readonly profile: string;
  /** The owner's account, where rewards go. */
  readonly account: Uint8Array;
  /** Share difficulty of its next unit (variable difficulty). */
  difficulty: number;
  /** Speed level measured from its last share (rewards/rules.ts). */
  level: number;
  connection: Connection | null;
}

/** The first entry whose reported verdict is not the expected one, or -1. */
function firstMismatch(expected: readonly number[], reported: Uint8Array): number {
  for (let i = 0; i < expected.length; i++) if (reported[i] !== expected[i]) return i;
  return -1;
}

/** See the module comment. */
export class DeviceService {
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly consensus: Consensus;
  readonly standing: Standing;
  readonly rewards: RewardBook;
  readonly #parts: NodeParts;
  readonly #board = new JobBoard();
  readonly #commit: GroupCommit;
  readonly #devices = new Map<string, DeviceState>();
  readonly #connections = new Set<Connection>();
  readonly #perAddress = new Map<string, number>();
  /** The store record each connection authenticated against, by connection. */
  readonly #found = new WeakMap<Connection, StoredDevice>();
  /** Units whose connection ended before their result, kept for the device until their deadline. */
  readonly #kept = new Map<string, UnitProgress>();
  readonly #addressLines: KeyedBuckets;
  readonly #deviceLines: KeyedBuckets;
  readonly #sigDevices = new Set<string>();
  readonly #wireErrors: Counter;
  readonly #disconnects: Counter;
  readonly #refused: Counter;
  /** `mm_device_results_total` by outcome, its series bound once (counted per result). */
  readonly #results: { readonly [outcome in ResultOutcome]: CounterSeries };
  readonly #unitsEnded: Counter;
  readonly #storeSeconds: HistogramSeries;

  constructor(parts: NodeParts, options: ResolvedOptions, writer: ResultWriter) {
    this.#parts = parts;
    this.options = options;
    this.logger = parts.logger;
    const { store, ledger, mempool, producer, lane, metrics, logger } = parts;
    const now = options.now;
    this.#commit = new GroupCommit(writer, lane, options.commit.maxBatch, metrics);
    this.standing = new Standing({ store, lane, rules: options.standing, metrics, logger, onSuspend: (id) => this.#suspended(id) });
    this.rewards = new RewardBook(store, lane, options.rewards, now, metrics, logger);
    this.scheduler = new Scheduler({
      ledger, mempool, board: this.#board, catalog: new ProfileCatalog(), probes: new ProbeSet(ledger), rules: options.scheduling,
      replicas: options.consensus.replicas, sigDevices: () => this.#sigDevices.size, now, metrics,
    });
    this.consensus = new Consensus({
      board: this.#board, auditor: new Auditor(ledger, options.consensus.auditRate, options.consensus.auditSeed), standing: this.standing,
      rewards: this.rewards, producer, mempool, lane, rules: options.consensus, metrics, logger,
      devices: { account: (id) => this.#devices.get(id)?.account, level: (id) => this.#devices.get(id)?.level ?? 0 },
    });
    // A block makes the next transaction of each sender it touched schedulable: look at once.
    producer.onCommitted(() => {
      this.scheduler.refresh();
      this.dispatch();
    });
    const { limits } = options;
    this.#addressLines = new KeyedBuckets(limits.linesPerSecondPerAddress, 2 * limits.linesPerSecondPerAddress, now);
    this.#deviceLines = new KeyedBuckets(limits.linesPerSecondPerDevice, 2 * limits.linesPerSecondPerDevice, now);
    metrics.gauge({ name: 'mm_device_connections', help: 'Device connections open', collect: (g) => g.set(this.#connections.size) });
    metrics.gauge({
      name: 'mm_devices_connected', help: 'Authenticated devices connected, by tier', labels: ['tier'],
      collect: (g) => {
        g.set(this.#sigDevices.size, { tier: 'sig' });
        g.set([...this.#devices.values()].filter((d) => d.connection !== null).length - this.#sigDevices.size, { tier: 'hash' });
      },
    });
    this.#wireErrors = metrics.counter({ name: 'mm_wire_errors_total', help: 'Protocol errors answered to devices, by wire error', labels: ['error'] });
    this.#disconnects = metrics.counter({ name: 'mm_device_disconnects_total', help: 'Device connections closed by the node, by reason', labels: ['reason'] });
    this.#refused = metrics.counter({ name: 'mm_device_connections_refused_total', help: 'Device connections turned away at accept, by limit', labels: ['reason'] });
    const results = metrics.counter({ name: 'mm_device_results_total', help: 'Device results by store outcome', labels: ['outcome'] });
    this.#results = {
      stored: results.series({ outcome: 'stored' }), duplicate: results.series({ outcome: 'duplicate' }),
      counter: results.series({ outcome: 'counter' }), unknown_device: results.series({ outcome: 'unknown_device' }),
    };
    this.#unitsEnded = metrics.counter({ name: 'mm_units_released_total', help: 'Units that came back without a result, by why', labels: ['why'] });
    this.#storeSeconds = metrics.histogram({
      name: 'mm_result_ack_seconds', help: 'From a verified submit to its durable ack',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1],
    }).series();
  }

  /** The device layer's clock. */
  now(): number {
    return this.options.now();
  }

  /** The in-memory state of a device seen since start. */
  device(id: string): DeviceState | undefined {
    return this.#devices.get(id);
  }

  /** Open connections. */
  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  // Connections.

  /** Whether a new connection from `address` may open; counts it when it may. */
  admit(address: string): 'ok' | 'over-total' | 'over-address' {
    if (this.#connections.size >= this.options.limits.maxConnections) return 'over-total';
    const open = this.#perAddress.get(address) ?? 0;
    if (open >= this.options.limits.maxConnectionsPerAddress) return 'over-address';
    this.#perAddress.set(address, open + 1);
    return 'ok';
  }

  /** Starts serving an admitted connection. */
  opened(connection: Connection): void {
    this.#connections.add(connection);
  }

  /** Counts `lines` against the address and device limits; the reason to close, or null. */
  admitLines(connection: Connection, lines: number): 'address-flood' | 'device-flood' | null {
    if (!this.#addressLines.take(connection.address, lines)) return 'address-flood';
    const deviceId = connection.deviceId;
    if (deviceId !== null && !this.#deviceLines.take(deviceId, lines)) return 'device-flood';
    return null;
  }

  /**
   * A line that moved the device's unit forward goes back to the address and device limits, as
   * it does to the session's (protocol/wire-session.ts): those limits are for what an honest
   * device does not do, and its pulls and results are bounded by the units the node hands out.
   */
  #returnLine(connection: Connection): void {
    this.#addressLines.give(connection.address);
    const deviceId = connection.deviceId;
    if (deviceId !== null) this.#deviceLines.give(deviceId);
  }

  /** The node closed a connection. */
  disconnected(reason: string): void {
    this.#disconnects.inc({ reason });
  }

  /** The node turned a new connection away. */
  refused(reason: 'over-total' | 'over-address' | 'connect-rate'): void {
    this.#refused.inc({ reason });
  }

  /** A socket is gone. */
  forget(connection: Connection): void {
    if (!this.#connections.delete(connection)) return;
    const open = (this.#perAddress.get(connection.address) ?? 1) - 1;
    if (open <= 0) this.#perAddress.delete(connection.address);
    else this.#perAddress.set(connection.address, open);
    const id = connection.session.deviceId;
    const state = id === null ? undefined : this.#devices.get(id);
    if (state !== undefined && state.connection === connection) {
      state.connection = null;
      this.#sigDevices.delete(state.id);
    }
  }

  // What sessions ask.

  async findDevice(connection: Connection, deviceId: string): Promise<DeviceRecord | null> {
    const record = await this.#parts.store.device(deviceId);
    if (record === undefined || record.suspended || this.standing.isSuspended(deviceId)) return null;
    this.#found.set(connection, record);
    const kept = this.#kept.get(deviceId);
    return { key: record.key, tier: record.tier, profile: record.profile, lastCounter: record.lastCounter, openUnit: kept ?? null };
  }

  nextUnit(deviceId: string): Uint8Array | null {
    const state = this.#devices.get(deviceId);
    if (state === undefined || state.connection === null || this.standing.isSuspended(deviceId)) return null;
    return this.scheduler.build(state)?.header ?? null;
  }

  entry(unitId: number, index: number): Uint8Array {
    const entry = this.scheduler.unit(unitId)?.entries[index];
    if (entry === undefined) throw new RangeError(`unit ${unitId} has no entry ${index} (no longer out)`);
    return entry;
  }

  async storeResult(connection: Connection, submission: Submission): Promise<StoreOutcome> {
    const started = this.now();
    const unit = this.scheduler.unit(submission.unitId);
    const state = this.#devices.get(submission.deviceId);
    if (unit === undefined || state === undefined || unit.deviceId !== submission.deviceId) {
      throw new RangeError(`unit ${submission.unitId} is not out to device ${submission.deviceId}`);
    }
    const duration = started - unit.assignedAt;
    const level = speedLevel(unit.difficulty, duration);
    const probeMiss = unit.kind === 'probe' ? firstMismatch(unit.expected, submission.verdicts) : -1;
    const granted = unit.voided || probeMiss >= 0 ? null : this.rewards.share(state.id, state.account, unit.id, level);
    const reward = granted instanceof Promise ? await granted : granted;
    const verdicts: VerdictRecord[] = [];
    for (let entryIndex = 0; entryIndex < submission.verdicts.length; entryIndex++) {
      verdicts.push({ entryIndex, txId: unit.txIds[entryIndex]!, code: submission.verdicts[entryIndex]! });
    }
    const outcome = await this.#commit.write({
      deviceId: submission.deviceId, counter: submission.counter, unitId: unit.id, result: submission.result, share: true, receivedAt: started,
      verdicts, rewards: reward === null ? [] : [reward],
    });
    this.#results[outcome].inc();
    if (outcome !== 'stored') {
      if (reward !== null) await this.rewards.refund(reward);
      if (outcome === 'unknown_device') throw new RangeError(`device ${submission.deviceId} is no longer registered`);
      return { stored: false, why: outcome === 'duplicate' ? 'duplicate' : 'replayed' };
    }
    this.#storeSeconds.observe((this.now() - started) / 1000);
    this.#settle(connection, state, unit, submission, { duration, level, reward, probeMiss });
    return { stored: true, accepted: reward !== null, credited: reward?.amount ?? null };
  }

  /** What follows a durable result: speed, difficulty, and the verdicts to consensus or the probe check. */
  #settle(connection: Connection, state: DeviceState, unit: Unit, submission: Submission, measured: { duration: number; level: number; reward: NewReward | null; probeMiss: number }): void {
    this.scheduler.forget(unit);
    if (measured.reward !== null) this.rewards.stored(measured.reward);
    state.level = measured.level;
    const difficulty = nextDifficulty(unit.difficulty, measured.duration, this.options.rewards);
    if (difficulty !== state.difficulty) {
      state.difficulty = difficulty;
      connection.session.setDifficulty(difficulty);
    }
    if (unit.kind === 'consensus') return this.consensus.verdicts(unit, submission.verdicts);
    if (measured.probeMiss >= 0) {
      const i = measured.probeMiss;
      const said = reasonOf(submission.verdicts[i]!) ?? String(submission.verdicts[i]);
      void this.standing.wrong(state.id, unit, 'probe', `probe entry ${i}: said ${said}, the answer is ${reasonOf(unit.expected[i]!)}`);
    }
  }

  async wasStored(deviceId: string, result: Uint8Array): Promise<boolean> {
    const stored = await this.#parts.store.result(deviceId, readU32(result, RESULT_COUNTER_AT));
    return stored !== undefined && equalBytes(stored.result, result);
  }

  report(connection: Connection, event: SessionEvent): void {
    switch (event.type) {
      case 'error':
        this.#wireErrors.inc({ error: event.error });
        // 20 is the node's own failure (storage, a unit gone): the operator must hear of it.
        if (event.error === 'other') this.logger.error('device_request_failed', { deviceId: connection.session.deviceId, message: event.message });
        return;
      case 'authenticated':
        return this.#authenticated(connection, event.deviceId);
      case 'advanced':
        return this.#returnLine(connection);
      case 'unit-dropped': {
        const unit = this.scheduler.unit(event.unitId);
        if (unit !== undefined) this.#release(unit, event.why);
        return;
      }
      case 'unit-suspended':
        this.#kept.set(event.deviceId, event.unit);
        return;
      default:
        return;
    }
  }

  #authenticated(connection: Connection, deviceId: string): void {
    const record = this.#found.get(connection)!;
    let state = this.#devices.get(deviceId);
    if (state === undefined) {
      state = {
        id: deviceId, tier: record.tier, profile: record.profile, account: fromHex(record.owner),
        difficulty: this.options.rewards.initialDifficulty, level: 0, connection: null,
      };
      this.#devices.set(deviceId, state);
    }
    // One connection per device: the newer one wins (its predecessor is probably dead).
    const previous = state.connection;
    state.connection = connection;
    if (previous !== null && previous !== connection) previous.shut('replaced');
    if (state.tier === 'sig') this.#sigDevices.add(deviceId);
    this.standing.know(deviceId, record.reputation);
    const kept = this.#kept.get(deviceId);
    if (kept !== undefined) {
      this.#kept.delete(deviceId);
      // Resumed by the session, or past its deadline: then it goes back to the pool.
      const unit = this.scheduler.unit(kept.unitId);
      if (connection.session.unitId !== kept.unitId && unit !== undefined) this.#release(unit, 'expired');
    }
  }

  #release(unit: Unit, why: string): void {
    this.#unitsEnded.inc({ why });
    this.scheduler.forget(unit);
    if (unit.kind === 'consensus') this.consensus.released(unit);
  }

  #suspended(deviceId: string): void {
    this.#devices.get(deviceId)?.connection?.shut('suspended');
    this.#sigDevices.delete(deviceId);
    this.consensus.forget(deviceId);
  }

  // Timers.

  /**
   * Closes connections past their handshake or idle time, expires units of silent devices and
   * kept units past their deadline (freeing their jobs), refreshes the jobs from the mempool,
   * and offers work to idle devices. The server calls it every `sweepIntervalMs`.
   */
  sweep(): void {
    const now = this.now();
    const { handshakeTimeoutMs, idleTimeoutMs } = this.options.limits;
    for (const connection of this.#connections) {
      if (connection.closedFor !== null) continue;
      if (connection.session.phase !== 'ready' && now - connection.openedAt > handshakeTimeoutMs) connection.shut('handshake-timeout');
      else if (now - connection.lastLineAt > idleTimeoutMs) connection.shut('idle-timeout');
      else connection.session.checkDeadline();
    }
    for (const [deviceId, kept] of this.#kept) {
      if (now <= kept.expiresAt) continue;
      this.#kept.delete(deviceId);
      const unit = this.scheduler.unit(kept.unitId);
      if (unit !== undefined) this.#release(unit, 'expired');
    }
    this.#addressLines.prune();
    this.#deviceLines.prune();
    for (const job of this.scheduler.refresh()) this.logger.debug('job_cancelled', { id: job.key });
    this.dispatch();
  }

  /** Hands a unit to every authenticated device that has none, while there is work. */
  dispatch(): void {
    for (const connection of this.#connections) {
      const deviceId = connection.deviceId;
      if (deviceId === null || connection.closedFor !== null || !connection.session.awaitsWork) continue;
      const header = this.nextUnit(deviceId);
      if (header !== null) connection.session.assign(header);
    }
  }

  /** Closes every connection and waits for results and rewards in flight to be written. */
  async close(): Promise<void> {
    for (const connection of this.#connections) connection.shut('shutdown');
    await this.#commit.close();
    await this.rewards.idle();
  }
}
