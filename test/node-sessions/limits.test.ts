// Garbage, floods, slow-loris and idle connections on the device port: each gets the protocol's
// error or a disconnect, is counted in /metrics, and an honest device keeps being served.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_LINE, WIRE_ERROR_CODES as CODE } from '../../protocol/wire.ts';
import { HONEST } from '../../tools/loadgen/device.ts';
import { eventually, honestDevice, ManualClock, metric, RawPeer, startFleet, stillServed } from './fleet.ts';

test('malformed JSON, an over-long line and an unknown method: 30, 31, 32, then the third strike closes', async () => {
  const fleet = await startFleet({ scheduling: { probes: true } });
  try {
    const honest = await honestDevice(fleet);
    const peer = await RawPeer.open(fleet.node.port!, '127.0.0.2');
    peer.send('{"id":1,"method":\n');
    peer.send('x'.repeat(MAX_LINE + 100) + '\n');
    peer.send({ id: 2, method: 'mm.steal', params: [] });
    await peer.closed;
    assert.equal(peer.codes, [CODE.malformed, CODE['line-too-long'], CODE['unknown-method']]);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="malformed"}'), 1);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="line-too-long"}'), 1);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="unknown-method"}'), 1);
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="strikes"}'), 1);
    await stillServed(honest);
  } finally {
    await fleet.stop();
  }
});

test('messages out of order: before hello 25, before auth 24, a second hello 33, a pull of a unit never assigned 33', async () => {
  const fleet = await startFleet({ scheduling: { probes: true } });
  try {
    const honest = await honestDevice(fleet);
    const early = await RawPeer.open(fleet.node.port!);
    early.send({ id: 1, method: 'mm.pull', params: [1, 0, null] });
    await early.received(1);
    early.send({ id: 2, method: 'mm.hello', params: ['mm/1', '0123456789abcdef', 'raw-1', 'espruino-esp32', 'hash', 0] });
    await early.received(2);
    early.send({ id: 3, method: 'mm.submit', params: [1, '00'.repeat(112)] });
    await early.received(3);
    early.send({ id: 4, method: 'mm.hello', params: ['mm/1', '0123456789abcdef', 'raw-1', 'espruino-esp32', 'hash', 0] });
    await early.closed;
    assert.equal(early.codes, [CODE['not-subscribed'], CODE.unauthorized, CODE['out-of-order']]);
    const device = await fleet.device('espruino-esp32', HONEST);
    const peer = await RawPeer.open(fleet.node.port!);
    await peer.authenticate(device.identity);
    peer.send({ id: 3, method: 'mm.pull', params: [42, 0, null] });
    await eventually(() => peer.codes.length === 1, 'the pull is answered');
    assert.equal(peer.codes, [CODE['out-of-order']]);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="out-of-order"}'), 2);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="not-subscribed"}'), 1);
    assert.is(metric(fleet, 'mm_wire_errors_total{error="unauthorized"}'), 1);
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="strikes"}'), 1, 'the third strike closed the early peer');
    await stillServed(honest);
    peer.destroy();
  } finally {
    await fleet.stop();
  }
});

test('a flood from one address is cut off by the per-address line limit; the honest device is served', async () => {
  const fleet = await startFleet({ scheduling: { probes: true }, limits: { linesPerSecondPerAddress: 50 } });
  try {
    const honest = await honestDevice(fleet);
    const flooders = await Promise.all([1, 2, 3].map(() => RawPeer.open(fleet.node.port!, '127.0.0.2')));
    for (const f of flooders) f.send('{"id":1,"method":"mm.ping","params":[]}\n'.repeat(60));
    await Promise.all(flooders.map((f) => f.closed));
    assert.ok(metric(fleet, 'mm_device_disconnects_total{reason="address-flood"}') >= 2, 'the address ran out of lines');
    await stillServed(honest);
  } finally {
    await fleet.stop();
  }
});

