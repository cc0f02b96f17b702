import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeviceSession, type SessionOptions } from '../../protocol/wire-session.ts';
import { ExampleDevice, MemoryHost, exampleIdentity, exampleUnit, registryOf, runExample, type ExampleIdentity, type ExampleUnit } from '../../protocol/wire-example.ts';
import { MAX_LINE, WIRE_ERROR_CODES, type WireError } from '../../protocol/wire.ts';
import { MESSAGE_ERROR, MESSAGE_INVALID, createClient } from '../../firmware/core/wire/client.ts';
import { helloRequest, pullRequest, submitRequest } from '../../protocol/device-requests.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { readU32 } from '../../firmware/core/bytes.ts';
import { hexToBytes } from '../../firmware/core/hex.ts';
import { HEADER_HEIGHT_AT, HEADER_PREVIOUS_AT } from '../../firmware/core/layout.ts';
import { isShare } from '../../firmware/core/share.ts';
import { sealResult } from '../../firmware/core/result.ts';
import { checkEntry, finishUnit, openUnit } from '../../firmware/core/validator.ts';
import { encodeHeader, SIG_TIER_CHECKS } from '../../protocol/unit.ts';

type Line = { id: number | null; result?: unknown; error?: [number, string, null] | null; method?: string; params?: unknown[] };

/** A device and a session wired in memory; the device's next line waits in `outgoing`. */
class Harness {
  readonly device = new ExampleDevice(exampleIdentity());
  readonly host: MemoryHost;
  session: DeviceSession;
  outgoing: string | null;

  /** `tweak` changes what the device announces after the registry recorded it as provisioned. */
  constructor(units: ExampleUnit[] = [exampleUnit(7, 3, 4, 4)], options?: SessionOptions, tweak?: (identity: ExampleIdentity) => void) {
    this.host = new MemoryHost(registryOf(this.device.identity), units);
    tweak?.(this.device.identity);
    this.session = new DeviceSession(this.host, options);
    this.outgoing = this.device.hello();
  }

  /** Feeds `chunk` as the device's bytes and returns what the node answered, parsed. */
  async raw(chunk: string): Promise<Line[]> {
    const before = this.host.sent.length;
    await this.session.feed(chunk);
    return this.host.sent.slice(before).map((line) => JSON.parse(line));
  }

  /** Sends the device's pending line and lets the device react to every answer. */
  async step(): Promise<Line[]> {
    const line = this.outgoing!;
    this.outgoing = null;
    const before = this.host.sent.length;
    await this.session.feed(line);
    for (const answer of this.host.sent.slice(before)) this.outgoing = this.device.receive(answer.slice(0, -1)) ?? this.outgoing;
    return this.host.sent.slice(before).map((answer) => JSON.parse(answer));
  }

  /** The connection drops (whatever the device was sending is lost) and the device reconnects. */
  reconnect(): void {
    this.session.end('socket closed');
    this.session = new DeviceSession(this.host);
    this.outgoing = this.device.hello();
  }

  /** Steps until the device's pending line calls `method` (or it has nothing to say). */
  async runUntil(method: string): Promise<void> {
    while (this.outgoing !== null && !this.outgoing.includes(`"method":"${method}"`)) await this.step();
  }
}

function expectError(lines: Line[], error: WireError, id: number | null, message?: RegExp): void {
  assert.is(lines.length, 1, JSON.stringify(lines));
  assert.is(lines[0].id, id);
  assert.is(lines[0].error?.[0], WIRE_ERROR_CODES[error], JSON.stringify(lines[0]));
  if (message) assert.match(lines[0].error![1], message);
}

test('a whole exchange: verdicts reported in pulls are what the node stores, the ack comes after the store', async () => {
  const { transcript, host, device } = await runExample([exampleUnit(7, 5, 4, 6), exampleUnit(8, 2, 4, 6)]);
  assert.is(host.stored.length, 2);
  assert.equal([...host.stored[0].verdicts], [0, 0, 5, 0, 0]);
  assert.equal(host.stored.map((s) => s.counter), [1, 2]);
  assert.is(device.identity.counter, 2);
  const acks = transcript.filter((t) => t.line.includes('"accepted"'));
  assert.is(acks.length, 2);
  assert.equal(device.received.filter((m) => m.kind === MESSAGE_ERROR || m.kind === MESSAGE_INVALID), []);
  assert.is(host.closedWith, null);
  // 2 + 2 handshake lines, then per unit: notify, (entries + 1) pulls and answers, submit and ack.
  assert.is(transcript.length, 4 + (1 + 2 * 6 + 2) + (1 + 2 * 3 + 2));
});

