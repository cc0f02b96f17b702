/**
 * Options of the device server, in groups, each with defaults. Unknown names are refused by
 * name, and every value is checked, so a typo in a configuration fails at start instead of
 * silently running the default.
 * @module
 */
import { wholeMsClock } from '../clock.ts';
import { SESSION_DEFAULTS, type SessionOptions } from '../../protocol/wire-session.ts';
import { DEFAULT_CONSENSUS_RULES, type ConsensusRules } from '../consensus/consensus.ts';
import { DEFAULT_STANDING_RULES, type StandingRules } from '../consensus/standing.ts';
import { checkRewardRules, DEFAULT_REWARD_RULES, type RewardRules } from '../rewards/rules.ts';
import { DEFAULT_SCHEDULING_RULES, type SchedulingRules } from '../scheduler/scheduler.ts';

/** Connection limits and timeouts. */
export interface LimitRules {
  /** Device connections open at once, in total. */
  readonly maxConnections: number;
  /** Device connections open at once from one IP address. */
  readonly maxConnectionsPerAddress: number;
  /** New connections per second from one address (burst: twice that). */
  readonly connectsPerSecondPerAddress: number;
  /** Lines per second from one address, all its connections together (burst: twice that). */
  readonly linesPerSecondPerAddress: number;
  /** Lines per second from one device, across its connections (burst: twice that). */
  readonly linesPerSecondPerDevice: number;
  /** A connection must authenticate within this time (ms). */
  readonly handshakeTimeoutMs: number;
  /** A connection that sends no complete line for this long is closed (ms): slow-loris and dead peers. */
  readonly idleTimeoutMs: number;
  /** Bytes the node may have queued for a device that does not read; past it the connection is closed. */
  readonly maxQueuedBytes: number;
  /** How often deadlines, timeouts and idle devices are checked (ms). */
  readonly sweepIntervalMs: number;
}

/** Defaults: generous for a fleet behind one router, tight for a single misbehaving peer. */
export const DEFAULT_LIMIT_RULES: LimitRules = {
  maxConnections: 10_000,
  maxConnectionsPerAddress: 256,
  connectsPerSecondPerAddress: 20,
  linesPerSecondPerAddress: 4_000,
  linesPerSecondPerDevice: 40,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 180_000,
  maxQueuedBytes: 256 * 1024,
  sweepIntervalMs: 250,
};

/** Group commit of device results. */
export interface CommitRules {
  /** Most results in one store transaction. */
  readonly maxBatch: number;
  /** Write results on a thread of their own (devices/result-writer.ts) rather than the main thread. */
  readonly thread: boolean;
}

export const DEFAULT_COMMIT_RULES: CommitRules = { maxBatch: 2_048, thread: true };

/** Everything the device server can be told. */
export interface DeviceServerOptions {
  readonly consensus?: Partial<ConsensusRules> & {
    /** Share of agreeing verdicts audited (0 to 1, default 0.05). */
    readonly auditRate?: number;
    /** Seed of the audit sample (u32; default random). */
    readonly auditSeed?: number;
  };
  readonly standing?: Partial<StandingRules>;
  readonly scheduling?: Partial<SchedulingRules>;
  readonly rewards?: Partial<RewardRules>;
  readonly limits?: Partial<LimitRules>;
  readonly commit?: Partial<CommitRules>;
  /** Options of each connection's protocol state machine (strikes, rate limit, deadline grace). */
  readonly session?: SessionOptions;
  /** Clock (ms since the epoch) for deadlines, rate limits, share times and reward hours; default Date.now. Fractions are dropped (trusted-node/clock.ts). */
  readonly now?: () => number;
}

/** The options with every default filled in. */
export interface ResolvedOptions {
  readonly consensus: ConsensusRules & { readonly auditRate: number; readonly auditSeed: number };
  readonly standing: StandingRules;
  readonly scheduling: SchedulingRules;
  readonly rewards: RewardRules;
  readonly limits: LimitRules;
  readonly commit: CommitRules;
  readonly session: Required<SessionOptions>;
  readonly now: () => number;
}

const GROUPS = ['consensus', 'standing', 'scheduling', 'rewards', 'limits', 'commit', 'session', 'now'] as const;