test('a device flooding requests is rate limited (39) and then cut off by its own line limit across connections', async () => {
  const fleet = await startFleet({ scheduling: { probes: true }, limits: { linesPerSecondPerDevice: 10 } });
  try {
    const honest = await honestDevice(fleet);
    const device = await fleet.device('espruino-esp32', HONEST);
    const peer = await RawPeer.open(fleet.node.port!);
    await peer.authenticate(device.identity);
    peer.send('{"id":7,"method":"mm.ping","params":[]}\n'.repeat(100));
    await peer.closed;
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="device-flood"}'), 1);
    // A new connection does not reset the device's allowance.
    const again = await RawPeer.open(fleet.node.port!);
    await again.authenticate(device.identity);
    again.send('{"id":7,"method":"mm.ping","params":[]}\n'.repeat(30));
    await again.closed;
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="device-flood"}'), 2);
    await stillServed(honest);
  } finally {
    await fleet.stop();
  }
});

test('slow-loris: a half line never completed hits the handshake timeout; an authenticated trickle hits the idle timeout', async () => {
  const clock = new ManualClock();
  const fleet = await startFleet({ scheduling: { probes: true }, now: clock.now, limits: { sweepIntervalMs: 1_000_000, handshakeTimeoutMs: 10_000, idleTimeoutMs: 60_000 } });
  try {
    const loris = await RawPeer.open(fleet.node.port!);
    loris.send('{"id":1,"method":"mm.he');
    const device = await fleet.device('espruino-esp32', HONEST);
    const trickle = await RawPeer.open(fleet.node.port!);
    await trickle.authenticate(device.identity);
    trickle.send('{"id":3,');
    clock.advance(11_000);
    fleet.devices.service.sweep();
    await loris.closed;
    assert.is(trickle.ended, false, 'an authenticated device has its idle time');
    trickle.send('"method":');
    clock.advance(50_000);
    fleet.devices.service.sweep();
    await trickle.closed;
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="handshake-timeout"}'), 1);
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="idle-timeout"}'), 1);
    const honest = await honestDevice(fleet);
    await stillServed(honest);
  } finally {
    await fleet.stop();
  }
});

test('a thousand idle connections: the per-address cap refuses the excess, the handshake timeout clears the rest, a device is served throughout', async () => {
  const clock = new ManualClock();
  const fleet = await startFleet({
    scheduling: { probes: true }, now: clock.now,
    limits: { sweepIntervalMs: 1_000_000, maxConnectionsPerAddress: 900, connectsPerSecondPerAddress: 5_000 },
  });
  try {
    const idle: RawPeer[] = [];
    for (let i = 0; i < 1_000; i++) idle.push(await RawPeer.open(fleet.node.port!, '127.0.0.3'));
    await eventually(() => metric(fleet, 'mm_device_connections_refused_total{reason="over-address"}') === 100, 'the excess is refused');
    const honest = await honestDevice(fleet);
    await stillServed(honest);
    assert.is(metric(fleet, 'mm_device_connections'), 901);
    clock.advance(11_000);
    fleet.devices.service.sweep();
    await Promise.all(idle.map((p) => p.closed));
    assert.is(metric(fleet, 'mm_device_disconnects_total{reason="handshake-timeout"}'), 900);
    await eventually(() => metric(fleet, 'mm_device_connections') === 1, 'only the device is left');
    await stillServed(honest);
  } finally {
    await fleet.stop();
  }
});

test('the total connection cap refuses a connection past it', async () => {
  const fleet = await startFleet({ limits: { maxConnections: 5 } });
  try {
    const peers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => RawPeer.open(fleet.node.port!)));
    await eventually(() => metric(fleet, 'mm_device_connections_refused_total{reason="over-total"}') === 1, 'the sixth is refused');
    // The refusal is counted before the refused peer reads its end: wait for it rather than race it.
    await eventually(() => peers.some((p) => p.ended), 'the refused peer sees its connection end');
    assert.is(peers.filter((p) => p.ended).length, 1);
    for (const p of peers) p.destroy();
  } finally {
    await fleet.stop();
  }
});

test.run();