test('requests before mm.hello are "not subscribed", before mm.auth "unauthorized"; a repeated handshake is out of order', async () => {
  const h = new Harness(undefined, { maxStrikes: 4 });
  const other = createClient();
  expectError(await h.raw(pullRequest(other, 7, 0, null)), 'not-subscribed', 1, /mm.pull before mm.hello/);
  expectError(await h.raw('{"id":9,"method":"mm.auth","params":["' + '00'.repeat(32) + '"]}\n'), 'not-subscribed', 9);
  await h.step();
  expectError(await h.raw('{"id":5,"method":"mm.submit","params":[7,"' + '00'.repeat(112) + '"]}\n'), 'unauthorized', 5, /before mm.auth/);
  assert.is(h.session.strikes, 3);
  assert.is(h.session.phase, 'challenged');
  expectError(await h.raw(helloRequest(createClient(), h.device.identity)), 'out-of-order', 1, /already answered/);
  assert.is(h.session.phase, 'closed', 'the fourth strike closes');
  assert.is(h.host.closedWith, '4 protocol violations');
  assert.equal(await h.raw(pullRequest(createClient(), 7, 0, null)), [], 'a closed session answers nothing');
});

test('a wrong proof, an unknown device and a changed tier or profile end the connection', async () => {
  const wrongKey = new Harness(undefined, undefined, (identity) => {
    identity.key = new Uint8Array(32).fill(1);
  });
  await wrongKey.step();
  expectError(await wrongKey.step(), 'unauthorized', 2, /authentication failed/);
  assert.is(wrongKey.host.closedWith, 'unauthorized');

  const unknown = new Harness();
  unknown.host.devices.clear();
  await unknown.step();
  expectError(await unknown.step(), 'unauthorized', 2, /authentication failed/);

  const tier = new Harness(undefined, undefined, (identity) => {
    identity.tier = 'sig';
  });
  await tier.step();
  expectError(await tier.step(), 'tier-mismatch', 2, /registered as espruino-esp32\/hash, announced espruino-esp32\/sig/);
  assert.is(tier.host.closedWith, 'tier-mismatch');
  const profile = new Harness(undefined, undefined, (identity) => {
    identity.profile = 'espruino-esp32c3';
  });
  await profile.step();
  expectError(await profile.step(), 'tier-mismatch', 2, /announced espruino-esp32c3\/hash/);

  const version = new Harness();
  expectError(await version.raw('{"id":1,"method":"mm.hello","params":["mm/0"]}\n'), 'unsupported-version', 1);
  assert.is(version.host.closedWith, 'unsupported-version');
});

test('pulls must name the current unit and the next index', async () => {
  const h = new Harness();
  await h.runUntil('mm.pull');
  assert.is(h.session.unitId, 7);
  expectError(await h.raw(pullRequest(createClient(), 8, 0, null)), 'out-of-order', 1, /unit 8 is not assigned to this device/);
  expectError(await h.raw(pullRequest(createClient(), 7, 2, 0)), 'out-of-order', 1, /pulled index 2, expected index 0/);
  await h.step();
  assert.is(h.session.strikes, 2);
});

test('pipelined requests are refused: one outstanding request per device', async () => {
  const h = new Harness();
  await h.runUntil('mm.pull');
  const first = h.outgoing!;
  const lines = await h.raw(first + '{"id":77,"method":"mm.ping","params":[]}\n');
  assert.is(lines.length, 2);
  expectError(lines.filter((l) => l.id === 77), 'out-of-order', 77, /already in progress/);
  assert.ok(typeof (lines.find((l) => l.id !== 77)!.result as { entry: string }).entry === 'string');
});

