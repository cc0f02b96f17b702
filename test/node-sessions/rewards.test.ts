// Rewards and variable difficulty over a real fleet round: what each device is credited and
// paid is exactly what the rules give (rewards/rules.ts), the hourly cap holds to the unit, and
// difficulty moves toward the target share time. The node's clock is held still so that every
// share time, and so every speed level, is known.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGE_DIFFICULTY, MESSAGE_NOTIFY } from '../../firmware/core/wire/client.ts';
import { publicKeyOf } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { scaledReward, speedLevel, DEFAULT_REWARD_RULES } from '../../trusted-node/rewards/rules.ts';
import { HONEST, type SimDevice } from '../../tools/loadgen/device.ts';
import { eventually, ManualClock, secret, startFleet, transfer, type Fleet } from './fleet.ts';

const bob = publicKeyOf(demoSecretKey('bob'));
const carol = publicKeyOf(demoSecretKey('carol'));
const DIFFICULTY = 4;
/** The clock stands still: every unit takes 0 ms, counted as 1 ms. */
const LEVEL = speedLevel(DIFFICULTY, 0);
const SHARE = scaledReward(DEFAULT_REWARD_RULES.shareReward, LEVEL);
const VERDICT = scaledReward(DEFAULT_REWARD_RULES.verdictReward, LEVEL);
const FIXED = { initialDifficulty: DIFFICULTY, minDifficulty: DIFFICULTY, maxDifficulty: DIFFICULTY };

async function fleetOf(clock: ManualClock, rewards: object): Promise<{ fleet: Fleet; devices: SimDevice[]; owners: Uint8Array[] }> {
  const fleet = await startFleet({
    consensus: { auditRate: 0 }, rewards, now: clock.now, session: { burst: 10_000 }, limits: { sweepIntervalMs: 1_000_000, idleTimeoutMs: 100 * 3_600_000 },
  });
  const owners = [1, 2, 3].map((i) => publicKeyOf(secret(`owner ${i}`)));
  const devices = await Promise.all(owners.map((owner) => fleet.device('moddable-esp32', HONEST, owner)));
  return { fleet, devices, owners };
}

/** Three transfers from the three demo accounts, scheduled, worked by all three devices. */
async function round(fleet: Fleet, devices: SimDevice[], nonce: number): Promise<void> {
  const before = devices.map((d) => d.acks.length);
  await fleet.node.intake.submit(toHex(transfer('alice', bob, 1n, nonce)));
  await fleet.node.intake.submit(toHex(transfer('bob', carol, 2n, nonce)));
  await fleet.node.intake.submit(toHex(transfer('carol', bob, 3n, nonce)));
  fleet.devices.service.sweep();
  await eventually(() => devices.every((d, i) => d.acks.length === before[i]! + 1), 'each device returns its unit');
  await eventually(() => fleet.devices.service.consensus.accepted.length === 3, 'all three accepted');
  await fleet.devices.service.rewards.idle();
}

test('a fleet round pays each device exactly one share and one verdict reward per transaction, at its speed level', async () => {
  const clock = new ManualClock();
  const { fleet, devices, owners } = await fleetOf(clock, FIXED);
  try {
    await Promise.all(devices.map((d) => d.connect()));
    await round(fleet, devices, 0);
    assert.equal(devices.map((d) => d.acks.map((a) => [a.accepted, a.credited])), [[[true, String(SHARE)]], [[true, String(SHARE)]], [[true, String(SHARE)]]]);
    const block = (await fleet.node.producer.produce())!;
    assert.is(block.included.length, 3);
    const paid = await fleet.node.store.rewardsPaidAt(1);
    assert.is(paid.length, 3 * (1 + 3), 'one share and three verdicts per device');
    for (const owner of owners) {
      const expected = SHARE + 3n * VERDICT;
      assert.is(paid.filter((r) => toHex(r.account) === toHex(owner)).reduce((sum, r) => sum + r.amount, 0n), expected);
      assert.is(fleet.node.ledger.account(owner)?.balance, expected, 'the block credited the owner');
    }
    assert.is(block.block.credits.reduce((sum, c) => sum + c.amount, 0n), 3n * (SHARE + 3n * VERDICT));
    assert.is((await fleet.node.store.counts()).unpaidRewards, 0);
    assert.is(await fleet.node.producer.produce(), undefined, 'nothing is paid twice');
  } finally {
    await fleet.stop();
  }
});

test('the hourly cap: credits stop exactly at the cap, acks say so, and the next hour pays again', async () => {
  const clock = new ManualClock();
  clock.value = 10 * 3_600_000 + 1_000; // early in an hour
  const cap = SHARE + VERDICT + 7n;
  const { fleet, devices, owners } = await fleetOf(clock, { ...FIXED, hourlyCap: cap });
  try {
    await Promise.all(devices.map((d) => d.connect()));
    await round(fleet, devices, 0);
    await fleet.node.producer.produce();
    await round(fleet, devices, 1);
    assert.equal(devices[0]!.acks.map((a) => [a.accepted, a.credited]), [[true, String(SHARE)], [false, null]]);
    await fleet.node.producer.produce();
    for (const owner of owners) assert.is(fleet.node.ledger.account(owner)?.balance, cap);
    clock.advance(3_600_000);
    await round(fleet, devices, 2);
    assert.equal(devices[0]!.acks.at(-1)!.credited, String(SHARE));
    await fleet.node.producer.produce();
    for (const owner of owners) assert.is(fleet.node.ledger.account(owner)?.balance, 2n * cap);
  } finally {
    await fleet.stop();
  }
});

test('variable difficulty: fast shares raise it by two per share up to the maximum, announced with mm.difficulty', async () => {
  const clock = new ManualClock();
  const fleet = await startFleet({
    scheduling: { probes: true }, now: clock.now, session: { burst: 10_000 }, limits: { sweepIntervalMs: 1_000_000 },
    rewards: { initialDifficulty: 4, minDifficulty: 1, maxDifficulty: 10 },
  });
  try {
    const device = await fleet.device('espruino-esp32', HONEST);
    await device.connect();
    await eventually(() => device.acks.length >= 5, 'five results');
    const difficulties = device.messages.flatMap((m) => (m.kind === MESSAGE_NOTIFY ? [m.difficulty] : [])).slice(0, 5);
    assert.equal(difficulties, [4, 6, 8, 10, 10]);
    assert.equal(device.messages.flatMap((m) => (m.kind === MESSAGE_DIFFICULTY ? [m.difficulty] : [])), [6, 8, 10]);
  } finally {
    await fleet.stop();
  }
});

test.run();
