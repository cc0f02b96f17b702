import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MESSAGE_ACK, MESSAGE_AUTHORIZED, MESSAGE_CHALLENGE, MESSAGE_DIFFICULTY, MESSAGE_ENTRY, MESSAGE_ERROR, MESSAGE_INVALID, MESSAGE_NOTIFY,
  MESSAGE_PONG, MESSAGE_REFUSED, createClient, headerMatches, parseNodeLine, request, type NodeMessage,
} from '../../firmware/core/wire/client.ts';
import {
  LINE_ENTRY_COUNT, LINE_ENTRY_HEX, LINE_ENTRY_LENGTH, LINE_ERROR_SHAPE, LINE_NOT_JSON, LINE_NOT_NOTIFICATION, LINE_NOTIFY_MISMATCH, LINE_PARAMS, LINE_RESULT_AND_ERROR,
  LINE_RESULT_SHAPE, LINE_SHAPE, LINE_UNKNOWN_NOTIFICATION, LINE_UNSOLICITED,
} from '../../firmware/core/wire/protocol.ts';
import {
  authRequest, helloRequest, pingRequest, pullRequest, refuseRequest, submitRequest,
} from '../../protocol/device-requests.ts';
import {
  MAX_LINE, METHOD_HELLO, METHOD_PING, METHOD_PULL, METHOD_SUBMIT, WIRE_ERROR_CODES, authResult, encodeDifficulty, encodeError, encodeNotify,
  encodePullAnswer, encodeResult, encodeSubmitAnswer, helloResult,
  methodId, parseDeviceLine, pullResult, submitResult, wireErrorOf, type DeviceMethod, type WireError,
} from '../../protocol/wire.ts';
import { ENTRY_MAX_SIZE, RESULT_SIZE } from '../../firmware/core/layout.ts';
import { describeInvalidLine } from '../../protocol/messages.ts';
import { exampleSecret, exampleUnit } from '../../protocol/wire-example.ts';

const hello = { deviceId: '0123456789abcdef', firmware: '1.2.3-rc.1+espruino', profile: 'espruino-esp32c3', tier: 'hash', counter: 41 } as const;
const result = exampleSecret('result').slice(0, 16);
const resultBytes = new Uint8Array(RESULT_SIZE).map((_, i) => result[i % 16] ^ i);

test('every device request survives the round trip through the node parser', () => {
  const client = createClient();
  const cases: [string, object][] = [];
  const send = (line: string, expected: object) => {
    cases.push([line, expected]);
    client.awaiting = null;
  };
  send(helloRequest(client, hello), { method: 'mm.hello', id: 1, ...hello });
  send(authRequest(client, exampleSecret('proof')), { method: 'mm.auth', id: 2, proof: exampleSecret('proof') });
  send(pullRequest(client, 7, 0, null), { method: 'mm.pull', id: 3, unitId: 7, index: 0, previousVerdict: null });
  send(pullRequest(client, 0xffffffff, 65535, 8), { method: 'mm.pull', id: 4, unitId: 0xffffffff, index: 65535, previousVerdict: 8 });
  send(submitRequest(client, 7, resultBytes), { method: 'mm.submit', id: 5, unitId: 7, result: resultBytes });
  send(refuseRequest(client, 7, 'tier-mismatch'), { method: 'mm.refuse', id: 6, unitId: 7, why: 'tier-mismatch' });
  send(pingRequest(client), { method: 'mm.ping', id: 7 });
  for (const [line, expected] of cases) {
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.equal(parseDeviceLine(line.slice(0, -1)), { ok: true, request: expected });
  }
});