test('a unit replaced by a newer one is stale; a refused unit is dropped and the next one offered', async () => {
  const h = new Harness([exampleUnit(7, 3, 4, 4), exampleUnit(8, 1, 4, 4)]);
  await h.runUntil('mm.pull');
  await h.step();
  h.session.assign(exampleUnit(8, 1, 4, 4).header);
  expectError(await h.step(), 'stale', 4, /unit 7 was superseded/);
  assert.equal(h.host.events.filter((e) => e.type === 'unit-dropped'), [{ type: 'unit-dropped', deviceId: '5eed0fd00d1e0042', unitId: 7, why: 'replaced' }]);

  const r = new Harness([exampleUnit(7, 3, 4, 4), exampleUnit(8, 1, 4, 4)]);
  await r.runUntil('mm.pull');
  const lines = await r.raw('{"id":50,"method":"mm.refuse","params":[7,37]}\n');
  assert.equal(lines[0], { id: 50, result: true, error: null });
  assert.equal([lines[1].method, lines[1].params?.[0]], ['mm.notify', 8], 'the host is asked for work again');
  assert.ok(r.host.events.some((e) => e.type === 'unit-dropped' && e.why === 'refused' && e.refusal === 'tier-mismatch'));
});

test('a sig-tier unit is never assigned to a hash-tier device', async () => {
  const h = new Harness([]);
  await h.step();
  await h.step();
  const unit = exampleUnit(7, 1, 4, 4);
  const sig = encodeHeader({ ...decoded(unit.header), checks: SIG_TIER_CHECKS });
  assert.throws(() => h.session.assign(sig), /unit 7 asks for signature checks from a hash-tier device/);
});

function decoded(header: Uint8Array) {
  const opened = openUnit(header, { digest: nodeDigest, verify: null });
  if (!opened.ok) throw new Error(describeDecodeError(opened.error));
  const { unitId, chainId, stateRoot, difficulty, deadline, entryCount } = opened.value.header;
  const height = readU32(header, HEADER_HEIGHT_AT);
  const previousHash = header.subarray(HEADER_PREVIOUS_AT, HEADER_PREVIOUS_AT + 32);
  return { unitId, chainId, height, previousHash, stateRoot, difficulty, deadline, entryCount, minFee: 5n, checks: [] as never };
}

test('submitting before the last verdict is in is out of order', async () => {
  const h = new Harness();
  await h.runUntil('mm.submit');
  const submit = h.outgoing!;
  const early = new Harness();
  await early.runUntil('mm.pull');
  await early.step();
  expectError(await early.raw(submit), 'out-of-order', 7, /submit after 1 of 4 pulls/);
});

test('a result must agree with the verdicts reported in pulls', async () => {
  const h = new Harness();
  await h.runUntil('mm.pull');
  await h.step();
  // The device reports "accept" for entry 0 but its chain commits to what it really judged.
  const lied = h.outgoing!.replace('[7,1,0]', '[7,1,5]');
  assert.is.not(lied, h.outgoing);
  h.outgoing = null;
  for (const line of (await h.raw(lied))) h.outgoing = h.device.receive(JSON.stringify(line)) ?? h.outgoing;
  await h.runUntil('mm.submit');
  expectError(await h.step(), 'malformed', 7, /"result.acceptedCount" differs from the verdicts reported in pulls/);
});

