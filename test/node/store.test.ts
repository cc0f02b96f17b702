import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../trusted-node/store/sqlite.ts';
import { MIGRATIONS } from '../../trusted-node/store/migrations.ts';
import type { BlockCommit, LedgerStore, StoredBlock } from '../../trusted-node/store/types.ts';
import { NodeError } from '../../trusted-node/errors.ts';

const bytes = (n: number) => new Uint8Array(randomBytes(n));
const ZERO = new Uint8Array(32);

function block(height: number, prevHash: Uint8Array, txCount = 2): StoredBlock {
  const transactions = Array.from({ length: txCount }, () => ({ id: bytes(32), tx: bytes(153) }));
  const credits = [{ account: bytes(32), amount: 2n ** 63n + 5n }];
  return {
    hash: bytes(32),
    header: { version: 1, chainId: 7, height, time: 1_700_000_000_000 + height, prevHash, txRoot: bytes(32), creditRoot: bytes(32), stateRoot: bytes(32), txCount, creditCount: 1 },
    transactions,
    credits,
  };
}

function withStore(name: string, run: (store: LedgerStore, path: string) => Promise<void>): void {
  test(name, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-store-'));
    const path = join(dir, 'ledger.sqlite');
    const store = openSqliteStore(path);
    try {
      await run(store, path);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function genesis(store: LedgerStore): Promise<StoredBlock> {
  const b0 = block(0, ZERO, 0);
  await store.initialize({ chainId: 7, minFee: 10n, genesisHash: b0.hash }, { block: b0, accounts: [{ publicKey: b0.credits[0]!.account, slot: 0, balance: b0.credits[0]!.amount, nonce: 0 }], paidRewards: [] });
  return b0;
}

withStore('a block, its transactions, credits and accounts round-trip exactly (u64 amounts above 2^63)', async (store) => {
  const b0 = await genesis(store);
  assert.equal(normalize(await store.chainConfig()), normalize({ chainId: 7, minFee: 10n, genesisHash: b0.hash }));
  const b1 = block(1, b0.hash);
  const account = { publicKey: bytes(32), slot: 1, balance: 2n ** 64n - 1n, nonce: 4_000_000_000 };
  await store.commitBlock({ block: b1, accounts: [account], paidRewards: [] });
  const read = await store.block(1);
  assert.ok(read);
  assert.equal(normalize(read), normalize(b1));
  assert.equal(normalize(await store.head()), normalize({ header: b1.header, hash: b1.hash }));
  assert.equal(normalize(await store.account(account.publicKey)), normalize(account));
  assert.equal((await store.accounts()).map((a) => a.slot), [0, 1]);
  const located = await store.transaction(b1.transactions[1]!.id);
  assert.equal(normalize(located), normalize({ tx: b1.transactions[1]!.tx, height: 1, index: 1 }));
  assert.is(await store.transaction(bytes(32)), undefined);
  assert.equal(await store.counts(), { blocks: 2, transactions: 2, accounts: 2, devices: 0, mempool: 0, results: 0, unpaidRewards: 0 });
});

withStore('commitBlock refuses a block that does not extend the head, and writes nothing', async (store) => {
  const b0 = await genesis(store);
  const wrongPrev = block(1, bytes(32));
  await rejects(store.commitBlock({ block: wrongPrev, accounts: [], paidRewards: [] }), 'conflict', /previous hash/);
  const gap = block(2, b0.hash);
  await rejects(store.commitBlock({ block: gap, accounts: [], paidRewards: [] }), 'conflict', /next height is 1/);
  assert.is((await store.counts()).blocks, 1);
  assert.is((await store.counts()).transactions, 0);
});

withStore('a failing block commit rolls back every row it wrote (atomicity)', async (store) => {
  const b0 = await genesis(store);
  await store.addDevice({ id: '00112233aabbccdd', key: bytes(32), profile: 'espruino-esp32', tier: 'hash', owner: 'ab'.repeat(32), createdAt: 1 });
  const [paid] = await store.creditRewards([{ deviceId: '00112233aabbccdd', account: bytes(32), kind: 'share', amount: 3n, unitId: 1, createdAt: 2 }]);
  const pending = { id: bytes(32), tx: bytes(153), sender: bytes(32), nonce: 0, fee: 1n, receivedAt: 3 };
  await store.mempoolPut(pending, []);
  const b1 = { ...block(1, b0.hash), transactions: [{ id: pending.id, tx: pending.tx }] };
  const b1Header = { ...b1.header, txCount: 1 };
  const account = { publicKey: bytes(32), slot: 1, balance: 9n, nonce: 0 };
  // The second reward id does not exist: the whole block must roll back, including the
  // block row, its transaction, the account, the first reward's payment and the mempool removal.
  await rejects(store.commitBlock({ block: { ...b1, header: b1Header }, accounts: [account], paidRewards: [paid!, 999] }), 'conflict', /reward 999/);
  assert.is((await store.head())?.header.height, 0);
  assert.is(await store.transaction(pending.id), undefined);
  assert.is(await store.account(account.publicKey), undefined);
  assert.is((await store.reward(paid!))?.paidHeight, null);
  assert.is((await store.mempoolEntries()).length, 1);

  await store.commitBlock({ block: { ...b1, header: b1Header }, accounts: [account], paidRewards: [paid!] });
  assert.is((await store.reward(paid!))?.paidHeight, 1);
  assert.is((await store.mempoolEntries()).length, 0, 'committed transactions leave the mempool in the same transaction');
  assert.equal((await store.rewardsPaidAt(1)).map((r) => r.id), [paid]);
  // A reward is paid at most once.
  await rejects(store.commitBlock({ block: block(2, b1.hash, 0), accounts: [], paidRewards: [paid!] }), 'conflict', /already paid/);
});

withStore('devices: add, conflict on a taken id, standing updates, results advance the counter', async (store) => {
  const device = { id: 'a1b2c3d4e5f60718', key: bytes(32), profile: 'moddable-esp32', tier: 'sig' as const, owner: 'cd'.repeat(32), createdAt: 5 };
  const added = await store.addDevice(device);
  assert.equal({ ...added, key: [...added.key] }, { ...device, key: [...device.key], reputation: 0, suspended: false, lastCounter: 0, results: 0, shares: 0 });
  await rejects(store.addDevice(device), 'conflict', /a1b2c3d4e5f60718 is already registered/);
  assert.is((await store.updateDevice(device.id, { reputation: -3, suspended: true }))?.suspended, true);
  assert.is((await store.device(device.id))?.reputation, -3);
  assert.is(await store.updateDevice('ffffffffffffffff', { suspended: true }), undefined);

  const result = (counter: number, share: boolean) => ({
    deviceId: device.id, counter, unitId: 9, result: bytes(112), share, receivedAt: 10,
    verdicts: [{ entryIndex: 0, txId: bytes(32), code: 0 }, { entryIndex: 1, txId: bytes(32), code: 4 }],
  });
  const second = result(2, false);
  const outcomes = await store.recordResults([result(1, true), second, second, result(2, false), result(1, true), { ...result(3, false), deviceId: 'ffffffffffffffff' }]);
  assert.equal(outcomes, ['stored', 'stored', 'duplicate', 'counter', 'counter', 'unknown_device']);
  const stored = await store.result(device.id, 2);
  assert.equal([stored?.unitId, stored?.share, Buffer.from(stored!.result).equals(second.result)], [9, false, true]);
  assert.equal(stored?.verdicts.map((v) => [v.entryIndex, [...v.txId], v.code]), second.verdicts.map((v) => [v.entryIndex, [...v.txId], v.code]));
  await rejects(store.recordResults([{ ...result(5, false), verdicts: [second.verdicts[1]!] }]), 'store', /"verdicts\[0\]\.entryIndex" expected 0 \(verdicts in entry order\), got 1/);
  assert.is((await store.device(device.id))?.lastCounter, 2, 'a refused batch writes nothing');
  assert.is(await store.result(device.id, 3), undefined);
  const after = await store.device(device.id);
  assert.equal([after?.lastCounter, after?.results, after?.shares], [2, 2, 1]);
  assert.is((await store.counts()).results, 2);
});

withStore('rewards: credit, list unpaid, void per unit and per device', async (store) => {
  await store.addDevice({ id: '0000000000000001', key: bytes(32), profile: 'espruino-esp32c3', tier: 'hash', owner: '00'.repeat(32), createdAt: 1 });
  const reward = (unitId: number) => ({ deviceId: '0000000000000001', account: bytes(32), kind: 'verdict' as const, amount: 10n, unitId, createdAt: 1 });
  const ids = await store.creditRewards([reward(1), reward(1), reward(2)]);
  assert.is(ids.length, 3);
  assert.equal((await store.unpaidRewards(2)).map((r) => r.id), ids.slice(0, 2));
  assert.is(await store.voidRewards('0000000000000001', 'wrong verdict', 1), 2);
  assert.is((await store.reward(ids[0]!))?.voided, 'wrong verdict');
  assert.equal((await store.unpaidRewards(10)).map((r) => r.id), [ids[2]]);
  assert.is(await store.voidRewards('0000000000000001', 'suspended'), 1);
  assert.is((await store.counts()).unpaidRewards, 0);
});

withStore('mempool rows: put with eviction is atomic, duplicates conflict', async (store) => {
  const entry = () => ({ id: bytes(32), tx: bytes(153), sender: bytes(32), nonce: 1, fee: 2n ** 64n - 1n, receivedAt: 7 });
  const a = entry();
  const b = entry();
  await store.mempoolPut(a, []);
  await store.mempoolPut(b, [a.id]);
  assert.equal((await store.mempoolEntries()).map((e) => [...e.id]), [[...b.id]]);
  assert.is((await store.mempoolEntries())[0]!.fee, 2n ** 64n - 1n);
  await rejects(store.mempoolPut(b, []), 'store', /UNIQUE|PRIMARY/);
  await store.mempoolDelete([b.id, bytes(32)]);
  assert.is((await store.mempoolEntries()).length, 0);
});

withStore('a reopened file store keeps everything and is at the latest schema version', async (store, path) => {
  await genesis(store);
  await store.close();
  const again = openSqliteStore(path);
  assert.is((await again.head())?.header.height, 0);
  await again.close();
  const raw = new Database(path, { readonly: true });
  assert.is(raw.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.is(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
});

test('migration 3 moves the verdicts of an existing data directory into their result rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-store-'));
  const path = join(dir, 'ledger.sqlite');
  // A database as schema version 2 left it, with results stored the old way.
  const raw = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 2)) raw.exec(migration.sql);
  raw.pragma('user_version = 2');
  raw.prepare("INSERT INTO devices (id, key, profile, tier, owner, created_at) VALUES ('00000000000000aa', ?, 'espruino-esp32', 'hash', ?, 1)").run(bytes(32), 'ab'.repeat(32));
  const txIds = [bytes(32), bytes(32), bytes(32)];
  const insertResult = raw.prepare("INSERT INTO results (device_id, counter, unit_id, result, share, received_at) VALUES ('00000000000000aa', ?, 4, ?, 1, 9)");
  const insertVerdict = raw.prepare("INSERT INTO verdicts (device_id, counter, entry_index, tx_id, code) VALUES ('00000000000000aa', ?, ?, ?, ?)");
  const results = [bytes(112), bytes(112)];
  insertResult.run(1, results[0]);
  insertResult.run(2, results[1]);
  // Inserted out of entry order: the migration orders them.
  insertVerdict.run(1, 2, txIds[2], 0);
  insertVerdict.run(1, 0, txIds[0], 8);
  insertVerdict.run(1, 1, txIds[1], 255);
  raw.close();
  const store = openSqliteStore(path);
  try {
    const first = await store.result('00000000000000aa', 1);
    assert.equal(first?.verdicts.map((v) => [v.entryIndex, [...v.txId], v.code]), [[0, [...txIds[0]!], 8], [1, [...txIds[1]!], 255], [2, [...txIds[2]!], 0]]);
    assert.ok(Buffer.from(first!.result).equals(results[0]!));
    const second = await store.result('00000000000000aa', 2);
    assert.equal([second?.unitId, second?.share, second?.receivedAt, second?.verdicts], [4, true, 9, []], 'a result without verdicts keeps none');
    assert.is((await store.counts()).results, 2);
  } finally {
    await store.close();
  }
  const after = new Database(path, { readonly: true });
  assert.is(after.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(after.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'verdicts%'").all(), [], 'the verdicts table and its index are gone');
  after.close();
  rmSync(dir, { recursive: true, force: true });
});

test('migration 4 moves the device counters into their narrow table with the tally of each device\'s latest hour', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-store-'));
  const path = join(dir, 'ledger.sqlite');
  const HOUR = 3_600_000;
  // A database as schema version 3 left it: counters in the devices rows, rewards indexed by device and time.
  const raw = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 3)) raw.exec(migration.sql);
  raw.pragma('user_version = 3');
  const addDevice = raw.prepare("INSERT INTO devices (id, key, profile, tier, owner, created_at, last_counter, results, shares) VALUES (?, ?, 'espruino-esp32', 'hash', ?, 1, ?, ?, ?)");
  addDevice.run('00000000000000aa', bytes(32), 'ab'.repeat(32), 41, 40, 39);
  addDevice.run('00000000000000bb', bytes(32), 'ab'.repeat(32), 7, 7, 0);
  addDevice.run('00000000000000cc', bytes(32), 'ab'.repeat(32), 3, 3, 3);
  const addReward = raw.prepare("INSERT INTO rewards (device_id, account, kind, amount, unit_id, created_at) VALUES (?, ?, 'share', ?, 1, ?)");
  addReward.run('00000000000000aa', bytes(32), '100', 5 * HOUR + 10);
  addReward.run('00000000000000aa', bytes(32), '20', 6 * HOUR + 10);
  addReward.run('00000000000000aa', bytes(32), '3', 6 * HOUR + 20);
  addReward.run('00000000000000cc', bytes(32), '18446744073709551615', 2 * HOUR);
  addReward.run('00000000000000cc', bytes(32), '18446744073709551615', 2 * HOUR + 1);
  raw.close();
  const store = openSqliteStore(path);
  try {
    const a = await store.device('00000000000000aa');
    assert.equal([a?.lastCounter, a?.results, a?.shares], [41, 40, 39]);
    assert.equal((await store.devices()).map((d) => [d.id, d.lastCounter]), [['00000000000000aa', 41], ['00000000000000bb', 7], ['00000000000000cc', 3]]);
    assert.is(await store.rewardedInHour('00000000000000aa', 6), 23n, 'the latest hour from the tally');
    assert.is(await store.rewardedInHour('00000000000000aa', 5), 100n, 'an earlier hour from the rows');
    assert.is(await store.rewardedInHour('00000000000000aa', 7), 0n);
    assert.is(await store.rewardedInHour('00000000000000bb', 0), 0n, 'a device without rewards');
    assert.is(await store.rewardedInHour('00000000000000cc', 2), 2n * (2n ** 64n - 1n), 'a sum past SQLite integers, exact');
    assert.equal(await store.recordResults([
      { deviceId: '00000000000000aa', counter: 41, unitId: 1, result: bytes(112), share: true, receivedAt: 6 * HOUR + 30, verdicts: [] },
      { deviceId: '00000000000000aa', counter: 42, unitId: 1, result: bytes(112), share: true, receivedAt: 6 * HOUR + 30, verdicts: [],
        rewards: [{ deviceId: '00000000000000aa', account: bytes(32), kind: 'share', amount: 7n, unitId: 1, createdAt: 6 * HOUR + 30 }] },
    ]), ['counter', 'stored'], 'the counter check reads the moved counters');
    assert.is(await store.rewardedInHour('00000000000000aa', 6), 30n);
    assert.equal([(await store.device('00000000000000aa'))?.results, (await store.device('00000000000000aa'))?.shares], [41, 40]);
  } finally {
    await store.close();
  }
  const after = new Database(path, { readonly: true });
  assert.is(after.pragma('user_version', { simple: true }), 4);
  const columns = (after.prepare("SELECT name FROM pragma_table_info('devices')").all() as { name: string }[]).map((c) => c.name);
  assert.equal(columns.filter((c) => ['last_counter', 'results', 'shares'].includes(c)), [], 'the devices rows lost their counters');
  assert.equal(after.prepare("SELECT name FROM sqlite_schema WHERE name = 'rewards_by_device_time'").all(), []);
  after.close();
  rmSync(dir, { recursive: true, force: true });
});

