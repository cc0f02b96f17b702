// The node's clock at its boundary: a clock that gives fractional milliseconds (a virtual clock,
// performance.timeOrigin + performance.now()) serves devices and makes blocks as Date.now does,
// because the node takes whole milliseconds from it once, where it reads it; a clock that gives
// no time at all is refused by name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publicKeyOf } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { wholeMsClock } from '../../trusted-node/clock.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { HONEST } from '../../tools/loadgen/device.ts';
import { eventually, metric, startFleet, transfer } from './fleet.ts';

test('a clock with fractional milliseconds: results are stored and acknowledged, blocks are made, no node error', async () => {
  let time = 1_800_000_000_000.375;
  const now = (): number => (time += 0.125);
  const fleet = await startFleet({ now, consensus: { auditRate: 0 } }, { now });
  try {
    await fleet.node.intake.submit(toHex(transfer('alice', publicKeyOf(demoSecretKey('bob')), 5n, 0)));
    fleet.devices.service.sweep();
    const devices = await Promise.all([1, 2, 3].map(() => fleet.device('moddable-esp32', HONEST)));
    await Promise.all(devices.map((d) => d.connect()));
    await eventually(() => devices.every((d) => d.acks.length > 0), 'every device has an ack');
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1, 'the transfer is accepted');
    await fleet.devices.service.rewards.idle();
    const block = await fleet.node.producer.produce();
    assert.ok(block !== undefined, 'a block was made');
    assert.ok(Number.isInteger(fleet.node.ledger.head.header.time), 'the block time is whole milliseconds');
    for (const device of devices) assert.equal(device.errors, []);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="other"}'), 0);
    assert.is(metric(fleet, 'mm_device_results_total{outcome="stored"}'), 3);
  } finally {
    await fleet.stop();
  }
});

test('wholeMsClock floors what the clock gives and names a clock that gives no time', () => {
  assert.is(wholeMsClock(() => 1_700_000_000_000.9)(), 1_700_000_000_000);
  assert.is(wholeMsClock(() => 5)(), 5);
  assert.throws(() => wholeMsClock(() => Number.NaN, 'now')(), (e: Error) => e instanceof RangeError && e.message === '"now" expected a time in ms since the epoch (a finite number, 0 or more), got NaN');
  assert.throws(() => wholeMsClock(() => -1, 'now')(), /got -1/);
  assert.throws(() => wholeMsClock((() => '5') as unknown as () => number, 'now')(), (e: Error) => e instanceof TypeError && /got string/.test(e.message));
});

test.run();
