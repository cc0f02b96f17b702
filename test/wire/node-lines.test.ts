// Every way a node line can be wrong, with the LINE_* code the device answers it with and whether
// the line clears the request awaiting its answer. The table pins the parser's behaviour case by
// case, so its checks can be rewritten without one code moving.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MESSAGE_ACK, MESSAGE_AUTHORIZED, MESSAGE_CHALLENGE, MESSAGE_DIFFICULTY, MESSAGE_ENTRY, MESSAGE_ERROR, MESSAGE_INVALID, MESSAGE_NOTIFY,
  MESSAGE_PONG, MESSAGE_REFUSED, createClient, parseNodeLine, request, type NodeMessage,
} from '../../firmware/core/wire/client.ts';
import {
  LINE_ERROR_SHAPE, LINE_NOT_JSON, LINE_NOT_NOTIFICATION, LINE_PARAMS, LINE_RESULT_AND_ERROR, LINE_RESULT_SHAPE, LINE_SHAPE,
  LINE_UNKNOWN_NOTIFICATION, LINE_UNSOLICITED, METHOD_AUTH, METHOD_HELLO, METHOD_PING, METHOD_PULL, METHOD_REFUSE, METHOD_SUBMIT,
  type MethodId,
} from '../../firmware/core/wire/protocol.ts';

const HEX32 = 'ab'.repeat(32);
const HEADER = '01'.repeat(93);

/** Parses `line` as the answer awaited by a request of `method` with id 1 (null: none awaited). */
function parse(method: MethodId | null, line: string): { message: NodeMessage; cleared: boolean } {
  const client = createClient();
  if (method !== null) {
    request(client, method, [] as never);
  }
  const message = parseNodeLine(client, line);
  return { message, cleared: client.awaiting === null };
}

const answer = (result: string) => `{"id":1,"result":${result},"error":null}`;
const failure = (error: string) => `{"id":1,"result":null,"error":${error}}`;
const notify = (method: string, params: string) => `{"id":null,"method":${method},"params":${params}}`;

test('lines that are not a message, or not one a node sends', () => {
  const cases: [MethodId | null, string, number][] = [
    [METHOD_PING, 'garbage', LINE_NOT_JSON],
    [METHOD_PING, '', LINE_NOT_JSON],
    [METHOD_PING, '{"id":1,"result":true,"error":null', LINE_NOT_JSON],
    [METHOD_PING, '[1,2,3]', LINE_SHAPE],
    [METHOD_PING, '["id","result","error"]', LINE_SHAPE],
    [METHOD_PING, '5', LINE_SHAPE],
    [METHOD_PING, 'null', LINE_SHAPE],
    [METHOD_PING, 'true', LINE_SHAPE],
    [METHOD_PING, '"id,result,error"', LINE_SHAPE],
    [METHOD_PING, '{}', LINE_SHAPE],
    [METHOD_PING, '{"id":1,"result":true}', LINE_SHAPE],
    [METHOD_PING, '{"id":1,"result":true,"error":null,"extra":0}', LINE_SHAPE],
    [METHOD_PING, '{"id,result":1,"error":null}', LINE_SHAPE],
    [METHOD_PING, '{"id":1,"result,error":null,"x":1}', LINE_SHAPE],
    [METHOD_PING, '{"error,id":1,"result":true}', LINE_SHAPE],
    [null, '{"id,method":null,"params":[]}', LINE_SHAPE],
    [METHOD_PING, '{"id":null,"method":"mm.notify"}', LINE_SHAPE],
    [METHOD_PING, '{"id":null,"method":"mm.notify","params":[],"x":0}', LINE_SHAPE],
    [METHOD_PING, '{"id":1,"method":"mm.ping","params":[]}', LINE_NOT_NOTIFICATION],
    [null, '{"id":0,"method":"mm.notify","params":[]}', LINE_NOT_NOTIFICATION],
    [null, '{"id":"x","method":"mm.difficulty","params":[1]}', LINE_NOT_NOTIFICATION],
    [null, notify('"mm.reboot"', '[]'), LINE_UNKNOWN_NOTIFICATION],
    [null, notify('"mm.hello"', '[]'), LINE_UNKNOWN_NOTIFICATION],
    [null, notify('5', '[]'), LINE_UNKNOWN_NOTIFICATION],
    [null, notify('null', '{}'), LINE_UNKNOWN_NOTIFICATION],
    [null, notify('"mm.reboot"', '7'), LINE_UNKNOWN_NOTIFICATION],
  ];
  for (const [method, line, problem] of cases) {
    const { message, cleared } = parse(method, line);
    assert.equal(message, { kind: MESSAGE_INVALID, problem }, line);
    assert.is(cleared, method === null, `${line}: the request still awaits its answer`);
  }
});