withStore('the hourly reward tally counts share and verdict rewards per clock hour, saturating into an exact sum of the rows', async (store) => {
  const HOUR = 3_600_000;
  const id = '00000000000000dd';
  await store.addDevice({ id, key: bytes(32), profile: 'espruino-esp32', tier: 'hash', owner: 'ab'.repeat(32), createdAt: 0 });
  const reward = (amount: bigint, createdAt: number) => ({ deviceId: id, account: bytes(32), kind: 'verdict' as const, amount, unitId: 1, createdAt });
  await store.creditRewards([reward(5n, 3 * HOUR), reward(6n, 3 * HOUR + 1)]);
  await store.recordResults([{ deviceId: id, counter: 1, unitId: 1, result: bytes(112), share: true, receivedAt: 3 * HOUR + 2, verdicts: [],
    rewards: [{ ...reward(7n, 3 * HOUR + 2), kind: 'share' }] }]);
  assert.is(await store.rewardedInHour(id, 3), 18n);
  await store.creditRewards([reward(1n, 4 * HOUR)]);
  assert.is(await store.rewardedInHour(id, 4), 1n, 'a new hour starts a new tally');
  await store.creditRewards([reward(100n, 3 * HOUR + 5)]);
  assert.is(await store.rewardedInHour(id, 4), 1n, 'a late reward of an earlier hour leaves the latest tally alone');
  assert.is(await store.rewardedInHour(id, 3), 118n, 'and counts in its own hour');
  await store.voidRewards(id, 'test');
  assert.is(await store.rewardedInHour(id, 4), 1n, 'voided rewards still count against the cap');
  const huge = 2n ** 64n - 1n;
  await store.creditRewards([reward(huge, 4 * HOUR + 1), reward(huge, 4 * HOUR + 2)]);
  assert.is(await store.rewardedInHour(id, 4), 2n * huge + 1n);
  assert.is(await store.rewardedSince(id, 4 * HOUR), 2n * huge + 1n);
  const refused = await store.rewardedInHour(id, -1).then(() => undefined, (error: unknown) => error);
  assert.ok(refused instanceof RangeError && refused.message === '"hour" expected a non-negative integer, got -1');
});

