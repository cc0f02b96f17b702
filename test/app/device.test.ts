import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDevice, type Device, type DeviceBuild } from '../../firmware/app/device.ts';
import { markedVerifier } from '../../firmware/app/probe.ts';
import { CHECK_SIGNATURE, HEADER_CHECKS_AT, TX_SIGNATURE_AT } from '../../firmware/core/layout.ts';
import { LINE_UNKNOWN_NOTIFICATION } from '../../firmware/core/wire/protocol.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import { exampleIdentity, exampleUnit } from '../../protocol/wire-example.ts';
import { encodeError, encodeNotify } from '../../protocol/wire.ts';
import { FAST, configFor, nodeHal, startNode, until, type Flash, type NodeHal } from './support.ts';

const build: DeviceBuild = { firmware: '0.1.0', target: 'espruino-esp32', tier: 'hash', slice: { attempts: 16, hexBytes: 64, levels: 4, verifierSteps: 8, ms: 20 } };

function device(flash: Flash, port: number): { device: Device; hal: NodeHal } {
  const hal = nodeHal(flash, configFor(exampleIdentity(), port));
  return { device: createDevice(hal, build, FAST, null), hal };
}

test('a device works two units over loopback TCP: pulls, verdicts, share, MAC and acknowledgement', async () => {
  const node = await startNode([exampleUnit(7, 3, 4, 8), exampleUnit(8, 2, 4, 8)]);
  const flash: Flash = new Map();
  const { device: d, hal } = device(flash, node.port);
  try {
    assert.is(d.start(), null);
    await until(() => d.status().acked === 2, 'two acknowledgements');
    // The node's session verified each result (share, MAC, counts, verdict chain) before storing it.
    assert.equal(node.stored(), [{ unitId: 7, counter: 1, verdicts: [0, 0, 5] }, { unitId: 8, counter: 2, verdicts: [0, 0] }]);
    assert.equal(node.hosts.flatMap((h) => h.events).filter((e) => e.type === 'error'), []);
    assert.equal(d.status(), { stage: 'ready', problem: '', unitId: null, counter: 2, queued: 0, acked: 2, connects: 1 });
    // The counter was written before use, alternating slots; no result is left queued.
    assert.equal([...flash.entries()].sort(), [['ctr0', '2'], ['ctr1', '1']]);
    for (const phase of ['decode', 'checks', 'share', 'mac', 'io'] as const) assert.ok(hal.marks.includes(phase), `phase ${phase} marked`);
  } finally {
    d.stop();
    await node.close();
  }
});

test('a dropped connection mid-unit: the device reconnects and resumes the unit where it stopped', async () => {
  const node = await startNode([exampleUnit(41, 5, 12, 4), exampleUnit(42, 1, 12, 4)]);
  let entries = 0;
  // Cut the connection instead of sending the third entry: that pull must be answered again.
  node.cut = (line) => line.includes('"entry":"') && ++entries === 3;
  const { device: d } = device(new Map(), node.port);
  try {
    d.start();
    await until(() => d.status().acked === 2, 'two acknowledgements');
    assert.equal(node.stored(), [{ unitId: 41, counter: 1, verdicts: [0, 0, 5, 0, 0] }, { unitId: 42, counter: 2, verdicts: [0] }]);
    assert.is(d.status().connects, 2);
    // The second connection's auth handed the open unit back, and the device went on with it.
    assert.ok(node.hosts[1]!.sent[1]!.includes('"unit":41'), node.hosts[1]!.sent[1]);
    assert.equal(node.hosts.flatMap((h) => h.events).filter((e) => e.type === 'unit-dropped'), []);
  } finally {
    d.stop();
    await node.close();
  }
});