test('every node line survives the round trip through the device parser', () => {
  const unit = exampleUnit(9, 1, 24, 12);
  const answer = (method: DeviceMethod, id: number, line: string): NodeMessage => {
    const client = createClient();
    client.awaiting = methodId(method);
    client.lastId = id;
    const message = parseNodeLine(client, line.slice(0, -1));
    assert.is(client.awaiting, null, 'an answer clears the outstanding request');
    return message;
  };
  const challenge = exampleSecret('challenge');
  assert.equal(answer('mm.hello', 1, encodeResult(1, helloResult(challenge))), { kind: MESSAGE_CHALLENGE, challenge });
  assert.equal(answer('mm.auth', 2, encodeResult(2, authResult(4_000_000_000, null))), { kind: MESSAGE_AUTHORIZED, counter: 4_000_000_000, unit: null });
  assert.equal(answer('mm.auth', 2, encodeResult(2, authResult(3, 7))), { kind: MESSAGE_AUTHORIZED, counter: 3, unit: 7 });
  assert.equal(answer('mm.pull', 3, encodeResult(3, pullResult(unit.entries[0]))), { kind: MESSAGE_ENTRY, entry: Buffer.from(unit.entries[0]).toString('hex') });
  assert.equal(answer('mm.pull', 4, encodeResult(4, pullResult(null))), { kind: MESSAGE_ENTRY, entry: null });
  assert.equal(answer('mm.submit', 5, encodeResult(5, submitResult(true, 18446744073709551615n))), { kind: MESSAGE_ACK, accepted: true, credited: '18446744073709551615' });
  assert.equal(answer('mm.submit', 6, encodeResult(6, submitResult(false, null))), { kind: MESSAGE_ACK, accepted: false, credited: null });
  assert.equal(answer('mm.refuse', 7, encodeResult(7, true)), { kind: MESSAGE_REFUSED });
  assert.equal(answer('mm.ping', 8, encodeResult(8, true)), { kind: MESSAGE_PONG });
  assert.equal(answer('mm.submit', 9, encodeError(9, 'low-difficulty', 'not a share of 12 bits')),
    { kind: MESSAGE_ERROR, method: METHOD_SUBMIT, code: WIRE_ERROR_CODES['low-difficulty'], message: 'not a share of 12 bits' });
  const idle = createClient();
  assert.equal(parseNodeLine(idle, encodeNotify(unit.header).slice(0, -1)), { kind: MESSAGE_NOTIFY, unitId: 9, header: Buffer.from(unit.header).toString('hex'), difficulty: 12 });
  assert.ok(headerMatches({ unitId: 9, difficulty: 12 }, unit.header));
  assert.equal(parseNodeLine(idle, encodeDifficulty(20).slice(0, -1)), { kind: MESSAGE_DIFFICULTY, difficulty: 20 });
});

test('the largest legal line, an entry with a 24-level proof, fits the line limit twice over', () => {
  const line = encodeResult(0xffffffff, pullResult(new Uint8Array(ENTRY_MAX_SIZE)));
  assert.is(line.length - 1, 2 * ENTRY_MAX_SIZE + 52);
  assert.ok(2 * (line.length - 1) <= MAX_LINE);
});

