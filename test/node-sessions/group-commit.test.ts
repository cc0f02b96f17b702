// Group commit: results handed over in one turn of the event loop are written as one store
// transaction, on the main thread or on the writer thread, and each caller gets its own outcome.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommit } from '../../trusted-node/devices/group-commit.ts';
import { storeWriter, threadWriter, type ResultWriter } from '../../trusted-node/devices/result-writer.ts';
import { MetricsRegistry } from '../../trusted-node/metrics.ts';
import { SerialLane } from '../../trusted-node/serial.ts';
import { openSqliteStore } from '../../trusted-node/store/sqlite.ts';
import type { LedgerStore, ResultRecord } from '../../trusted-node/store/types.ts';

const DEVICE = '00000000000000bb';

function record(counter: number, fill: number): ResultRecord {
  return {
    deviceId: DEVICE, counter, unitId: counter, result: new Uint8Array(112).fill(fill), share: true, receivedAt: counter,
    verdicts: [{ entryIndex: 0, txId: new Uint8Array(32).fill(fill), code: 5 }],
    rewards: [{ deviceId: DEVICE, account: new Uint8Array(32).fill(3), kind: 'share', amount: BigInt(counter), unitId: counter, createdAt: counter }],
  };
}

async function withWriter(make: (store: LedgerStore, path: string) => Promise<ResultWriter>, run: (commit: GroupCommit, store: LedgerStore, metrics: MetricsRegistry) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-group-'));
  const path = join(dir, 'ledger.sqlite');
  const store = openSqliteStore(path);
  try {
    await store.addDevice({ id: DEVICE, key: new Uint8Array(32), profile: 'espruino-esp32', tier: 'hash', owner: '03'.repeat(32), createdAt: 0 });
    const metrics = new MetricsRegistry();
    const commit = new GroupCommit(await make(store, path), new SerialLane(), 64, metrics);
    try {
      await run(commit, store, metrics);
    } finally {
      await commit.close();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function batches(metrics: MetricsRegistry): [number, number] {
  const text = metrics.render();
  const read = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? 0);
  return [read('mm_result_batch_size_count'), read('mm_result_batch_size_sum')];
}

for (const [name, make] of [
  ['on the main thread', async (store: LedgerStore) => storeWriter(store)],
  ['on the writer thread', async (_store: LedgerStore, path: string) => threadWriter(path)],
] as const) {
  test(`results handed over together are one transaction ${name}, each with its own outcome`, () =>
    withWriter(make, async (commit, store, metrics) => {
      const outcomes = await Promise.all([record(1, 1), record(2, 2), record(2, 2), record(2, 9), record(3, 3)].map((r) => commit.write(r)));
      assert.equal(outcomes, ['stored', 'stored', 'duplicate', 'counter', 'stored']);
      assert.equal(batches(metrics), [1, 5]);
      assert.is((await store.device(DEVICE))?.lastCounter, 3);
      assert.equal((await store.unpaidRewards(10)).map((r) => r.amount), [1n, 2n, 3n], 'the rewards of the stored results, once each');
      assert.is(await commit.write(record(4, 4)), 'stored');
      assert.equal(batches(metrics), [2, 6], 'a lone result is a batch of its own');
    }));
}

test('the next batch goes to the writer while the one before commits, never more than two, and a lane task waiting stops new ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-group-'));
  const store = openSqliteStore(join(dir, 'ledger.sqlite'));
  try {
    await store.addDevice({ id: DEVICE, key: new Uint8Array(32), profile: 'espruino-esp32', tier: 'hash', owner: '03'.repeat(32), createdAt: 0 });
    // The real store behind a gate: each batch is written only when the test opens it.
    const real = storeWriter(store);
    const handed: number[][] = [];
    const gates: (() => void)[] = [];
    const gated: ResultWriter = {
      write(batch) {
        handed.push(batch.map((r) => r.counter));
        return new Promise<void>((open) => gates.push(open)).then(() => real.write(batch));
      },
      close: real.close,
    };
    const lane = new SerialLane();
    const commit = new GroupCommit(gated, lane, 64, new MetricsRegistry());
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const acks: number[] = [];
    const submit = (counter: number) => void commit.write(record(counter, counter)).then((outcome) => outcome === 'stored' && acks.push(counter));
    submit(1);
    await turn();
    submit(2);
    await turn();
    submit(3);
    await turn();
    await turn();
    assert.equal(handed, [[1], [2]], 'two batches in flight, the third waits');
    assert.equal(acks, [], 'no ack before its batch is durable');
    gates.shift()!();
    await turn();
    await turn();
    assert.equal(acks, [1]);
    assert.equal(handed, [[1], [2], [3]], 'the third goes out once the first is durable');
    // A block asks for the lane: batches in flight finish, no new one starts before it ran.
    const order: string[] = [];
    const block = lane.run(() => order.push('block'));
    submit(4);
    await turn();
    await turn();
    assert.equal(handed.length, 3, 'nothing new is handed over while a lane task waits');
    gates.shift()!();
    gates.shift()!();
    await block;
    order.push(`acks ${acks.join(',')}`);
    await turn();
    assert.equal(handed, [[1], [2], [3], [4]], 'the result that waited goes out after the block');
    gates.shift()!();
    await commit.idle();
    assert.equal(order, ['block', 'acks 1,2,3']);
    assert.equal(acks, [1, 2, 3, 4]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
