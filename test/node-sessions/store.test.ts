// What the device layer adds to the store contract: a result's share reward is credited in the
// same transaction as the result (and only when the result is stored), and the hourly cap can
// read what a device was credited since a time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../trusted-node/store/sqlite.ts';
import type { ResultRecord } from '../../trusted-node/store/types.ts';

const owner = new Uint8Array(32).fill(5);

test('a share reward is credited with its result, never with a refused one', async () => {
  const store = openSqliteStore(':memory:');
  try {
    await store.addDevice({ id: '00000000000000aa', key: new Uint8Array(32), profile: 'espruino-esp32', tier: 'hash', owner: Buffer.from(owner).toString('hex'), createdAt: 0 });
    const result = (counter: number, amount: bigint, time: number): ResultRecord => ({
      deviceId: '00000000000000aa', counter, unitId: 7, result: new Uint8Array(112).fill(Number(amount)), share: true, receivedAt: time, verdicts: [],
      rewards: [{ deviceId: '00000000000000aa', account: owner, kind: 'share', amount, unitId: 7, createdAt: time }],
    });
    const outcomes = await store.recordResults([result(1, 10n, 1_000), result(1, 20n, 2_000), result(3, 30n, 3_000), result(2, 40n, 4_000)]);
    assert.equal(outcomes, ['stored', 'counter', 'stored', 'counter']);
    const unpaid = await store.unpaidRewards(10);
    assert.equal(unpaid.map((r) => r.amount), [10n, 30n]);
    assert.is(await store.rewardedSince('00000000000000aa', 0), 40n);
    assert.is(await store.rewardedSince('00000000000000aa', 2_000), 30n);
    await store.voidRewards('00000000000000aa', 'test', 7);
    assert.is(await store.rewardedSince('00000000000000aa', 0), 40n, 'voided rewards still count against the cap');
  } finally {
    await store.close();
  }
});

test.run();
