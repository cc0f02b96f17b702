/**
 * The SQLite implementation of {@link LedgerStore} (better-sqlite3, one file in the data
 * directory). Settings, and why:
 * - `journal_mode=WAL`: readers (HTTP, `verify` in another process) never block the writer.
 * - `synchronous=FULL`: every commit fsyncs the WAL. NORMAL would survive a killed process but
 *   can lose the last commits on power loss or an OS crash, and an acknowledged device result
 *   or an accepted transaction must survive both. The fsync cost is paid once per transaction,
 *   which is why results are stored in batches (group commit).
 * - `foreign_keys=ON`, STRICT tables and CHECK constraints: a bug fails at the write.
 * - `busy_timeout`: a second process (the admin command) waits for the lock instead of failing.
 * @module
 */
import Database from 'better-sqlite3';
import { blob, equalBytes, fromHex, toHex } from '../bytes.ts';
import { NodeError } from '../errors.ts';
import { HOUR_MS } from '../rewards/rules.ts';
import { MIGRATIONS } from './migrations.ts';
import type {
  AccountRecord, BlockCommit, BlockTransaction, BlockHeader, BlockRecord, ChainConfig, Credit, DeviceRecord, DeviceStanding, LedgerStore,
  MempoolRecord, NewDevice, NewReward, ResultOutcome, ResultRecord, RewardRecord, StoreCounts, StoredBlock, StoredResult, TransactionLocation, VerdictRecord,
} from './types.ts';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Open without writing (no migrations, no pragmas that write); for inspection tools. */
  readonly readonly?: boolean;
  /** Milliseconds to wait for another process's write lock. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * WAL pages past which a commit on this connection also checkpoints (copies the WAL back into
   * the database file). Default 1000, SQLite's. A page changed again before the checkpoint is
   * copied once, so a larger WAL writes fewer bytes; the connection that checkpoints pays for it.
   */
  readonly checkpointPages?: number;
}

/** WAL pages past which the node's main connection checkpoints: above the result writer's, so that it rarely does (node.ts). */
export const MAIN_CHECKPOINT_PAGES = 16_000;
/** WAL pages past which the result writer thread checkpoints (devices/result-thread.ts). */
export const WRITER_CHECKPOINT_PAGES = 8_000;

type Row = Record<string, unknown>;

/** Where a device's hourly reward tally saturates (SQLite's largest integer); past it the rows are summed. */
const MAX_TALLY = 2n ** 63n - 1n;

/** Opens (creating and migrating when needed) the SQLite store at `path` (`:memory:` for tests). */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): LedgerStore {
  const pages = options.checkpointPages ?? 1000;
  if (!(Number.isSafeInteger(pages) && pages > 0)) throw new RangeError(`"checkpointPages" expected a positive integer, got ${pages}`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma(`wal_autocheckpoint = ${pages}`);
    }
    db.pragma('foreign_keys = ON');
    migrate(db, path, options.readonly ?? false);
  } catch (error) {
    throw storeError(error, path);
  }
  return new SqliteStore(db, path);
}

