/**
 * The storage interface of the trusted node. It is deliberately narrow and storage-neutral:
 * every method is one atomic unit of work named after what the node needs (commit a block with
 * its state changes, record device results durably, settle rewards), so no transaction handle
 * or SQL leaks out, and a PostgreSQL implementation can provide the same contract (see
 * docs/node.md). Methods are asynchronous for that reason, even though SQLite answers
 * synchronously. Binary values are `Uint8Array`, amounts `bigint` (u64), times milliseconds
 * since the Unix epoch.
 * @module
 */

import type { Tier } from '../../protocol/device-config.ts';

export type { Tier };

/** Parameters of the chain, fixed at genesis. */
export interface ChainConfig {
  /** Chain id every transaction must carry (u32). */
  readonly chainId: number;
  /** Smallest fee a transaction may pay (u64). */
  readonly minFee: bigint;
  /** Hash of block 0. */
  readonly genesisHash: Uint8Array;
}

/** One account of the state: the fields of an account leaf plus its leaf index in the state tree. */
export interface AccountRecord {
  readonly publicKey: Uint8Array;
  /** Leaf index in the state Merkle tree, assigned in order of first appearance. */
  readonly slot: number;
  readonly balance: bigint;
  readonly nonce: number;
}

/** The fields of a block header (encoding and hash: trusted-node/ledger/block.ts). */
export interface BlockHeader {
  readonly version: number;
  readonly chainId: number;
  readonly height: number;
  /** Milliseconds since the Unix epoch when the block was made. */
  readonly time: number;
  readonly prevHash: Uint8Array;
  readonly txRoot: Uint8Array;
  readonly creditRoot: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly txCount: number;
  readonly creditCount: number;
}

/** A mint to an account: a genesis allocation or the settlement of rewards. */
export interface Credit {
  readonly account: Uint8Array;
  readonly amount: bigint;
}

/** A block's header and hash. */
export interface BlockRecord {
  readonly header: BlockHeader;
  readonly hash: Uint8Array;
}

/** A transaction inside a block: its id (SHA-256 of the body) and its encoded bytes. */
export interface BlockTransaction {
  readonly id: Uint8Array;
  readonly tx: Uint8Array;
}

/** A whole block: header, hash, transactions in block order, credits in block order. */
export interface StoredBlock extends BlockRecord {
  readonly transactions: readonly BlockTransaction[];
  readonly credits: readonly Credit[];
}

/** Everything a block changes, committed atomically by {@link LedgerStore.commitBlock}. */
export interface BlockCommit {
  readonly block: StoredBlock;
  /** The new value of every account the block touched (created or changed). */
  readonly accounts: readonly AccountRecord[];
  /** Ids of the rewards this block's credits settle; each must be unpaid and not voided. */
  readonly paidRewards: readonly number[];
}

/** Where a committed transaction lives. */
export interface TransactionLocation {
  readonly tx: Uint8Array;
  readonly height: number;
  readonly index: number;
}

/** A transaction waiting in the mempool (the fields the mempool orders by, plus the bytes). */
export interface MempoolRecord {
  readonly id: Uint8Array;
  readonly tx: Uint8Array;
  readonly sender: Uint8Array;
  readonly nonce: number;
  readonly fee: bigint;
  readonly receivedAt: number;
}

/** A registered device. `key` is the 32-byte secret shared with the device: never serve it. */
export interface DeviceRecord {
  /** 16 lowercase hex characters. */
  readonly id: string;
  readonly key: Uint8Array;
  /** Target name, e.g. `moddable-esp32`. */
  readonly profile: string;
  readonly tier: Tier;
  /** Account (Ed25519 public key, 64 lowercase hex) that the device's rewards are paid to. */
  readonly owner: string;
  /** Reputation points; lowered by the consensus layer for verdicts proven wrong. */
  readonly reputation: number;
  readonly suspended: boolean;
  /** Highest result counter stored for the device (0 before its first result). */
  readonly lastCounter: number;
  /** Number of results stored. */
  readonly results: number;
  /** Number of valid shares credited. */
  readonly shares: number;
  readonly createdAt: number;
}

/** A new device as given by an operator. */
export type NewDevice = Pick<DeviceRecord, 'id' | 'key' | 'profile' | 'tier' | 'owner'> & { readonly createdAt: number };

/** Standing fields the consensus layer may change. */
export interface DeviceStanding {
  readonly reputation?: number;
  readonly suspended?: boolean;
}

/** One entry's verdict inside a device result. */
export interface VerdictRecord {
  readonly entryIndex: number;
  readonly txId: Uint8Array;
  /** Numeric reason code of the formats (0 = accept). */
  readonly code: number;
}

/** A device result to store durably before it is acknowledged. */
export interface ResultRecord {
  readonly deviceId: string;
  readonly counter: number;
  readonly unitId: number;
  /** The encoded result (including MAC) exactly as received. */
  readonly result: Uint8Array;
  /** True when the result carried a share that met its difficulty. */
  readonly share: boolean;
  readonly receivedAt: number;
  readonly verdicts: readonly VerdictRecord[];
  /** Rewards the result earns at once (its share), credited in the same transaction if and only if it is stored. */
  readonly rewards?: readonly NewReward[];
}

/**
 * Outcome of storing one result: `duplicate` when these very bytes are already stored under
 * that counter (a resend whose ack was lost), `counter` when the counter is not above the
 * device's last one otherwise (replay or rollback).
 */
