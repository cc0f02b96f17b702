// Unit deadlines and what follows one: a device silent through its deadline loses the unit and
// hears nothing more until it speaks again (a device waiting for a lost answer must be left to
// its own answer timeout, a dead one must not hold unit after unit), and no unit is built for a
// device that cannot take it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGE_NOTIFY, MESSAGE_PONG } from '../../firmware/core/wire/client.ts';
import { SILENT } from '../../tools/loadgen/device.ts';
import { eventually, ManualClock, metric, startFleet } from './fleet.ts';

test('a device silent through its deadline: its unit is released, no new notify until its next request, no unit left open', async () => {
  const clock = new ManualClock();
  const fleet = await startFleet({ scheduling: { probes: true }, now: clock.now, limits: { sweepIntervalMs: 1_000_000 } });
  try {
    const silent = await fleet.device('moddable-esp32', SILENT);
    await silent.connect();
    const notifies = (): number => silent.messages.filter((m) => m.kind === MESSAGE_NOTIFY).length;
    await eventually(() => notifies() === 1, 'the device has a unit');
    for (let sweep = 1; sweep <= 3; sweep++) {
      clock.advance(20_000); // each time past the deadline of a small unit; all three within the idle timeout
      fleet.devices.service.sweep();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.is(metric(fleet, 'mm_units_released_total{why="expired"}'), 1, 'the unit expired once');
    assert.is(metric(fleet, 'mm_units_open'), 0, 'no unit is out: none was built for the silent device');
    assert.is(metric(fleet, 'mm_units_assigned_total{kind="probe"}'), 1);
    assert.is(notifies(), 1, 'no notify after the expiry');
    silent.ping();
    await eventually(() => notifies() === 2, 'its next request brings the next unit');
    assert.equal(silent.messages.slice(-2).map((m) => m.kind), [MESSAGE_PONG, MESSAGE_NOTIFY], 'after the answer to its request');
    assert.is(metric(fleet, 'mm_units_open'), 1);
  } finally {
    await fleet.stop();
  }
});

test.run();