function migrate(db: Database.Database, path: string, readonly: boolean): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS.length;
  if (current > latest) {
    throw new NodeError('store', `${path} has schema version ${current}, newer than this micromine (${latest})`, { where: path, hint: 'upgrade micromine' });
  }
  if (current === latest) return;
  if (readonly) throw new NodeError('store', `${path} has schema version ${current}, expected ${latest}`, { where: path, hint: 'start the node once to migrate it' });
  for (const migration of MIGRATIONS.slice(current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

class SqliteStore implements LedgerStore {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #sql: ReturnType<typeof prepareStatements>;

  constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.#path = path;
    this.#sql = prepareStatements(db);
  }

  async chainConfig(): Promise<ChainConfig | undefined> {
    return this.#run(() => {
      const rows = this.#sql.metaAll.all() as { key: string; value: string }[];
      const meta = new Map(rows.map((r) => [r.key, r.value]));
      const chainId = meta.get('chain_id');
      const minFee = meta.get('min_fee');
      const genesisHash = meta.get('genesis_hash');
      if (chainId === undefined || minFee === undefined || genesisHash === undefined) return undefined;
      return { chainId: Number(chainId), minFee: BigInt(minFee), genesisHash: fromHex(genesisHash) };
    });
  }

  async initialize(config: ChainConfig, genesis: BlockCommit): Promise<void> {
    this.#run(() =>
      this.#db.transaction(() => {
        if (this.#sql.metaGet.get('chain_id') !== undefined) throw new NodeError('conflict', 'the store is already initialized', { where: this.#path });
        this.#sql.metaPut.run('chain_id', String(config.chainId));
        this.#sql.metaPut.run('min_fee', config.minFee.toString());
        this.#sql.metaPut.run('genesis_hash', toHex(config.genesisHash));
        this.#commitBlock(genesis);
      }).immediate(),
    );
  }

  async head(): Promise<BlockRecord | undefined> {
    return this.#run(() => {
      const row = this.#sql.head.get() as Row | undefined;
      return row && blockRecord(row);
    });
  }

  async block(height: number): Promise<StoredBlock | undefined> {
    return this.#run(() => {
      const row = this.#sql.blockAt.get(height) as Row | undefined;
      if (row === undefined) return undefined;
      const transactions = (this.#sql.blockTxs.all(height) as Row[]).map((r): BlockTransaction => ({ id: r.tx_id as Uint8Array, tx: r.tx as Uint8Array }));
      const credits = (this.#sql.blockCredits.all(height) as Row[]).map((r): Credit => ({ account: r.account as Uint8Array, amount: BigInt(r.amount as string) }));
      return { ...blockRecord(row), transactions, credits };
    });
  }

  async commitBlock(commit: BlockCommit): Promise<void> {
    this.#run(() => this.#db.transaction(() => this.#commitBlock(commit)).immediate());
  }

  /** The body of a block commit; runs inside the caller's transaction. */
  #commitBlock({ block, accounts, paidRewards }: BlockCommit): void {
    const { header } = block;
    const head = this.#sql.head.get() as Row | undefined;
    const expectedHeight = head === undefined ? 0 : (head.height as number) + 1;
    if (header.height !== expectedHeight) {
      throw new NodeError('conflict', `block ${header.height} does not extend the head (next height is ${expectedHeight})`, { where: `blocks[${header.height}]` });
    }
    if (head !== undefined && !equalBytes(head.hash as Uint8Array, header.prevHash)) {
      throw new NodeError('conflict', `block ${header.height} names a previous hash that is not the head's`, { where: `blocks[${header.height}]` });
    }
    this.#sql.insertBlock.run(blob(block.hash), header.height, header.version, header.chainId, header.time, blob(header.prevHash), blob(header.txRoot),
      blob(header.creditRoot), blob(header.stateRoot), header.txCount, header.creditCount);
    block.transactions.forEach((t, i) => this.#sql.insertBlockTx.run(header.height, i, blob(t.id), blob(t.tx)));
    block.credits.forEach((c, i) => this.#sql.insertCredit.run(header.height, i, blob(c.account), c.amount.toString()));
    for (const a of accounts) this.#sql.upsertAccount.run(blob(a.publicKey), a.slot, a.balance.toString(), a.nonce);
    for (const id of paidRewards) {
      if (this.#sql.payReward.run(header.height, id).changes !== 1) {
        throw new NodeError('conflict', `reward ${id} is unknown, already paid or voided`, { where: `rewards[${id}]` });
      }
    }
    for (const t of block.transactions) this.#sql.mempoolDelete.run(blob(t.id));
  }

  async transaction(id: Uint8Array): Promise<TransactionLocation | undefined> {
    return this.#run(() => {
      const row = this.#sql.txById.get(blob(id)) as Row | undefined;
      return row && { tx: row.tx as Uint8Array, height: row.height as number, index: row.idx as number };
    });
  }

  async account(publicKey: Uint8Array): Promise<AccountRecord | undefined> {
    return this.#run(() => {
      const row = this.#sql.account.get(blob(publicKey)) as Row | undefined;
      return row && accountRecord(row);
    });
  }

  async accounts(): Promise<AccountRecord[]> {
    return this.#run(() => (this.#sql.accounts.all() as Row[]).map(accountRecord));
  }

  async mempoolPut(entry: MempoolRecord, evicted: readonly Uint8Array[]): Promise<void> {
    this.#run(() =>
      this.#db.transaction(() => {
        for (const id of evicted) this.#sql.mempoolDelete.run(blob(id));
        this.#sql.mempoolInsert.run(blob(entry.id), blob(entry.tx), blob(entry.sender), entry.nonce, entry.fee.toString(), entry.receivedAt);
      }).immediate(),
    );
  }

  async mempoolDelete(ids: readonly Uint8Array[]): Promise<void> {
    this.#run(() => this.#db.transaction(() => ids.forEach((id) => this.#sql.mempoolDelete.run(blob(id)))).immediate());
  }

  async mempoolEntries(): Promise<MempoolRecord[]> {
    return this.#run(() =>
      (this.#sql.mempoolAll.all() as Row[]).map((r) => ({
        id: r.tx_id as Uint8Array, tx: r.tx as Uint8Array, sender: r.sender as Uint8Array,
        nonce: r.nonce as number, fee: BigInt(r.fee as string), receivedAt: r.received_at as number,
      })),
    );
  }

  async addDevice(device: NewDevice): Promise<DeviceRecord> {
    return this.#run(() =>
      this.#db.transaction(() => {
        this.#sql.deviceInsert.run(device.id, blob(device.key), device.profile, device.tier, device.owner, device.createdAt);
        this.#sql.countersInsert.run(device.id);
        return deviceRecord(this.#sql.device.get(device.id) as Row);
      }).immediate(),
    { conflict: `device ${device.id} is already registered` });
  }

  async device(id: string): Promise<DeviceRecord | undefined> {
    return this.#run(() => {
      const row = this.#sql.device.get(id) as Row | undefined;
      return row && deviceRecord(row);
    });
  }

  async devices(): Promise<DeviceRecord[]> {
    return this.#run(() => (this.#sql.devices.all() as Row[]).map(deviceRecord));
  }

  async updateDevice(id: string, standing: DeviceStanding): Promise<DeviceRecord | undefined> {
    return this.#run(() =>
      this.#db.transaction(() => {
        const row = this.#sql.device.get(id) as Row | undefined;
        if (row === undefined) return undefined;
        const current = deviceRecord(row);
        this.#sql.deviceStanding.run(standing.reputation ?? current.reputation, (standing.suspended ?? current.suspended) ? 1 : 0, id);
        return deviceRecord(this.#sql.device.get(id) as Row);
      }).immediate(),
    );
  }

  async recordResults(results: readonly ResultRecord[]): Promise<ResultOutcome[]> {
    return this.#run(() =>
      this.#db.transaction(() =>
        results.map((r): ResultOutcome => {
          // The conditional update is the whole check in the common case; why it changed nothing is looked up only then.
          if (this.#sql.advanceCounter.run(r.counter, r.share ? 1 : 0, r.deviceId, r.counter).changes !== 1) {
            if (this.#sql.device.get(r.deviceId) === undefined) return 'unknown_device';
            const earlier = this.#sql.result.get(r.deviceId, r.counter) as Row | undefined;
            return earlier !== undefined && equalBytes(earlier.result as Uint8Array, r.result) ? 'duplicate' : 'counter';
          }
          const { codes, txIds } = packVerdicts(r.verdicts);
          this.#sql.resultInsert.run(r.deviceId, r.counter, r.unitId, blob(r.result), r.share ? 1 : 0, r.receivedAt, codes, txIds);
          for (const w of r.rewards ?? []) this.#insertReward(w);
          return 'stored';
        }),
      ).immediate(),
    );
  }

  async result(deviceId: string, counter: number): Promise<StoredResult | undefined> {
    return this.#run(() => {
      const row = this.#sql.result.get(deviceId, counter) as Row | undefined;
      return row && {
        deviceId, counter, unitId: row.unit_id as number, result: row.result as Uint8Array, share: row.share === 1, receivedAt: row.received_at as number,
        verdicts: unpackVerdicts(row.codes as Uint8Array, row.tx_ids as Uint8Array),
      };
    });
  }

  async creditRewards(rewards: readonly NewReward[]): Promise<number[]> {
    return this.#run(() =>
      this.#db.transaction(() =>
        rewards.map((r) => this.#insertReward(r)),
      ).immediate(),
    );
  }

  async unpaidRewards(limit: number): Promise<RewardRecord[]> {
    return this.#run(() => (this.#sql.rewardsUnpaid.all(limit) as Row[]).map(rewardRecord));
  }

  async voidRewards(deviceId: string, reason: string, unitId?: number): Promise<number> {
    return this.#run(() => this.#sql.rewardsVoid.run(reason, deviceId, unitId ?? null, unitId ?? null).changes);
  }

  async reward(id: number): Promise<RewardRecord | undefined> {
    return this.#run(() => {
      const row = this.#sql.reward.get(id) as Row | undefined;
      return row && rewardRecord(row);
    });
  }

  async rewardedSince(deviceId: string, since: number): Promise<bigint> {
    return this.#run(() => this.#rewardedBetween(deviceId, since, Number.MAX_SAFE_INTEGER));
  }

  async rewardedInHour(deviceId: string, hour: number): Promise<bigint> {
    if (!(Number.isSafeInteger(hour) && hour >= 0)) throw new RangeError(`"hour" expected a non-negative integer, got ${hour}`);
    return this.#run(() => {
      const tally = this.#sql.hourTally.get(deviceId) as { reward_hour: bigint; hour_rewards: bigint } | undefined;
      if (tally === undefined || BigInt(hour) > tally.reward_hour) return 0n;
      if (BigInt(hour) === tally.reward_hour && tally.hour_rewards < MAX_TALLY) return tally.hour_rewards;
      // An earlier hour than the device's latest, or a saturated tally: the rows themselves.
      return this.#rewardedBetween(deviceId, hour * HOUR_MS, (hour + 1) * HOUR_MS);
    });
  }

  #rewardedBetween(deviceId: string, from: number, to: number): bigint {
    return (this.#sql.rewardedBetween.all(deviceId, from, to) as Row[]).reduce((sum, r) => sum + BigInt(r.amount as string), 0n);
  }

  /** Inserts a reward and counts it in its device's tally of the hour (see migration 4). */
  #insertReward(r: NewReward): number {
    const id = Number(this.#sql.rewardInsert.run(r.deviceId, blob(r.account), r.kind, r.amount.toString(), r.unitId, r.createdAt).lastInsertRowid);
    this.#sql.tallyReward.run({ device: r.deviceId, hour: Math.floor(r.createdAt / HOUR_MS), amount: r.amount < MAX_TALLY ? r.amount : MAX_TALLY, max: MAX_TALLY });
    return id;
  }

  async rewardsPaidAt(height: number): Promise<RewardRecord[]> {
    return this.#run(() => (this.#sql.rewardsPaidAt.all(height) as Row[]).map(rewardRecord));
  }

  async counts(): Promise<StoreCounts> {
    return this.#run(() => {
      const row = this.#sql.counts.get() as Record<keyof StoreCounts, number>;
      return { ...row };
    });
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** Runs a statement group, mapping SQLite failures to NodeErrors (uniqueness to `conflict` when a message is given). */
  #run<T>(work: () => T, messages: { conflict?: string } = {}): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof NodeError) throw error;
      const code = (error as { code?: unknown }).code;
      if (messages.conflict !== undefined && (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')) {
        throw new NodeError('conflict', messages.conflict, { where: this.#path });
      }
      throw storeError(error, this.#path);
    }
  }
}

function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    metaAll: p('SELECT key, value FROM meta'),
    metaGet: p('SELECT value FROM meta WHERE key = ?'),
    metaPut: p('INSERT INTO meta (key, value) VALUES (?, ?)'),
    head: p('SELECT * FROM blocks ORDER BY height DESC LIMIT 1'),
    blockAt: p('SELECT * FROM blocks WHERE height = ?'),
    blockTxs: p('SELECT tx_id, tx FROM block_txs WHERE height = ? ORDER BY idx'),
    blockCredits: p('SELECT account, amount FROM block_credits WHERE height = ? ORDER BY idx'),
    insertBlock: p(`INSERT INTO blocks (hash, height, version, chain_id, time, prev_hash, tx_root, credit_root, state_root, tx_count, credit_count)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertBlockTx: p('INSERT INTO block_txs (height, idx, tx_id, tx) VALUES (?, ?, ?, ?)'),
    insertCredit: p('INSERT INTO block_credits (height, idx, account, amount) VALUES (?, ?, ?, ?)'),
    txById: p('SELECT tx, height, idx FROM block_txs WHERE tx_id = ?'),
    upsertAccount: p(`INSERT INTO accounts (pubkey, slot, balance, nonce) VALUES (?, ?, ?, ?)
      ON CONFLICT (pubkey) DO UPDATE SET slot = excluded.slot, balance = excluded.balance, nonce = excluded.nonce`),
    account: p('SELECT * FROM accounts WHERE pubkey = ?'),
    accounts: p('SELECT * FROM accounts ORDER BY slot'),
    mempoolInsert: p('INSERT INTO mempool (tx_id, tx, sender, nonce, fee, received_at) VALUES (?, ?, ?, ?, ?, ?)'),
    mempoolDelete: p('DELETE FROM mempool WHERE tx_id = ?'),
    mempoolAll: p('SELECT * FROM mempool ORDER BY received_at, rowid'),
    deviceInsert: p('INSERT INTO devices (id, key, profile, tier, owner, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    countersInsert: p('INSERT INTO device_counters (device_id) VALUES (?)'),
    device: p('SELECT * FROM devices JOIN device_counters ON device_id = id WHERE id = ?'),
    devices: p('SELECT * FROM devices JOIN device_counters ON device_id = id ORDER BY id'),
    deviceStanding: p('UPDATE devices SET reputation = ?, suspended = ? WHERE id = ?'),
    advanceCounter: p('UPDATE device_counters SET last_counter = ?, results = results + 1, shares = shares + ? WHERE device_id = ? AND last_counter < ?'),
    resultInsert: p('INSERT INTO results (device_id, counter, unit_id, result, share, received_at, codes, tx_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    result: p('SELECT * FROM results WHERE device_id = ? AND counter = ?'),
    rewardInsert: p('INSERT INTO rewards (device_id, account, kind, amount, unit_id, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    rewardsUnpaid: p('SELECT * FROM rewards WHERE paid_height IS NULL AND voided IS NULL ORDER BY id LIMIT ?'),
    rewardsVoid: p('UPDATE rewards SET voided = ? WHERE device_id = ? AND (? IS NULL OR unit_id = ?) AND paid_height IS NULL AND voided IS NULL'),
    payReward: p('UPDATE rewards SET paid_height = ? WHERE id = ? AND paid_height IS NULL AND voided IS NULL'),
    reward: p('SELECT * FROM rewards WHERE id = ?'),
    rewardsPaidAt: p('SELECT * FROM rewards WHERE paid_height = ? ORDER BY id'),
    rewardedBetween: p('SELECT amount FROM rewards WHERE device_id = ? AND created_at >= ? AND created_at < ?'),
    hourTally: p('SELECT reward_hour, hour_rewards FROM device_counters WHERE device_id = ?').safeIntegers(),
    // Saturating at :max (min before the addition: SQLite would turn an overflowing sum into a REAL).
    tallyReward: p(`UPDATE device_counters SET
      hour_rewards = CASE WHEN reward_hour = :hour THEN min(hour_rewards, :max - :amount) + :amount WHEN reward_hour < :hour THEN :amount ELSE hour_rewards END,
      reward_hour = max(reward_hour, :hour)
      WHERE device_id = :device`),
    counts: p(`SELECT
      (SELECT count(*) FROM blocks) AS blocks,
      (SELECT count(*) FROM block_txs) AS transactions,
      (SELECT count(*) FROM accounts) AS accounts,
      (SELECT count(*) FROM devices) AS devices,
      (SELECT count(*) FROM mempool) AS mempool,
      (SELECT count(*) FROM results) AS results,
      (SELECT count(*) FROM rewards WHERE paid_height IS NULL AND voided IS NULL) AS unpaidRewards`),
  };
}

function blockRecord(row: Row): BlockRecord {
  const header: BlockHeader = {
    version: row.version as number,
    chainId: row.chain_id as number,
    height: row.height as number,
    time: row.time as number,
    prevHash: row.prev_hash as Uint8Array,
    txRoot: row.tx_root as Uint8Array,
    creditRoot: row.credit_root as Uint8Array,
    stateRoot: row.state_root as Uint8Array,
    txCount: row.tx_count as number,
    creditCount: row.credit_count as number,
  };
  return { header, hash: row.hash as Uint8Array };
}

function accountRecord(row: Row): AccountRecord {
  return { publicKey: row.pubkey as Uint8Array, slot: row.slot as number, balance: BigInt(row.balance as string), nonce: row.nonce as number };
}

function deviceRecord(row: Row): DeviceRecord {
  return {
    id: row.id as string, key: row.key as Uint8Array, profile: row.profile as string, tier: row.tier as DeviceRecord['tier'],
    owner: row.owner as string, reputation: row.reputation as number, suspended: row.suspended === 1,
    lastCounter: row.last_counter as number, results: row.results as number, shares: row.shares as number, createdAt: row.created_at as number,
  };
}

/**
 * A result's verdicts as its row keeps them: a code byte and a 32-byte transaction id per entry,
 * in entry order. Verdicts are always entries 0, 1, 2, …: anything else is a bug, refused here.
 */
function packVerdicts(verdicts: readonly VerdictRecord[]): { codes: Buffer; txIds: Buffer } {
  const codes = Buffer.alloc(verdicts.length);
  const txIds = Buffer.alloc(32 * verdicts.length);
  verdicts.forEach((v, i) => {
    if (v.entryIndex !== i) throw new RangeError(`"verdicts[${i}].entryIndex" expected ${i} (verdicts in entry order), got ${v.entryIndex}`);
    if (!(Number.isInteger(v.code) && v.code >= 0 && v.code <= 255)) throw new RangeError(`"verdicts[${i}].code" expected u8, got ${v.code}`);
    if (v.txId.length !== 32) throw new RangeError(`"verdicts[${i}].txId" expected 32 bytes, got ${v.txId.length}`);
    codes[i] = v.code;
    txIds.set(v.txId, 32 * i);
  });
  return { codes, txIds };
}

function unpackVerdicts(codes: Uint8Array, txIds: Uint8Array): VerdictRecord[] {
  return [...codes].map((code, entryIndex) => ({ entryIndex, code, txId: txIds.slice(32 * entryIndex, 32 * entryIndex + 32) }));
}

function rewardRecord(row: Row): RewardRecord {
  return {
    id: row.id as number, deviceId: row.device_id as string, account: row.account as Uint8Array, kind: row.kind as RewardRecord['kind'],
    amount: BigInt(row.amount as string), unitId: row.unit_id as number, createdAt: row.created_at as number,
    paidHeight: row.paid_height as number | null, voided: row.voided as string | null,
  };
}

function storeError(error: unknown, path: string): NodeError {
  if (error instanceof NodeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new NodeError('store', `SQLite store ${path}: ${message}`, { where: path });
}