export type ResultOutcome = 'stored' | 'duplicate' | 'counter' | 'unknown_device';

/** A stored result with its verdicts, looked up by device and counter. */
export type StoredResult = Omit<ResultRecord, 'rewards'>;

/** What a reward was earned for. */
export type RewardKind = 'verdict' | 'share';

/** A reward to credit. */
export interface NewReward {
  readonly deviceId: string;
  readonly account: Uint8Array;
  readonly kind: RewardKind;
  readonly amount: bigint;
  readonly unitId: number;
  readonly createdAt: number;
}

/** A credited reward and its fate: unpaid, paid in a block, or voided. */
export interface RewardRecord extends NewReward {
  readonly id: number;
  readonly paidHeight: number | null;
  readonly voided: string | null;
}

/** Row counts for `/stats` and metrics. */
export interface StoreCounts {
  readonly blocks: number;
  readonly transactions: number;
  readonly accounts: number;
  readonly devices: number;
  readonly mempool: number;
  readonly results: number;
  readonly unpaidRewards: number;
}

/**
 * Durable storage of the ledger, the registry, the mempool, device results and rewards.
 * Every method is atomic: it either fully happens or not at all, also across a crash.
 * Methods reject with a `NodeError` (`conflict` for a uniqueness or chain-head violation,
 * `store` for anything else).
 */
export interface LedgerStore {
  /** Chain parameters, or undefined before {@link LedgerStore.initialize}. */
  chainConfig(): Promise<ChainConfig | undefined>;
  /** Stores the chain parameters and commits block 0; rejects when already initialized. */
  initialize(config: ChainConfig, genesis: BlockCommit): Promise<void>;

  /** Highest committed block, undefined before genesis. */
  head(): Promise<BlockRecord | undefined>;
  /** A whole block by height. */
  block(height: number): Promise<StoredBlock | undefined>;
  /**
   * Commits a block, its account changes, the rewards it settles and the removal of its
   * transactions from the mempool, all in one transaction. Rejects with `conflict` unless the
   * block extends the current head (height + 1 and matching previous hash) and every settled
   * reward is still unpaid and not voided; nothing is written then.
   */
  commitBlock(commit: BlockCommit): Promise<void>;
  /** A committed transaction by id. */
  transaction(id: Uint8Array): Promise<TransactionLocation | undefined>;

  /** One account. */
  account(publicKey: Uint8Array): Promise<AccountRecord | undefined>;
  /** All accounts in slot order. */
  accounts(): Promise<AccountRecord[]>;

  /** Adds a transaction to the mempool and removes `evicted` ones, atomically; `conflict` if it is already there. */
  mempoolPut(entry: MempoolRecord, evicted: readonly Uint8Array[]): Promise<void>;
  /** Removes transactions from the mempool (unknown ids are ignored). */
  mempoolDelete(ids: readonly Uint8Array[]): Promise<void>;
  /** All mempool entries in arrival order. */
  mempoolEntries(): Promise<MempoolRecord[]>;

  /** Registers a device; `conflict` when the id exists. */
  addDevice(device: NewDevice): Promise<DeviceRecord>;
  device(id: string): Promise<DeviceRecord | undefined>;
  /** All devices ordered by id. */
  devices(): Promise<DeviceRecord[]>;
  /** Changes reputation and/or suspension; resolves to the new record, undefined for an unknown id. */
  updateDevice(id: string, standing: DeviceStanding): Promise<DeviceRecord | undefined>;

  /**
   * Stores a batch of device results with their verdicts in one transaction (group commit).
   * A result is stored only when its counter is above the device's last counter, which then
   * advances; when this resolves, every `stored` result is durable and may be acknowledged.
   */
  recordResults(results: readonly ResultRecord[]): Promise<ResultOutcome[]>;
  /** The result stored for a device under `counter`. */
  result(deviceId: string, counter: number): Promise<StoredResult | undefined>;

  /** Credits rewards; resolves to their ids. */
  creditRewards(rewards: readonly NewReward[]): Promise<number[]>;
  /** Unpaid, non-voided rewards, oldest first, at most `limit`. */
  unpaidRewards(limit: number): Promise<RewardRecord[]>;
  /** Voids a device's unpaid rewards (all, or those of one unit); resolves to how many. */
  voidRewards(deviceId: string, reason: string, unitId?: number): Promise<number>;
  /** One reward by id. */
  reward(id: number): Promise<RewardRecord | undefined>;
  /**
   * Sum of the rewards credited to a device since `since` (ms), voided ones included. Reads the
   * device's reward rows: for reports, not for the hot path (that is {@link rewardedInHour}).
   */
  rewardedSince(deviceId: string, since: number): Promise<bigint>;
  /**
   * Sum of the rewards credited to a device whose `createdAt` falls in clock hour `hour`
   * (`floor(ms / 3,600,000)`), voided ones included: what the hourly cap has used. Kept as a
   * running tally for the device's latest hour, so the usual question costs one row.
   */
  rewardedInHour(deviceId: string, hour: number): Promise<bigint>;
  /** Rewards settled by the block at `height`, by id. */
  rewardsPaidAt(height: number): Promise<RewardRecord[]>;

  counts(): Promise<StoreCounts>;
  /** Flushes and releases the store; further calls reject. */
  close(): Promise<void>;
}
