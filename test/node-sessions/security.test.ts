// What the node refuses on the device port, over real TCP: forged MACs, replayed and rolled-back
// counters, results for stale units, duplicates, shares below difficulty; every refusal has its
// wire code and is counted in /metrics, and an honest device alongside keeps being served.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeU32 } from '../../firmware/core/bytes.ts';
import { RESULT_MAC_AT, RESULT_NONCE_AT } from '../../firmware/core/layout.ts';
import { isShare } from '../../firmware/core/share.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { WIRE_ERROR_CODES } from '../../protocol/wire.ts';
import { HONEST } from '../../tools/loadgen/device.ts';
import { eventually, honestDevice, metric, RawPeer, startFleet, stillServed } from './fleet.ts';

const PROBES = { scheduling: { probes: true } } as const;

test('a forged MAC is answered 34 and the connection closed; the device\'s next connection works', async () => {
  const fleet = await startFleet(PROBES);
  try {
    const bystander = await honestDevice(fleet);
    const forger = await fleet.device('espruino-esp32', {
      tamper: (result) => {
        const copy = result.slice();
        copy[RESULT_MAC_AT] ^= 1;
        return copy;
      },
    });
    await forger.connect();
    await eventually(() => forger.closed, 'the node closes the forger');
    assert.equal(forger.errors, ['bad-mac']);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="bad-mac"}'), 1);
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="bad-mac"}'), 1);
    assert.is((await fleet.node.store.device(forger.identity.id))!.lastCounter, 0, 'nothing of it is stored');
    await stillServed(bystander);
  } finally {
    await fleet.stop();
  }
});

test('a share below the unit\'s difficulty is answered 23 and nothing is stored', async () => {
  const fleet = await startFleet(PROBES);
  try {
    const bystander = await honestDevice(fleet);
    const cheat = await fleet.device('espruino-esp32', {
      tamper: (result, digest, difficulty) => {
        const copy = result.slice();
        let nonce = 0;
        while (isShare(nodeDigest, digest, nonce, difficulty)) nonce++;
        writeU32(copy, RESULT_NONCE_AT, nonce);
        return copy;
      },
    });
    await cheat.connect();
    await eventually(() => cheat.errors.length === 1, 'the node answers the submit');
    assert.equal(cheat.errors, ['low-difficulty']);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="low-difficulty"}'), 1);
    assert.is((await fleet.node.store.device(cheat.identity.id))!.lastCounter, 0, 'nothing of it is stored');
    await stillServed(bystander);
  } finally {
    await fleet.stop();
  }
});

test('a rolled-back counter is refused as replayed (35); the device continues above the stored counter after reconnecting', async () => {
  const fleet = await startFleet(PROBES);
  try {
    const bystander = await honestDevice(fleet);
    const device = await fleet.device('espruino-esp32', HONEST);
    await device.connect();
    await eventually(() => device.acks.length >= 2, 'two results stored');
    device.counter = 0; // its flash was rolled back
    await eventually(() => device.errors.length === 1, 'the node refuses the next result');
    assert.equal(device.errors, ['replayed']);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="replayed"}'), 1);
    const stored = (await fleet.node.store.device(device.identity.id))!.lastCounter;
    await device.close();
    device.errors.length = 0;
    await device.connect();
    assert.is(device.counter, stored, 'mm.auth tells the device the last counter the node holds');
    await eventually(() => device.acks.some((a) => a.counter === stored + 1), 'the next result is stored');
    await stillServed(bystander);
  } finally {
    await fleet.stop();
  }
});

test('a result resent after its ack was lost is a duplicate (22); a result for a unit not open is stale (21)', async () => {
  const fleet = await startFleet(PROBES);
  try {
    const bystander = await honestDevice(fleet);
    const device = await fleet.device('espruino-esp32', HONEST);
    await device.connect();
    await eventually(() => device.acks.length >= 1, 'a result stored');
    const submit = JSON.parse(device.lastSubmit!) as { params: [number, string] };
    await device.close();
    const peer = await RawPeer.open(fleet.node.port!);
    await peer.authenticate(device.identity);
    peer.send({ id: 3, method: 'mm.submit', params: submit.params });
    await eventually(() => peer.codes.length === 1, 'the resend is answered');
    const other = submit.params[1].replace(/^.{8}/, 'ffffff7f');
    peer.send({ id: 4, method: 'mm.submit', params: [0x7fffffff, other] });
    await eventually(() => peer.codes.length === 2, 'the stale submit is answered');
    assert.equal(peer.codes, [WIRE_ERROR_CODES.duplicate, WIRE_ERROR_CODES.stale]);
    assert.is(peer.ended, false, 'neither closes the connection');
    assert.is(metric(fleet, 'mm_wire_errors_total{error="duplicate"}'), 1);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="stale"}'), 1);
    peer.destroy();
    await stillServed(bystander);
  } finally {
    await fleet.stop();
  }
});

test.run();