test('notifications: each malformed params is LINE_PARAMS, the good ones parse', () => {
  const bad: [string, string][] = [
    ['"mm.difficulty"', '29'], ['"mm.difficulty"', '{}'], ['"mm.difficulty"', '{"0":1,"length":1}'], ['"mm.difficulty"', 'null'],
    ['"mm.difficulty"', '[]'], ['"mm.difficulty"', '[1,2]'], ['"mm.difficulty"', '["1"]'], ['"mm.difficulty"', '[-1]'],
    ['"mm.difficulty"', '[1.5]'], ['"mm.difficulty"', '[29]'], ['"mm.difficulty"', '[null]'],
    ['"mm.notify"', `{"0":1,"1":"${HEADER}","2":1,"length":3}`], ['"mm.notify"', '"x"'], ['"mm.notify"', '[]'],
    ['"mm.notify"', `[1,"${HEADER}"]`], ['"mm.notify"', `[1,"${HEADER}",1,0]`], ['"mm.notify"', '[1,"00",1]'],
    ['"mm.notify"', `[1,"${HEADER}0",1]`], ['"mm.notify"', `[1,"${HEADER}",29]`], ['"mm.notify"', `[1,"${HEADER}",-1]`],
    ['"mm.notify"', `[-1,"${HEADER}",1]`], ['"mm.notify"', `[4294967296,"${HEADER}",1]`], ['"mm.notify"', `[1.5,"${HEADER}",1]`],
    ['"mm.notify"', `["1","${HEADER}",1]`], ['"mm.notify"', '[1,5,1]'], ['"mm.notify"', `[1,null,1]`],
  ];
  for (const [method, params] of bad) {
    const line = notify(method, params);
    assert.equal(parse(METHOD_PULL, line), { message: { kind: MESSAGE_INVALID, problem: LINE_PARAMS }, cleared: false }, line);
  }
  assert.equal(parse(METHOD_PULL, notify('"mm.difficulty"', '[0]')), { message: { kind: MESSAGE_DIFFICULTY, difficulty: 0 }, cleared: false });
  assert.equal(parse(null, notify('"mm.difficulty"', '[28]')).message, { kind: MESSAGE_DIFFICULTY, difficulty: 28 });
  assert.equal(parse(null, notify('"mm.notify"', `[4294967295,"${HEADER}",28]`)).message,
    { kind: MESSAGE_NOTIFY, unitId: 0xffffffff, header: HEADER, difficulty: 28 });
});

test('answers nobody awaits, and answers carrying both a result and an error', () => {
  const cases: [MethodId | null, string, number, boolean][] = [
    [null, answer('true'), LINE_UNSOLICITED, true],
    [METHOD_PING, '{"id":2,"result":true,"error":null}', LINE_UNSOLICITED, false],
    [METHOD_PING, '{"id":"1","result":true,"error":null}', LINE_UNSOLICITED, false],
    [METHOD_PING, '{"id":null,"result":true,"error":null}', LINE_UNSOLICITED, false],
    [METHOD_PING, '{"id":2,"result":true,"error":[20,"x",null]}', LINE_UNSOLICITED, false],
    [METHOD_PING, '{"id":1,"result":true,"error":[20,"x",null]}', LINE_RESULT_AND_ERROR, false],
    [METHOD_PING, '{"id":1,"result":false,"error":5}', LINE_RESULT_AND_ERROR, false],
    [METHOD_HELLO, `{"id":1,"result":{"challenge":"${HEX32}"},"error":"x"}`, LINE_RESULT_AND_ERROR, false],
  ];
  for (const [method, line, problem, cleared] of cases) {
    assert.equal(parse(method, line), { message: { kind: MESSAGE_INVALID, problem }, cleared }, line);
  }
});

test('errors: a malformed error is LINE_ERROR_SHAPE, a good one is kept with its method', () => {
  for (const error of ['[20,"x"]', '[20,"x",1]', '[20,"x",null,null]', '["20","x",null]', '[-1,"x",null]', '[1.5,"x",null]',
    '[4294967296,"x",null]', '[20,5,null]', '[20,null,null]', '{}', '{"0":20,"1":"x","2":null,"length":3}', '"x"', '5', 'true', '[]']) {
    const line = failure(error);
    assert.equal(parse(METHOD_SUBMIT, line), { message: { kind: MESSAGE_INVALID, problem: LINE_ERROR_SHAPE }, cleared: true }, line);
  }
  assert.equal(parse(METHOD_PULL, failure('[21,"",null]')), { message: { kind: MESSAGE_ERROR, method: METHOD_PULL, code: 21, message: '' }, cleared: true });
  assert.equal(parse(METHOD_AUTH, failure('[4294967295,"why",null]')),
    { message: { kind: MESSAGE_ERROR, method: METHOD_AUTH, code: 0xffffffff, message: 'why' }, cleared: true });
});