test('a power cut after a result was stored but before its ack: the restarted device resends it and never reuses a counter', async () => {
  const node = await startNode([exampleUnit(51, 2, 4, 6), exampleUnit(52, 2, 4, 6)]);
  const flash: Flash = new Map();
  const first = device(flash, node.port);
  // The node stores the first result durably; the power goes at the moment its ack would leave.
  node.cut = (line) => {
    if (!line.includes('"accepted"')) return false;
    first.device.stop();
    node.cut = undefined;
    return true;
  };
  first.device.start();
  await until(() => first.device.status().stage === 'stopped', 'the power cut');
  assert.equal(node.stored().map((s) => [s.unitId, s.counter]), [[51, 1]]);
  assert.is(first.device.status().queued, 1, 'the unacknowledged result is still queued');
  const second = device(flash, node.port);
  try {
    second.device.start();
    // The counter and the queued result come back in slices (its hex checked) before the device connects.
    assert.is(second.device.status().queued, 0);
    await until(() => second.device.status().queued === 1, 'queue read back from flash');
    assert.is(second.device.status().counter, 1, 'counter read back from flash');
    await until(() => node.stored().length === 2 && second.device.status().queued === 0, 'the second unit stored and the queue drained');
    assert.equal(node.stored().map((s) => [s.unitId, s.counter]), [[51, 1], [52, 2]]);
    // The resent result was recognised as stored already (22), not counted twice; unit 52, open
    // when the power went, was refused as stale (the device had lost it) and offered again.
    const errors = node.hosts.flatMap((h) => h.events).filter((e) => e.type === 'error');
    assert.equal(errors.map((e) => e.type === 'error' && e.error), ['duplicate']);
    const refused = node.hosts.flatMap((h) => h.events).filter((e) => e.type === 'unit-dropped');
    assert.equal(refused.map((e) => e.type === 'unit-dropped' && [e.unitId, e.why, e.refusal]), [[52, 'refused', 'stale']]);
  } finally {
    second.device.stop();
    await node.close();
  }
});

test('a power cut right after a counter was reserved: the counter is skipped, never reused', async () => {
  const node = await startNode([exampleUnit(61, 1, 4, 6), exampleUnit(62, 1, 4, 6)]);
  const flash: Flash = new Map();
  const first = device(flash, node.port);
  first.hal.afterWrite = (key) => {
    if (key.startsWith('ctr')) first.device.stop();
  };
  first.device.start();
  await until(() => first.device.status().stage === 'stopped', 'the cut');
  assert.equal([...flash.entries()], [['ctr1', '1']]);
  const second = device(flash, node.port);
  try {
    second.device.start();
    await until(() => node.stored().length === 2, 'both units stored');
    // Unit 61 was left open by the cut connection and handed back; the device had lost its
    // validator, so it refused it as stale and the node offered it again.
    assert.equal(node.stored().map((s) => [s.unitId, s.counter]), [[61, 2], [62, 3]]);
  } finally {
    second.device.stop();
    await node.close();
  }
});

test('a sig-tier device checks signatures through its verifier and reports a forged one', async () => {
  const identity = { ...exampleIdentity(), profile: 'moddable-esp32', tier: 'sig' as const };
  const unit = exampleUnit(71, 3, 4, 6);
  unit.header[HEADER_CHECKS_AT] |= CHECK_SIGNATURE;
  unit.entries[1]![TX_SIGNATURE_AT] ^= 0x40;
  const node = await startNode([unit], identity);
  const hal = nodeHal(new Map(), configFor(identity, node.port), true);
  // As the Moddable entry does: the verifier's steps are charged to the signature phase.
  const d = createDevice(hal, { ...build, target: 'moddable-esp32', tier: 'sig' }, FAST, markedVerifier(hal.mark, createVerifier(hal.sha512!)));
  try {
    d.start();
    await until(() => d.status().acked === 1, 'the acknowledgement');
    // Entry 1 is forged (bad-signature, 2), entry 2 has a wrong nonce (bad-nonce, 5).
    assert.equal(node.stored(), [{ unitId: 71, counter: 1, verdicts: [0, 2, 5] }]);
    assert.ok(hal.marks.includes('signature'));
  } finally {
    d.stop();
    await node.close();
  }
});

