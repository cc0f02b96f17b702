// Quorum consensus with honest, lying and silent devices, each a simulated device speaking the
// real protocol to a real node over loopback TCP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGE_NOTIFY } from '../../firmware/core/wire/client.ts';
import { publicKeyOf } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { HONEST, LIAR, SILENT, type Behavior, type SimDevice } from '../../tools/loadgen/device.ts';
import { eventually, inject, ManualClock, metric, startFleet, transfer, type Fleet } from './fleet.ts';

const bob = publicKeyOf(demoSecretKey('bob'));
const carol = publicKeyOf(demoSecretKey('carol'));
/** Calls a valid transaction invalid and an invalid one valid, like LIAR, but only on valid ones. */
const ACCEPTS_ALL: Behavior = { verdict: () => 0 };

function forged(tx: Uint8Array): Uint8Array {
  const copy = tx.slice();
  copy[120] ^= 1;
  return copy;
}

async function connected(fleet: Fleet, ...behaviors: [string, Behavior][]): Promise<SimDevice[]> {
  const devices = await Promise.all(behaviors.map(([profile, behavior]) => fleet.device(profile, behavior)));
  await Promise.all(devices.map((d) => d.connect()));
  return devices;
}

async function reputation(fleet: Fleet, device: SimDevice): Promise<[number, boolean]> {
  const record = await fleet.node.store.device(device.identity.id);
  return [record!.reputation, record!.suspended];
}

test('three honest sig-tier devices accept a valid transfer and it is committed', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    const devices = await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', HONEST], ['moddable-esp32s3', HONEST]);
    const accepted = await fleet.node.intake.submit(toHex(transfer('alice', bob, 500n, 0)));
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1, 'the quorum accepts');
    const block = await fleet.node.producer.produce();
    assert.equal(block?.included.map((t) => t.key), [accepted.id]);
    assert.is((await fleet.node.store.transaction(Buffer.from(accepted.id, 'hex')))?.height, 1);
    await eventually(() => devices.every((d) => d.acks.length === 1), 'every device has its ack');
    assert.equal(devices.map((d) => d.errors), [[], [], []]);
    assert.is(metric(fleet, 'mm_consensus_decisions_total{outcome="accept"}'), 1);
  } finally {
    await fleet.stop();
  }
});

test('honest devices reject a forged signature: it and its sender\'s later transfer leave the mempool, never the ledger', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    const bad = await inject(fleet.node, forged(transfer('alice', bob, 5n, 0)));
    await fleet.node.intake.submit(toHex(transfer('alice', bob, 6n, 1)));
    await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', HONEST], ['moddable-esp32', HONEST]);
    fleet.devices.service.sweep();
    await eventually(() => fleet.node.mempool.size === 0, 'the rejected transfer and its successor are dropped');
    assert.is(metric(fleet, 'mm_consensus_decisions_total{outcome="reject"}'), 1);
    assert.equal((await fleet.node.producer.produce())?.block.transactions, [], 'a block settles the devices\' rewards, with no transaction');
    assert.is(await fleet.node.store.transaction(Buffer.from(bad, 'hex')), undefined);
  } finally {
    await fleet.stop();
  }
});

test('a lying device is outvoted, proven wrong by the audit of the disagreement, and loses its unit\'s rewards', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    const [honest1, honest2, liar] = await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', HONEST], ['moddable-esp32', LIAR]);
    await fleet.node.intake.submit(toHex(transfer('alice', bob, 500n, 0)));
    fleet.devices.service.sweep();
    await eventually(async () => (await reputation(fleet, liar!))[0] === -10, 'the liar is penalized');
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1, 'the honest quorum accepts');
    // The liar's verdict is audited as a disagreement, or after the decision if the honest
    // quorum came first; either way the honest verdicts stand and the liar's is wrong.
    assert.equal((await reputation(fleet, honest1!))[1], false);
    assert.is(metric(fleet, 'mm_verdicts_wrong_total'), 1);
    await fleet.devices.service.rewards.idle();
    const unpaid = await fleet.node.store.unpaidRewards(100);
    assert.equal(unpaid.filter((r) => r.deviceId === liar!.identity.id), [], 'the liar\'s share reward for that unit is void');
    assert.ok(unpaid.some((r) => r.deviceId === honest1!.identity.id && r.kind === 'verdict'));
  } finally {
    await fleet.stop();
  }
});