test('error codes: Stratum 20-25 then ours from 30, names and numbers in both directions', () => {
  const names = Object.keys(WIRE_ERROR_CODES) as WireError[];
  assert.equal(names.map((name) => WIRE_ERROR_CODES[name]), [20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
  for (const name of names) assert.is(wireErrorOf(WIRE_ERROR_CODES[name]), name);
  assert.is(wireErrorOf(26), undefined);
  const client = createClient();
  client.awaiting = METHOD_PING;
  client.lastId = 3;
  assert.equal(parseNodeLine(client, '{"id":3,"result":null,"error":[99,"future",null]}'), { kind: MESSAGE_ERROR, method: METHOD_PING, code: 99, message: 'future' });
});

test('the node parser names what is wrong with every malformed request', () => {
  const cases: [string, number | null, WireError, RegExp][] = [
    ['{"id":1,"method":"mm.ping","params":[]', null, 'malformed', /not JSON/],
    ['[1,2]', null, 'malformed', /expected a JSON object/],
    ['{"id":-1,"method":"mm.ping","params":[]}', null, 'malformed', /"id" expected u32, got -1/],
    ['{"id":"1","method":"mm.ping","params":[]}', null, 'malformed', /"id" expected u32/],
    ['{"id":1,"method":"mm.ping","params":[],"extra":0}', 1, 'malformed', /unknown member "extra"/],
    ['{"id":1,"method":"mining.subscribe","params":[]}', 1, 'unknown-method', /unknown method "mining.subscribe"/],
    ['{"id":1,"method":7,"params":[]}', 1, 'malformed', /"method" expected a string/],
    ['{"id":1,"method":"mm.ping","params":{}}', 1, 'malformed', /"params" expected an array/],
    ['{"id":1,"method":"mm.ping","params":[1]}', 1, 'malformed', /mm.ping expects \[\], got 1 params/],
    ['{"id":2,"method":"mm.hello","params":["mm/2"]}', 2, 'unsupported-version', /protocol "mm\/2" unsupported/],
    ['{"id":2,"method":"mm.hello","params":["mm/1","0123456789ABCDEF","1","p","hash",0]}', 2, 'malformed', /"deviceId" expected 16 lowercase hex/],
    ['{"id":2,"method":"mm.hello","params":["mm/1","0123456789abcdef","1 2","p","hash",0]}', 2, 'malformed', /"firmware"/],
    ['{"id":2,"method":"mm.hello","params":["mm/1","0123456789abcdef","1","\\u0000","hash",0]}', 2, 'malformed', /"profile" expected .*got "\\u0000"/],
    ['{"id":2,"method":"mm.hello","params":["mm/1","0123456789abcdef","1","p","gold",0]}', 2, 'malformed', /"tier"/],
    ['{"id":2,"method":"mm.hello","params":["mm/1","0123456789abcdef","1","p","hash",1.5]}', 2, 'malformed', /"counter" expected u32, got 1.5/],
    ['{"id":3,"method":"mm.auth","params":["00"]}', 3, 'malformed', /"proof" expected 32 bytes/],
    ['{"id":4,"method":"mm.pull","params":[7,0,0]}', 4, 'malformed', /"previousVerdict" expected null at index 0/],
    ['{"id":4,"method":"mm.pull","params":[7,1,null]}', 4, 'malformed', /"previousVerdict" expected a reason code/],
    ['{"id":4,"method":"mm.pull","params":[7,1,200]}', 4, 'malformed', /"previousVerdict" expected a reason code, got 200/],
    ['{"id":4,"method":"mm.pull","params":[7,-1,null]}', 4, 'malformed', /"index" expected u32/],
    ['{"id":5,"method":"mm.submit","params":[7,"ab"]}', 5, 'malformed', /"result" expected 112 bytes/],
    ['{"id":6,"method":"mm.refuse","params":[7,99]}', 6, 'malformed', /"why" expected a wire error code, got 99/],
  ];
  for (const [line, id, error, message] of cases) {
    const parsed = parseDeviceLine(line);
    assert.is(parsed.ok, false, line);
    if (parsed.ok) continue;
    assert.is(parsed.fault.id, id, line);
    assert.is(parsed.fault.error, error, line);
    assert.match(parsed.fault.message, message);
  }
});

test('the device parser classifies every line a node may not send as invalid', () => {
  const unit = exampleUnit(9, 1, 4, 12);
  const lying = encodeNotify(unit.header).slice(0, -1).replace('"mm.notify","params":[9,', '"mm.notify","params":[10,');
  const lines: [string, number][] = [
    ['garbage', LINE_NOT_JSON],
    ['{"id":1,"result":true}', LINE_SHAPE],
    ['{"id":2,"result":true,"error":null}', LINE_UNSOLICITED],
    ['{"id":1,"result":true,"error":[20,"x",null]}', LINE_RESULT_AND_ERROR],
    ['{"id":1,"result":null,"error":[20,"x"]}', LINE_ERROR_SHAPE],
    ['{"id":1,"result":{"counter":1},"error":null}', LINE_RESULT_SHAPE],
    ['{"id":1,"method":"mm.notify","params":[]}', LINE_NOT_NOTIFICATION],
    ['{"id":null,"method":"mm.reboot","params":[]}', LINE_UNKNOWN_NOTIFICATION],
    ['{"id":null,"method":"mm.difficulty","params":[29]}', LINE_PARAMS],
    ['{"id":null,"method":"mm.notify","params":[1,"00",1]}', LINE_PARAMS],
  ];
  for (const [line, problem] of lines) {
    const client = createClient();
    client.awaiting = METHOD_HELLO;
    client.lastId = 1;
    assert.equal(parseNodeLine(client, line), { kind: MESSAGE_INVALID, problem }, line);
    assert.not.match(describeInvalidLine(problem), /^line problem/, 'every code has its words');
  }
  // The header arrives as hex, decoded by the device in slices: it then checks what it names.
  const lied = parseNodeLine(createClient(), lying);
  assert.ok(lied.kind === MESSAGE_NOTIFY && !headerMatches(lied, unit.header), 'a header naming another unit is caught once decoded');
  assert.not.ok(headerMatches({ unitId: 9, difficulty: 13 }, unit.header), 'and one naming another difficulty');
  assert.is(describeInvalidLine(LINE_NOTIFY_MISMATCH), 'mm.notify unit id or difficulty differs from its header');
  // The codes the app adds while it works an entry have their words too.
  for (const code of [LINE_ENTRY_COUNT, LINE_ENTRY_LENGTH, LINE_ENTRY_HEX]) assert.not.match(describeInvalidLine(code), /^line problem/);
  const client = createClient();
  client.awaiting = METHOD_SUBMIT;
  client.lastId = 1;
  for (const credited of ['"01"', '"-1"', '"18446744073709551616"', '5']) {
    assert.is(parseNodeLine(client, `{"id":1,"result":{"accepted":true,"credited":${credited}},"error":null}`).kind, MESSAGE_INVALID, credited);
  }
});

test('the checked builders refuse bad arguments by name; a second outstanding request is refused', () => {
  const client = createClient();
  assert.throws(() => helloRequest(client, { ...hello, deviceId: 'xyz' }), /"deviceId" expected 16 lowercase hex/);
  assert.throws(() => helloRequest(client, { ...hello, counter: -1 }), /"counter" expected u32, got -1/);
  assert.throws(() => pullRequest(client, 7, 1, null), /"previousVerdict" must be null exactly when "index" is 0/);
  assert.throws(() => pullRequest(client, 7, 1, 99), /"previousVerdict" expected a reason code, got 99/);
  assert.throws(() => submitRequest(client, 7, new Uint8Array(5)), /"result" expected 112 bytes, got 5/);
  assert.throws(() => refuseRequest(client, 7, 'toString' as WireError), /"why" expected a wire error name/);
  pingRequest(client);
  assert.throws(() => pingRequest(client), /"method" busy/);
  assert.throws(() => request(client, METHOD_PULL, [1, 0, null]), /"method" busy/);
  assert.is(client.awaiting, METHOD_PING, 'the request awaiting its answer stays');
});

test('node encoders keep lines ASCII and refuse what mm/1 cannot carry', () => {
  assert.is(encodeError(null, 'other', 'caf\u00e9\n'), '{"id":null,"result":null,"error":[20,"caf\\u00e9\\n",null]}\n');
  assert.throws(() => encodeError(1, 'nope' as WireError, 'x'), /"error" expected a wire error name/);
  assert.throws(() => encodeDifficulty(29), /"difficulty" expected 0-28, got 29/);
  assert.throws(() => submitResult(true, -1n), /"credited" expected u64/);
  assert.throws(() => encodeNotify(new Uint8Array(3)), /"header" expected 93 bytes, got 3/);
  assert.throws(() => encodePullAnswer(-1, null), /"id" expected u32, got -1/);
  assert.throws(() => encodeSubmitAnswer(2 ** 32, true, null), /"id" expected u32/);
  assert.throws(() => encodeSubmitAnswer(1, true, 1n << 64n), /"credited" expected u64/);
});

test('the templated answers and notifications are exactly the JSON the generic encoders give', () => {
  const ids = [0, 1, 9, 10, 4_000_000_000, 0xffffffff];
  const entries = [null, new Uint8Array(1), exampleUnit(7, 2, 3, 5).entries[0]!, new Uint8Array(ENTRY_MAX_SIZE).map((_, i) => i * 7)];
  const credits = [null, 0n, 1n, 123_456_789n, (1n << 64n) - 1n];
  for (const id of ids) {
    for (const entry of entries) assert.is(encodePullAnswer(id, entry), encodeResult(id, pullResult(entry)));
    for (const credited of credits) {
      for (const accepted of [true, false]) assert.is(encodeSubmitAnswer(id, accepted, credited), encodeResult(id, submitResult(accepted, credited)));
    }
  }
  const asJson = (value: object) => JSON.stringify(value) + '\n';
  for (const difficulty of [0, 1, 9, 28]) assert.is(encodeDifficulty(difficulty), asJson({ id: null, method: 'mm.difficulty', params: [difficulty] }));
  for (const [unitId, difficulty] of [[0, 0], [9, 12], [0xffffffff, 28]] as const) {
    const header = exampleUnit(unitId, 1, 4, difficulty).header;
    assert.is(encodeNotify(header), asJson({ id: null, method: 'mm.notify', params: [unitId, Buffer.from(header).toString('hex'), difficulty] }));
  }
});

test.run();