test('results: each method refuses every result without its answer\'s shape as LINE_RESULT_SHAPE', () => {
  const any = ['null', 'true', 'false', '0', '"x"', '[]', '{}', '[1]'];
  const bad: [MethodId, string[]][] = [
    [METHOD_HELLO, [...any, '{"challenge":"00"}', `{"challenge":"${HEX32.toUpperCase()}"}`, `{"challenge":"${HEX32.slice(2)}zz"}`,
      `{"challenge":"${HEX32}0"}`, '{"challenge":5}', '{"challenge":null}', `{"challenge":"${HEX32}","x":1}`, `{"chal":"${HEX32}"}`,
      `["${HEX32}"]`]],
    [METHOD_AUTH, [...any, '{"counter":1}', '{"unit":null}', '{"counter":-1,"unit":null}', '{"counter":1.5,"unit":null}',
      '{"counter":4294967296,"unit":null}', '{"counter":null,"unit":null}', '{"counter":"1","unit":null}', '{"counter":1,"unit":"7"}',
      '{"counter":1,"unit":-1}', '{"counter":1,"unit":false}', '{"counter":1,"unit":null,"x":0}', '{"counter":1,"units":null}']],
    [METHOD_PULL, [...any, '{"entry":5}', '{"entry":true}', '{"entry":["ab"]}', '{"entry":"ab","x":1}', '{"entries":"ab"}']],
    [METHOD_SUBMIT, [...any, '{"accepted":true}', '{"accepted":1,"credited":null}', '{"accepted":null,"credited":null}',
      '{"accepted":"true","credited":null}', '{"accepted":true,"credited":null,"x":0}', '{"accepted":true,"credits":null}',
      ...['"01"', '"00"', '"-1"', '"+1"', '""', '" 1"', '"1 "', '"1a"', '"1e3"', '"1.0"', '"0x1"', '"18446744073709551616"',
        '"18446744073709551620"', '"99999999999999999999"', '"100000000000000000000"', '"018446744073709551615"', '5', '0', 'true', '[]']
        .map((credited) => `{"accepted":true,"credited":${credited}}`)]],
    [METHOD_REFUSE, [...any.filter((result) => result !== 'true'), '1', '"true"', '{"ok":true}']],
    [METHOD_PING, [...any.filter((result) => result !== 'true'), '1', '"true"', '[true]']],
  ];
  for (const [method, results] of bad) {
    for (const result of results) {
      const line = answer(result);
      assert.equal(parse(method, line), { message: { kind: MESSAGE_INVALID, problem: LINE_RESULT_SHAPE }, cleared: true }, `${method}: ${line}`);
    }
  }
});

test('results: each method\'s answer parses to its message and clears the request', () => {
  const good: [MethodId, string, NodeMessage][] = [
    [METHOD_HELLO, `{"challenge":"${HEX32}"}`, { kind: MESSAGE_CHALLENGE, challenge: new Uint8Array(32).fill(0xab) }],
    [METHOD_AUTH, '{"unit":null,"counter":0}', { kind: MESSAGE_AUTHORIZED, counter: 0, unit: null }],
    [METHOD_AUTH, '{"counter":4294967295,"unit":4294967295}', { kind: MESSAGE_AUTHORIZED, counter: 0xffffffff, unit: 0xffffffff }],
    [METHOD_PULL, '{"entry":null}', { kind: MESSAGE_ENTRY, entry: null }],
    [METHOD_PULL, '{"entry":""}', { kind: MESSAGE_ENTRY, entry: '' }],
    [METHOD_PULL, '{"entry":"not hex: checked while decoding"}', { kind: MESSAGE_ENTRY, entry: 'not hex: checked while decoding' }],
    [METHOD_SUBMIT, '{"credited":null,"accepted":false}', { kind: MESSAGE_ACK, accepted: false, credited: null }],
    ...['0', '7', '10', '1234567890123456789', '9999999999999999999', '10000000000000000000', '18446744073709551615']
      .map((credited): [MethodId, string, NodeMessage] => [METHOD_SUBMIT, `{"accepted":true,"credited":"${credited}"}`, { kind: MESSAGE_ACK, accepted: true, credited }]),
    [METHOD_REFUSE, 'true', { kind: MESSAGE_REFUSED }],
    [METHOD_PING, 'true', { kind: MESSAGE_PONG }],
  ];
  for (const [method, result, message] of good) {
    const line = answer(result);
    assert.equal(parse(method, line), { message, cleared: true }, line);
  }
});

test('request ids run from 1 and wrap from 2^32 - 1 back to 1; an answer must carry the latest', () => {
  const client = createClient();
  for (const [lastId, id] of [[0, 1], [1, 2], [0xfffffffe, 0xffffffff], [0xffffffff, 1]]) {
    client.lastId = lastId;
    assert.is(JSON.parse(request(client, METHOD_PING, [])).id, id);
    assert.equal(parseNodeLine(client, `{"id":${lastId},"result":true,"error":null}`), { kind: MESSAGE_INVALID, problem: LINE_UNSOLICITED });
    assert.equal(parseNodeLine(client, `{"id":${id},"result":true,"error":null}`), { kind: MESSAGE_PONG });
  }
});

test.run();