/** Fills in defaults and checks every value; throws TypeError/RangeError naming the option. */
export function resolveOptions(options: DeviceServerOptions = {}, randomSeed: () => number = () => (Math.random() * 2 ** 32) >>> 0): ResolvedOptions {
  known('', options, GROUPS);
  const consensus = merged('consensus', { ...DEFAULT_CONSENSUS_RULES, auditRate: 0.05, auditSeed: -1 }, options.consensus);
  const seed = consensus.auditSeed === -1 ? randomSeed() : consensus.auditSeed;
  positive('consensus.replicas', consensus.replicas);
  positive('consensus.quorum', consensus.quorum);
  if (consensus.quorum > consensus.replicas) throw new RangeError(`"consensus.quorum" ${consensus.quorum} is above "consensus.replicas" ${consensus.replicas}`);
  positive('consensus.blockTransactions', consensus.blockTransactions);
  if (!(typeof consensus.auditRate === 'number' && consensus.auditRate >= 0 && consensus.auditRate <= 1)) {
    throw new RangeError(`"consensus.auditRate" expected a number from 0 to 1, got ${consensus.auditRate}`);
  }
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) throw new RangeError(`"consensus.auditSeed" expected u32, got ${seed}`);

  const standing = merged('standing', DEFAULT_STANDING_RULES, options.standing);
  positive('standing.penalty', standing.penalty);
  integer('standing.suspendBelow', standing.suspendBelow);
  integer('standing.maxReputation', standing.maxReputation);

  const scheduling = merged('scheduling', DEFAULT_SCHEDULING_RULES, options.scheduling);
  positive('scheduling.maxEntries', scheduling.maxEntries);
  positive('scheduling.minDeadlineMs', scheduling.minDeadlineMs);
  nonNegative('scheduling.jitterMs', scheduling.jitterMs);
  nonNegative('scheduling.networkSlackMs', scheduling.networkSlackMs);
  if (typeof scheduling.probes !== 'boolean') throw new TypeError(`"scheduling.probes" expected a boolean, got ${typeof scheduling.probes}`);

  const rewards = checkRewardRules(merged('rewards', DEFAULT_REWARD_RULES, options.rewards));
  const limits = merged('limits', DEFAULT_LIMIT_RULES, options.limits);
  for (const [name, value] of Object.entries(limits)) positive(`limits.${name}`, value);
  const commit = merged('commit', DEFAULT_COMMIT_RULES, options.commit);
  positive('commit.maxBatch', commit.maxBatch);
  if (typeof commit.thread !== 'boolean') throw new TypeError(`"commit.thread" expected a boolean, got ${typeof commit.thread}`);
  const session = merged('session', SESSION_DEFAULTS, options.session);
  for (const [name, value] of Object.entries(session)) positive(`session.${name}`, value);
  const clock = options.now ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError(`"now" expected a function, got ${typeof clock}`);
  return { consensus: { ...consensus, auditSeed: seed }, standing, scheduling, rewards, limits, commit, session, now: wholeMsClock(clock) };
}

function known(group: string, value: object, names: readonly string[]): void {
  for (const name of Object.keys(value)) {
    if (!names.includes(name)) throw new TypeError(`unknown device server option "${group ? `${group}.` : ''}${name}" (known: ${names.join(', ')})`);
  }
}

function merged<T extends object>(group: string, defaults: T, given: Partial<T> | undefined): T {
  if (given === undefined) return { ...defaults };
  if (typeof given !== 'object' || given === null) throw new TypeError(`"${group}" expected an object, got ${given === null ? 'null' : typeof given}`);
  known(group, given, Object.keys(defaults));
  return { ...defaults, ...given };
}

function integer(name: string, value: unknown): void {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected an integer, got ${typeof value}`);
  if (!Number.isSafeInteger(value)) throw new RangeError(`"${name}" expected an integer, got ${value}`);
}

function nonNegative(name: string, value: unknown): void {
  integer(name, value);
  if ((value as number) < 0) throw new RangeError(`"${name}" expected an integer of 0 or more, got ${value}`);
}

function positive(name: string, value: unknown): void {
  integer(name, value);
  if ((value as number) <= 0) throw new RangeError(`"${name}" expected a positive integer, got ${value}`);
}
