// After a fleet round, the HTTP API serves what the ledger and the store hold: the block with
// its transactions and reward credits, the committed transactions, the devices with their
// results and standing, the counts, and the device metrics.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publicKeyOf } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { HONEST } from '../../tools/loadgen/device.ts';
import { eventually, startFleet, transfer } from './fleet.ts';

const bob = publicKeyOf(demoSecretKey('bob'));
const carol = publicKeyOf(demoSecretKey('carol'));

test('the HTTP API returns what the ledger holds after a fleet round', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    const ids = [
      (await fleet.node.intake.submit(toHex(transfer('alice', bob, 11n, 0)))).id,
      (await fleet.node.intake.submit(toHex(transfer('bob', carol, 12n, 0)))).id,
    ];
    fleet.devices.service.sweep();
    // Four devices: each transfer goes to three, so one device stays idle.
    const devices = await Promise.all([1, 2, 3, 4].map(() => fleet.device('moddable-esp32', HONEST)));
    await Promise.all(devices.map((d) => d.connect()));
    await eventually(() => fleet.devices.service.consensus.accepted.length === 2, 'both accepted');
    await eventually(() => devices.filter((d) => d.acks.length > 0).length === 3, 'three devices returned their unit');
    await fleet.devices.service.rewards.idle();
    await fleet.node.producer.produce();

    const base = `http://127.0.0.1:${fleet.node.httpPort}`;
    const get = async (path: string) => (await fetch(base + path)).json() as Promise<Record<string, unknown>>;
    const stored = (await fleet.node.store.block(1))!;
    const block = await get('/blocks/1');
    assert.is(block.hash, toHex(stored.hash));
    assert.equal((block.transactions as { id: string }[]).map((t) => t.id).sort(), [...ids].sort());
    assert.equal(block.credits, stored.credits.map((c) => ({ account: toHex(c.account), amount: c.amount.toString() })));
    for (const id of ids) {
      const tx = await get(`/tx/${id}`);
      assert.equal([tx.status, tx.height, tx.tx], ['committed', 1, toHex((await fleet.node.store.transaction(Buffer.from(id, 'hex')))!.tx)]);
    }
    const listed = (await get('/devices')).devices as { id: string; results: number; reputation: number; lastCounter: number; suspended: boolean }[];
    for (const device of devices) {
      const record = (await fleet.node.store.device(device.identity.id))!;
      const shown = listed.find((d) => d.id === device.identity.id)!;
      assert.equal([shown.results, shown.reputation, shown.lastCounter, shown.suspended], [record.results, record.reputation, record.lastCounter, record.suspended]);
    }
    assert.is(listed.reduce((sum, d) => sum + d.results, 0), 3, 'each of the three devices that worked stored one result');
    const stats = await get('/stats');
    assert.equal([stats.blocks, stats.transactions, stats.results, stats.unpaidRewards], [2, 2, 3, 0]);
    const alice = await get(`/accounts/${toHex(publicKeyOf(demoSecretKey('alice')))}`);
    assert.equal([alice.nonce, alice.balance], [1, fleet.node.ledger.account(publicKeyOf(demoSecretKey('alice')))!.balance.toString()]);
    const metrics = await (await fetch(base + '/metrics')).text();
    assert.match(metrics, /^mm_device_results_total\{outcome="stored"\} 3$/m);
    assert.match(metrics, /^mm_consensus_decisions_total\{outcome="accept"\} 2$/m);
  } finally {
    await fleet.stop();
  }
});

test.run();