test('bad MAC closes, a share below difficulty is refused, and neither is stored', async () => {
  const h = new Harness();
  await h.runUntil('mm.submit');
  const forged = h.outgoing!.replace(/([0-9a-f]{2})"\]\}\n$/, (_, last: string) => `${last === '00' ? '01' : '00'}"]}\n`);
  expectError(await h.raw(forged), 'bad-mac', 7, /"result.mac"/);
  assert.is(h.host.closedWith, 'bad-mac');
  assert.is(h.host.stored.length, 0);

  const low = new Harness([exampleUnit(7, 2, 4, 8)]);
  await low.runUntil('mm.submit');
  const params = JSON.parse(low.outgoing!).params as [number, string];
  const result = hexToBytes(params[1])!;
  const validator = (() => {
    const opened = openUnit(exampleUnit(7, 2, 4, 8).header, { digest: nodeDigest, verify: null });
    if (!opened.ok) throw new Error('unit');
    for (const entry of exampleUnit(7, 2, 4, 8).entries) checkEntry(opened.value, entry);
    return opened.value;
  })();
  const pending = finishUnit(validator, hexToBytes(low.device.identity.deviceId)!, 1);
  let nonce = 0;
  while (isShare(nodeDigest, pending.digest, nonce, 8)) nonce++;
  sealResult(nodeDigest, result, pending.digest, nonce, low.device.identity.key);
  expectError(await low.raw(submitRequest(createClient(), 7, result)), 'low-difficulty', 1, /not a share of 8 bits/);
  assert.is(low.host.stored.length, 0);
  assert.is(low.host.closedWith, null);
});

test('a resent result is a duplicate; an old counter on new work is a replay', async () => {
  const h = new Harness([exampleUnit(7, 1, 4, 4), exampleUnit(8, 1, 4, 4)]);
  await h.runUntil('mm.submit');
  const first = h.outgoing!;
  await h.step();
  assert.is(h.host.stored.length, 1);
  expectError(await h.raw(first), 'duplicate', 5, /already stored/);
  // The device's flash rolled back: it finishes unit 8 under counter 1 again.
  h.device.identity.counter = 0;
  await h.runUntil('mm.submit');
  expectError(await h.step(), 'replayed', 8, /counter 1 is not above 1, the last stored/);
  assert.is(h.host.stored.length, 1);
});

test('a device whose counter was rolled back learns the node\'s counter at auth and recovers', async () => {
  const h = new Harness([exampleUnit(8, 1, 4, 4)]);
  h.host.devices.get(h.device.identity.deviceId)!.lastCounter = 41;
  await h.runUntil('mm.submit');
  await h.step();
  assert.equal(h.host.stored.map((s) => s.counter), [42]);
});

test('after a dropped connection the device resumes its unit where it was, and the node keeps its verdicts', async () => {
  const h = new Harness([exampleUnit(7, 4, 4, 4)]);
  await h.runUntil('mm.pull');
  await h.step();
  await h.step();
  // The device's pull of entry 2 goes out, its answer is lost with the connection.
  await h.raw(h.outgoing!);
  h.reconnect();
  assert.ok(h.host.events.some((e) => e.type === 'unit-suspended' && e.unit.unitId === 7 && e.unit.pulled === 3));
  await h.step();
  const auth = await h.step();
  assert.equal(auth, [{ id: 2, result: { counter: 0, unit: 7 }, error: null }], 'no new notify: the unit goes on');
  assert.match(h.outgoing!, /"mm.pull","params":\[7,2,0\]/, 'the device repeats its last pull');
  await h.runUntil('mm.submit');
  await h.step();
  assert.equal(h.host.stored.map((s) => [s.unitId, [...s.verdicts]]), [[7, [0, 0, 5, 0]]]);
  assert.is(h.host.devices.get(h.device.identity.deviceId)!.openUnit, null);
});

test('a repeated pull must repeat its verdict; a device that lost its unit refuses it and gets new work', async () => {
  const h = new Harness([exampleUnit(7, 3, 4, 4)]);
  await h.runUntil('mm.pull');
  await h.step();
  await h.step();
  expectError(await h.raw(pullRequest(createClient(), 7, 1, 3)), 'out-of-order', 1, /pulled index 1, expected index 2/);

  const lost = new Harness([exampleUnit(7, 3, 4, 4), exampleUnit(8, 1, 4, 4)]);
  await lost.runUntil('mm.pull');
  await lost.step();
  lost.session.end('socket closed');
  const rebooted = new Harness([], undefined);
  lost.session = new DeviceSession(lost.host);
  lost.outgoing = rebooted.device.hello();
  await lost.raw(lost.outgoing);
  const proof = rebooted.device.receive(lost.host.sent.at(-1)!.slice(0, -1))!;
  const auth = await lost.raw(proof);
  assert.equal(auth[0].result, { counter: 0, unit: 7 });
  const refusal = rebooted.device.receive(JSON.stringify(auth[0]));
  assert.is(refusal, '{"id":3,"method":"mm.refuse","params":[7,21]}\n');
  const answers = await lost.raw(refusal!);
  assert.equal(answers[0], { id: 3, result: true, error: null });
  assert.equal(answers[1].params?.[0], 8, 'new work follows');
});

test('a result stored just as the connection dropped is a duplicate on the next, and the unit is done', async () => {
  const h = new Harness([exampleUnit(7, 1, 4, 4), exampleUnit(8, 1, 4, 4)]);
  await h.runUntil('mm.submit');
  const submit = h.outgoing!;
  // The store and the disconnect race: the session ends with the unit still open, then the store lands.
  const stored = h.raw(submit);
  h.session.end('socket closed');
  await stored;
  assert.is(h.host.stored.length, 1);
  assert.is(h.host.devices.get(h.device.identity.deviceId)!.openUnit, null, 'storing forgets the kept unit');
  h.session = new DeviceSession(h.host);
  h.outgoing = h.device.hello();
  await h.step();
  const auth = await h.step();
  assert.equal(auth[0].result, { counter: 1, unit: null });
  assert.is(auth[1].method, 'mm.notify');
  assert.equal(auth[1].params?.[0], 8);
});

test('a unit past its deadline (plus grace) is expired; new work follows the device\'s next request, not the expiry', async () => {
  const h = new Harness([exampleUnit(7, 2, 4, 4)], { deadlineGraceMs: 500 });
  await h.runUntil('mm.pull');
  h.host.clock += 60_000 + 500;
  assert.is((await h.step())[0].error, null, 'still inside the grace');
  h.host.clock += 1;
  expectError(await h.step(), 'expired', 4, /unit 7 passed its deadline/);
  assert.ok(h.host.events.some((e) => e.type === 'unit-dropped' && e.why === 'expired'));

  const idle = new Harness([exampleUnit(7, 2, 4, 4)]);
  await idle.runUntil('mm.pull');
  assert.is(idle.session.checkDeadline(), false);
  idle.host.clock += 62_001;
  const sentBefore = idle.host.sent.length;
  assert.is(idle.session.checkDeadline(), true);
  assert.is(idle.session.awaitsWork, false, 'a device silent through its deadline waits for its next request');
  assert.is(idle.host.sent.length, sentBefore, 'no notify to a silent device');
  const answers = await idle.raw('{"id":90,"method":"mm.ping","params":[]}\n');
  assert.equal(answers.map((a) => a.id ?? a.method), [90, 'mm.notify'], 'the ping is answered, then the unit offered again');
});

test('floods are rate limited, long lines refused without buffering, garbage struck out', async () => {
  const h = new Harness([], { requestsPerSecond: 10, burst: 5 });
  const pings = '{"id":1,"method":"mm.ping","params":[]}\n';
  const answers: Line[] = [];
  for (let i = 0; i < 7; i++) answers.push(...(await h.raw(pings)));
  assert.equal(answers.map((a) => a.error?.[0] ?? 'ok'), ['ok', 'ok', 'ok', 'ok', 'ok', 39, 39]);
  h.host.clock += 100;
  assert.equal((await h.raw(pings))[0].result, true, 'one token back after 100 ms at 10/s');

  const long = new Harness();
  expectError(await long.raw('x'.repeat(MAX_LINE + 1)), 'line-too-long', null, /longer than 4096 bytes/);
  assert.equal(await long.raw('y'.repeat(100_000)), []);
  expectError(await long.raw('\n{"id":3,"method":"mm.ping","params":[]}\n'.replace('mm.ping', 'mm.pong')), 'unknown-method', 3);
  expectError(await long.raw('{oops}\n'), 'malformed', null, /not JSON/);
  assert.is(long.host.closedWith, '3 protocol violations');
});

test('a failing host is answered "other" without a strike, and the device may retry', async () => {
  const h = new Harness();
  await h.runUntil('mm.pull');
  await h.step();
  const entry = h.host.entry.bind(h.host);
  h.host.entry = () => {
    throw new Error('disk on fire');
  };
  const pull = h.outgoing!;
  expectError(await h.raw(pull), 'other', 4, /node error, retry later/);
  assert.is(h.session.strikes, 0);
  h.host.entry = entry;
  assert.ok((await h.raw(pull))[0].result);
});

test('session options are checked by name', () => {
  const host = new MemoryHost(new Map(), []);
  assert.throws(() => new DeviceSession(host, { maxStrike: 3 } as SessionOptions), /unknown session option "maxStrike"/);
  assert.throws(() => new DeviceSession(host, { burst: 0 }), /"burst" expected a positive integer, got 0/);
});

test('the device refuses a unit it cannot work on instead of stalling', () => {
  const device = new ExampleDevice(exampleIdentity());
  const unit = exampleUnit(7, 1, 4, 4);
  const sig = encodeHeader({ ...decoded(unit.header), checks: SIG_TIER_CHECKS });
  const line = `{"id":null,"method":"mm.notify","params":[7,"${Buffer.from(sig).toString('hex')}",4]}`;
  assert.is(device.receive(line), '{"id":1,"method":"mm.refuse","params":[7,37]}\n');
});

test.run();
