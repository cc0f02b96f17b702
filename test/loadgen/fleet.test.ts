// Simulated devices that share one pacer, one read buffer and one digest, as a load run's fleet
// does, against a real node over loopback TCP: each paces itself past its burst on the shared
// timer, and every result it sends is checked (MAC, share, verdicts) and acknowledged durably.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { toHex } from '../../trusted-node/bytes.ts';
import { SimDevice, type SimIdentity } from '../../tools/loadgen/device.ts';
import { createSharedParts } from '../../tools/loadgen/shared.ts';
import { Pacer, type PacedTask } from '../../tools/loadgen/pacer.ts';
import { metric, secret, startFleet } from '../node-sessions/fleet.ts';

/** A pacer that counts the waits it was given. */
class CountingPacer extends Pacer {
  waits = 0;
  override schedule(task: PacedTask, dueAt: number): void {
    this.waits++;
    super.schedule(task, dueAt);
  }
}

const RATE = 12;
const ACKS = 10;

test('devices sharing their parts pace themselves on one timer and get every result acknowledged', async () => {
  // One-entry probe units at a low difficulty, as a load run's.
  const fleet = await startFleet({ scheduling: { probes: true, maxEntries: 1 }, rewards: { initialDifficulty: 2, minDifficulty: 2, maxDifficulty: 2 } });
  const pacer = new CountingPacer();
  const shared = { ...createSharedParts(), pacer };
  const devices: SimDevice[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const id = createHash('sha256').update(`loadgen fleet ${i} ${process.pid}`).digest('hex').slice(0, 16);
      const identity: SimIdentity = { id, key: secret(`loadgen key ${id}`), profile: 'espruino-esp32', tier: 'hash' };
      await fleet.node.store.addDevice({ id, key: identity.key, profile: identity.profile, tier: identity.tier, owner: toHex(secret('owner')), createdAt: 0 });
      devices.push(new SimDevice(identity, { port: fleet.node.port!, requestsPerSecond: RATE, shared }));
    }
    await Promise.all(devices.map((d) => d.connect()));
    await Promise.all(devices.map((d) => d.until(() => d.acked >= ACKS || d.closed)));
    for (const device of devices) {
      assert.equal(device.errors, []);
      assert.is(device.closed, false);
      assert.ok(device.acks.length >= ACKS);
      assert.ok(device.acks.every((a) => a.accepted), 'every result accepted');
    }
    // Each result is three requests (hello and auth before them): past the burst of 2 x RATE, a device waits on the pacer.
    const requests = devices.length * (2 + 3 * ACKS);
    assert.ok(pacer.waits >= requests - devices.length * 2 * RATE, `${pacer.waits} waits`);
    assert.ok(metric(fleet, 'mm_device_results_total{outcome="stored"}') >= devices.length * ACKS);
  } finally {
    await Promise.all(devices.map((d) => d.close()));
    await fleet.stop();
  }
  assert.is(pacer.size, 0, 'closing a device takes its wait out of the pacer');
});

test('a device refuses an option it does not know, naming it', () => {
  const identity: SimIdentity = { id: '0123456789abcdef', key: new Uint8Array(32), profile: 'espruino-esp32', tier: 'hash' };
  assert.throws(() => new SimDevice(identity, { port: 1, rate: 5 } as never), (e: Error) => e instanceof TypeError && /^unknown device option "rate" \(known: host, port, /.test(e.message));
});

test.run();
