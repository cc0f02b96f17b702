// The request limits against an honest device at full speed: pulls and results move its unit
// forward and give their line back, so a unit of 150 entries pulled as fast as loopback allows
// is never throttled, while requests that do not (pings here) are refused past the burst and
// counted, per connection and per device. The node's clock stands still: no token ever refills.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGE_ENTRY } from '../../firmware/core/wire/client.ts';
import { publicKeyOf } from '../../protocol/tx.ts';
import { WIRE_ERROR_CODES as CODE } from '../../protocol/wire.ts';
import type { GenesisConfig } from '../../trusted-node/ledger/genesis.ts';
import { HONEST } from '../../tools/loadgen/device.ts';
import { ManualClock, metric, RawPeer, secret, startFleet } from './fleet.ts';

/** Enough accounts for probe units as large as a moddable-esp32 takes without signatures (150 entries). */
const genesis: GenesisConfig = {
  chainId: 1, minFee: 10n, time: 0,
  accounts: Array.from({ length: 160 }, (_, i) => ({ publicKey: publicKeyOf(secret(`account ${i}`)), balance: 1_000_000n })),
};

test('an honest device pulling two units of 150 entries at full speed is never rate limited', async () => {
  const clock = new ManualClock();
  const fleet = await startFleet({ scheduling: { probes: true }, now: clock.now, limits: { sweepIntervalMs: 1_000_000 } }, { genesis });
  try {
    const device = await fleet.device('moddable-esp32', HONEST, undefined, undefined, 1_000_000);
    await device.connect();
    await device.until(() => device.acks.length >= 2 || device.closed);
    assert.equal(device.errors, []);
    assert.is(device.closed, false);
    assert.is(metric(fleet, 'mm_device_results_total{outcome="stored"}'), 2);
    // Each unit: 150 entries, 151 pulls and a submit, far past every burst (40, 80) at a clock that never moves.
    assert.is(device.messages.filter((m) => m.kind === MESSAGE_ENTRY).length, 2 * 151);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="rate-limited"}'), 0);
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="device-flood"}'), 0);
  } finally {
    await fleet.stop();
  }
});

test('pings that each wait for their answer are refused past the burst (39, strikes), then across connections by the device\'s line limit', async () => {
  const clock = new ManualClock();
  const fleet = await startFleet({ now: clock.now, limits: { sweepIntervalMs: 1_000_000, linesPerSecondPerDevice: 25 } });
  try {
    const device = await fleet.device('espruino-esp32', HONEST);
    const peer = await RawPeer.open(fleet.node.port!);
    await peer.authenticate(device.identity);
    for (let id = 10; !peer.ended; id++) {
      peer.send({ id, method: 'mm.ping', params: [] });
      await peer.received(peer.lines.length + 1);
    }
    // The session's burst of 40, less the two handshake requests; then three strikes.
    assert.equal(peer.codes, [CODE['rate-limited'], CODE['rate-limited'], CODE['rate-limited']]);
    assert.is(peer.lines.filter((l) => l.result === true).length, 38);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="rate-limited"}'), 3);
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="strikes"}'), 1);
    // A new connection has a fresh session burst, but the device's own lines (burst 50 here) are 41 down.
    const again = await RawPeer.open(fleet.node.port!);
    await again.authenticate(device.identity);
    for (let id = 10; !again.ended; id++) {
      again.send({ id, method: 'mm.ping', params: [] });
      await again.received(again.lines.length + 1);
    }
    assert.is(again.lines.filter((l) => l.result === true).length, 50 - 41, 'pongs until the device\'s lines run out');
    assert.equal(again.codes, [], 'cut off by the line limit, not answered');
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="device-flood"}'), 1);
  } finally {
    await fleet.stop();
  }
});

test.run();