test('checkpointPages sets the connection\'s automatic checkpoint; a bad value is refused by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-store-'));
  const path = join(dir, 'ledger.sqlite');
  try {
    assert.throws(() => openSqliteStore(path, { checkpointPages: 0 }), (e: unknown) => e instanceof RangeError && e.message === '"checkpointPages" expected a positive integer, got 0');
    // Creating the schema is a few dozen pages: checkpointed into the file at once, or left in the WAL.
    const databaseBytes = async (checkpointPages: number): Promise<number> => {
      const file = join(dir, `pages-${checkpointPages}.sqlite`);
      const store = openSqliteStore(file, { checkpointPages });
      const bytes = statSync(file).size;
      await store.close();
      return bytes;
    };
    assert.ok(await databaseBytes(1) >= 40_000);
    assert.ok(await databaseBytes(100_000) <= 4_096);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database from a newer schema is refused by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-store-'));
  const path = join(dir, 'ledger.sqlite');
  const raw = new Database(path);
  raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  raw.close();
  try {
    assert.throws(() => openSqliteStore(path), (e: unknown) => e instanceof NodeError && e.code === 'store' && /newer than this micromine/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, NodeError);
    assert.is((error as NodeError).code, code);
    assert.match((error as NodeError).message, message);
    return;
  }
  assert.unreachable(`expected a ${code} rejection`);
}

/** Buffers read back from SQLite compare equal to the Uint8Arrays written. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}

test.run();