test('a device that keeps lying is suspended: disconnected, refused at authentication, its verdicts void', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    await fleet.node.intake.submit(toHex(transfer('alice', bob, 1n, 0)));
    await fleet.node.intake.submit(toHex(transfer('bob', carol, 2n, 0)));
    await fleet.node.intake.submit(toHex(transfer('carol', bob, 3n, 0)));
    fleet.devices.service.sweep();
    const [, , liar] = await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', HONEST], ['moddable-esp32', LIAR]);
    await eventually(() => liar!.closed, 'the liar is disconnected');
    assert.equal(await reputation(fleet, liar!), [-30, true]);
    await eventually(() => fleet.devices.service.consensus.accepted.length === 3, 'the honest quorum accepts all three');
    const block = await fleet.node.producer.produce();
    assert.is(block?.included.length, 3);
    assert.is(metric(fleet, 'mm_devices_suspended_total'), 1);
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="suspended"}'), 1);
    liar!.errors.length = 0;
    await liar!.connect().then(() => assert.unreachable('a suspended device authenticated'), () => undefined);
    assert.equal(liar!.errors, ['unauthorized']);
  } finally {
    await fleet.stop();
  }
});

test('two liars accepting a forged transfer against one honest device: the audit rejects it and penalizes both', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    const bad = await inject(fleet.node, forged(transfer('alice', bob, 5n, 0)));
    const [honest, liar1, liar2] = await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', ACCEPTS_ALL], ['moddable-esp32', ACCEPTS_ALL]);
    fleet.devices.service.sweep();
    await eventually(() => fleet.node.mempool.size === 0, 'the forged transfer is dropped');
    assert.equal([await reputation(fleet, liar1!), await reputation(fleet, liar2!), (await reputation(fleet, honest!))[1]], [[-10, false], [-10, false], false]);
    assert.equal(fleet.devices.service.consensus.accepted, [], 'an acceptance contradicted before its block is taken back');
    assert.is(await fleet.node.store.transaction(Buffer.from(bad, 'hex')), undefined);
  } finally {
    await fleet.stop();
  }
});

test('three liars agreeing on a forged transfer cannot put it in the ledger: the block refuses it and audits them', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    const bad = await inject(fleet.node, forged(transfer('alice', bob, 5n, 0)));
    const liars = await connected(fleet, ['moddable-esp32', ACCEPTS_ALL], ['moddable-esp32', ACCEPTS_ALL], ['moddable-esp32', ACCEPTS_ALL]);
    fleet.devices.service.sweep();
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1, 'the liars\' quorum accepts');
    const block = await fleet.node.producer.produce();
    assert.equal(block?.included, []);
    assert.equal(block?.refused.map((r) => r.refusal.reason), ['bad-signature']);
    assert.is(await fleet.node.store.transaction(Buffer.from(bad, 'hex')), undefined);
    // The quorum reached 2; the third verdict may arrive after the block: all that arrived are audited.
    assert.is(metric(fleet, 'mm_audits_total{trigger="ledger",outcome="wrong"}') >= 2, true);
    const penalized = async () => (await Promise.all(liars.map((l) => reputation(fleet, l)))).filter(([r]) => r === -10).length;
    await eventually(async () => (await penalized()) >= 2, 'the liars\' standing is written');
  } finally {
    await fleet.stop();
  }
});

test('a silent device\'s unit expires at its deadline and the transaction goes to another device', async () => {
  const clock = new ManualClock();
  const fleet = await startFleet({ consensus: { auditRate: 0, replicas: 2, quorum: 2 }, now: clock.now, limits: { sweepIntervalMs: 1_000_000 } });
  try {
    await fleet.node.intake.submit(toHex(transfer('alice', bob, 500n, 0)));
    fleet.devices.service.sweep();
    const [honest, silent] = await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', SILENT]);
    await eventually(() => honest!.acks.length === 1 && silent!.messages.some((m) => m.kind === MESSAGE_NOTIFY), 'both have the unit, one answers');
    const late = await fleet.device('moddable-esp32', HONEST);
    await late.connect();
    assert.is(fleet.devices.service.consensus.accepted.length, 0, 'one verdict is not a quorum');
    fleet.devices.service.sweep();
    assert.is(metric(fleet, 'mm_units_assigned_total{kind="consensus"}'), 2, 'the job is out to two devices already');
    clock.advance(90_000); // past the unit's deadline and grace (seconds for moddable-esp32), within the idle timeout
    fleet.devices.service.sweep();
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1 && late.acks.length === 1, 'the late device completes the quorum');
    assert.is(metric(fleet, 'mm_units_released_total{why="expired"}'), 1);
  } finally {
    await fleet.stop();
  }
});