test('a device whose key the node refuses stops after three attempts; one registered with another tier stops at once', async () => {
  const registered = { ...exampleIdentity(), key: new Uint8Array(32) };
  const node = await startNode([exampleUnit(81, 1, 4, 4)], registered);
  const { device: d } = device(new Map(), node.port);
  try {
    d.start();
    await until(() => d.status().stage === 'halted', 'the device to halt');
    assert.is(d.status().connects, 3);
    assert.is(d.status().problem, 'key refused');
  } finally {
    d.stop();
    await node.close();
  }
  const other = await startNode([exampleUnit(82, 1, 4, 4)], { ...exampleIdentity(), tier: 'sig', profile: 'moddable-esp32' });
  const second = device(new Map(), other.port);
  try {
    second.device.start();
    await until(() => second.device.status().stage === 'halted', 'the device to halt');
    assert.is(second.device.status().connects, 1);
    assert.is(second.device.status().problem, 'profile or tier refused');
    assert.is(second.device.start(), null, 'start is a no-op until stopped');
  } finally {
    second.device.stop();
    await other.close();
  }
});

test('a line no node may send makes the device reconnect; a missing configuration keeps it from starting', async () => {
  const node = await startNode([exampleUnit(91, 1, 4, 4)]);
  const { device: d, hal } = device(new Map(), node.port);
  // The first chunk carrying a notify is replaced by a notification mm/1 does not have.
  const connect = hal.connect;
  let injected = false;
  hal.connect = (host, port, events) => connect(host, port, {
    ...events,
    onData: (chunk) => {
      if (!injected && String(chunk).includes('mm.notify')) {
        injected = true;
        events.onData('{"id":null,"method":"mm.surprise","params":[]}\n');
        return;
      }
      events.onData(chunk);
    },
  });
  try {
    d.start();
    await until(() => d.status().acked === 1, 'the unit done on the second connection');
    assert.is(d.status().connects, 2);
    assert.ok(hal.lines.some((line) => line.includes(`invalid line ${LINE_UNKNOWN_NOTIFICATION};`)), hal.lines.join('\n'));
  } finally {
    d.stop();
    await node.close();
  }
  const unprovisioned = createDevice(nodeHal(new Map(), null), build, FAST, null);
  assert.is(unprovisioned.start(), 'no config');
  assert.is(unprovisioned.status().stage, 'stopped');
});

test('a pull refused after a newer unit was notified ends only the unit it was for', async () => {
  const replacement = exampleUnit(62, 2, 4, 4);
  const node = await startNode([exampleUnit(61, 3, 4, 4)]);
  // The node replaces unit 61 while the device's second pull is on its way: that pull's answer is
  // held back, the notify for unit 62 goes out in its place, and the pull is refused as stale
  // once the device holds unit 62.
  let entries = 0;
  let heldId = -1;
  node.rewrite = (line) => {
    if (!line.includes('"entry":"') || ++entries !== 2) return line;
    heldId = (JSON.parse(line) as { id: number }).id;
    return encodeNotify(replacement.header);
  };
  const { device: d, hal } = device(new Map(), node.port);
  const pulls: unknown[][] = [];
  const connect = hal.connect;
  hal.connect = (host, port, events) => {
    const connection = connect(host, port, events);
    return {
      ...connection,
      write: (text) => {
        for (const line of text.split('\n').filter((l) => l !== '')) {
          const request = JSON.parse(line) as { method: string; params: unknown[] };
          if (request.method === 'mm.pull') pulls.push(request.params);
        }
        connection.write(text);
      },
    };
  };
  try {
    d.start();
    await until(() => d.status().unitId === 62, 'the notified unit opened');
    node.inject(encodeError(heldId, 'stale', 'unit 61 was replaced'));
    await until(() => pulls.some((p) => p[0] === 62), 'a pull for unit 62');
    assert.equal(pulls.map((p) => p.slice(0, 2)), [[61, 0], [61, 1], [62, 0]]);
  } finally {
    d.stop();
    await node.close();
  }
});

test.run();