test('a device proven wrong is replaced: with q = 3 the job goes to a fourth device', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0, replicas: 3, quorum: 3 } });
  try {
    await fleet.node.intake.submit(toHex(transfer('alice', bob, 500n, 0)));
    fleet.devices.service.sweep();
    const first = await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', HONEST], ['moddable-esp32', LIAR]);
    await eventually(() => first.every((d) => d.acks.length === 1), 'the first three answer');
    const fourth = await fleet.device('moddable-esp32', HONEST);
    await fourth.connect();
    fleet.devices.service.sweep();
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1 && fourth.acks.length === 1, 'the fourth device completes the quorum');
    assert.is(metric(fleet, 'mm_verdicts_wrong_total'), 1);
  } finally {
    await fleet.stop();
  }
});

test('a device that disconnects mid-unit keeps it until its deadline; then the job goes to another device', async () => {
  const clock = new ManualClock();
  const fleet = await startFleet({ consensus: { auditRate: 0, replicas: 2, quorum: 2 }, now: clock.now, limits: { sweepIntervalMs: 1_000_000 } });
  try {
    await fleet.node.intake.submit(toHex(transfer('alice', bob, 500n, 0)));
    fleet.devices.service.sweep();
    const [honest, gone] = await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', SILENT]);
    await eventually(() => honest!.acks.length === 1 && gone!.messages.some((m) => m.kind === MESSAGE_NOTIFY), 'both have the unit');
    await gone!.close();
    const late = await fleet.device('moddable-esp32', HONEST);
    await late.connect();
    fleet.devices.service.sweep();
    assert.is(metric(fleet, 'mm_units_assigned_total{kind="consensus"}'), 2, 'the unit is kept for the device that left');
    clock.advance(90_000); // past the kept unit's deadline
    fleet.devices.service.sweep();
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1 && late.acks.length === 1, 'the late device completes the quorum');
    assert.is(metric(fleet, 'mm_units_released_total{why="expired"}'), 1);
  } finally {
    await fleet.stop();
  }
});

test('with only hash-tier devices the node checks signatures itself: a forged one is rejected without blaming them', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    const bad = await inject(fleet.node, forged(transfer('alice', bob, 5n, 0)));
    const good = await fleet.node.intake.submit(toHex(transfer('bob', carol, 7n, 0)));
    const devices = await connected(fleet, ['espruino-esp32', HONEST], ['espruino-esp32', HONEST], ['espruino-esp32c3', HONEST]);
    fleet.devices.service.sweep();
    await eventually(() => fleet.node.mempool.get(bad) === undefined && fleet.devices.service.consensus.accepted.length === 1, 'both are decided');
    assert.is(fleet.devices.service.consensus.accepted[0]!.key, good.id);
    assert.is(fleet.devices.service.consensus.accepted[0]!.tier, 'hash');
    for (const d of devices) assert.equal(await reputation(fleet, d), [0, false]);
    assert.is(metric(fleet, 'mm_consensus_decisions_total{outcome="reject"}'), 1);
    const block = await fleet.node.producer.produce();
    assert.equal(block?.included.map((t) => t.key), [good.id]);
  } finally {
    await fleet.stop();
  }
});

test('the audit sample re-checks agreeing verdicts when drawn (rate 1: every one)', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 1, auditSeed: 7 } });
  try {
    const devices = await connected(fleet, ['moddable-esp32', HONEST], ['moddable-esp32', HONEST], ['moddable-esp32', HONEST]);
    await fleet.node.intake.submit(toHex(transfer('alice', bob, 500n, 0)));
    fleet.devices.service.sweep();
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1, 'accepted');
    assert.is(metric(fleet, 'mm_audits_total{trigger="sample",outcome="confirmed"}'), 2, 'the two verdicts that made the quorum');
    assert.is(devices.length, 3);
  } finally {
    await fleet.stop();
  }
});

test.run();
