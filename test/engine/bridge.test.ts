// The bridge between Node and the VM: the VM calls the host synchronously with strings or
// bytes, the host calls global functions with any simple value, print and trace reach the
// log, errors come back with their class and message, and Date and Math.random follow the
// simulator (virtual clock, seed) rather than the machine running it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError, startDevice, type LogEntry } from '../../host-sim/engine/index.ts';
import { ESP32, LARGE } from './creations.ts';

test('hostCall round trip with binary data, strings and an asynchronous handler', async () => {
  const seen: (string | Uint8Array)[] = [];
  const device = await startDevice({
    creation: ESP32,
    onHostCall: async (message) => {
      seen.push(message);
      if (typeof message === 'string') return message.toUpperCase();
      await new Promise((resolve) => setImmediate(resolve));
      return Uint8Array.from(message, (byte) => byte ^ 0xff);
    },
  });
  try {
    await device.evaluate(`globalThis.roundTrip = (bytes) => {
      const reply = new Uint8Array(hostCall(new Uint8Array(bytes).subarray(1)));
      return new Uint8Array([reply.length, ...reply, ...new Uint8Array(hostCall(new DataView(bytes)))]);
    }`);
    const input = Uint8Array.of(0, 1, 2, 0xfe, 0xff);
    const { value } = await device.call('roundTrip', [input]);
    assert.equal([...(value as Uint8Array)], [4, 0xfe, 0xfd, 0x01, 0x00, 0xff, 0xfe, 0xfd, 0x01, 0x00]);
    assert.equal(seen.map((m) => [...(m as Uint8Array)]), [[1, 2, 0xfe, 0xff], [0, 1, 2, 0xfe, 0xff]]);
    const text = await device.evaluate('hostCall("héllo, wörld")');
    assert.is(text.value, 'HÉLLO, WÖRLD');
  } finally {
    await device.close();
  }
});

test('large messages cross in both directions intact (frames span many pipe reads)', async () => {
  const device = await startDevice({ creation: LARGE, onHostCall: (message) => message });
  try {
    const big = Uint8Array.from({ length: 150_000 }, (_, i) => (i * 7) & 0xff);
    const { value } = await device.call('hostCall', [big]);
    assert.equal(value, big);
    const text = await device.evaluate('"ab".repeat(100000)');
    assert.is(text.value, 'ab'.repeat(100000));
  } finally {
    await device.close();
  }
});

test('a handler that throws, or no handler, makes hostCall throw an Error in the VM', async () => {
  const failing = await startDevice({ creation: ESP32, onHostCall: () => { throw new Error('socket closed'); } });
  const none = await startDevice({ creation: ESP32 });
  try {
    const caught = await failing.evaluate('try { hostCall("x"); "no" } catch (e) { e instanceof Error ? e.message : "?" }');
    assert.is(caught.value, 'hostCall: socket closed');
    const error = await none.evaluate('hostCall("x")').catch((e: unknown) => e);
    assert.is((error as EngineError).code, 'exception');
    assert.match((error as EngineError).message, 'no onHostCall handler');
    const bad = await none.evaluate('try { hostCall({}) } catch (e) { String(e) }');
    assert.match(String(bad.value), 'TypeError');
  } finally {
    await failing.close();
    await none.close();
  }
});

test('call() passes every value kind and returns the result; bytes arrive as ArrayBuffer', async () => {
  const device = await startDevice({ creation: ESP32 });
  try {
    await device.evaluate('globalThis.describe = (...args) => args.map((a) => a instanceof ArrayBuffer ? "buffer:" + a.byteLength : typeof a + ":" + String(a)).join("|")');
    const { value } = await device.call('describe', [undefined, null, true, false, 2.5, 'text', Uint8Array.of(1, 2, 3)]);
    assert.is(value, 'undefined:undefined|object:null|boolean:true|boolean:false|number:2.5|string:text|buffer:3');
    const kinds = await device.evaluate('[1, 2]');
    assert.is(kinds.value, '1,2', 'objects come back as their String() text');
    const missing = await device.call('nowhere').catch((e: unknown) => e);
    assert.is((missing as EngineError).code, 'exception');
    assert.match((missing as EngineError).message, 'ReferenceError: call: no global named nowhere');
  } finally {
    await device.close();
  }
});

test('print and trace reach the log; exceptions and syntax errors say what and where', async () => {
  const log: LogEntry[] = [];
  const device = await startDevice({ creation: ESP32, name: 'fridge-7', onLog: (entry) => log.push(entry) });
  try {
    await device.evaluate('print("a", 1, true); trace("partial"); trace(" line\\n"); Promise.reject(new Error("lost")); 0');
    // XS reports a rejection nobody handled once the promise is collected, as on the board.
    await device.collectGarbage();
    assert.equal(log.map((e) => [e.channel, e.text, e.device]), [
      ['print', 'a 1 true', 'fridge-7'],
      ['trace', 'partial', 'fridge-7'],
      ['trace', ' line\n', 'fridge-7'],
      ['system', 'unhandled rejection: Error: lost', 'fridge-7'],
    ]);
    const thrown = await device.evaluate('null.x').catch((e: unknown) => e);
    assert.instance(thrown, EngineError);
    assert.is((thrown as EngineError).code, 'exception');
    assert.match((thrown as EngineError).message, /^fridge-7: TypeError: /);
    const syntax = await device.evaluate('let = ;', { name: 'image.js' }).catch((e: unknown) => e);
    assert.match((syntax as EngineError).message, 'SyntaxError: image.js:1:');
    assert.is(device.state, 'ready', 'exceptions leave the device running');
  } finally {
    await device.close();
    await device.close(); // twice is harmless
  }
});

test('Date reads the virtual clock and Math.random the seed', async () => {
  const one = await startDevice({ creation: ESP32, seed: 7 });
  const two = await startDevice({ creation: ESP32, seed: 7 });
  const other = await startDevice({ creation: ESP32, seed: 8 });
  try {
    one.time = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    assert.is((await one.evaluate('Date.now()')).value, one.time);
    assert.is((await one.evaluate('new Date().toISOString()')).value, '2030-01-02T03:04:05.678Z');
    const draw = 'Array.from({ length: 4 }, () => Math.random()).join()';
    const a = (await one.evaluate(draw)).value;
    assert.is((await two.evaluate(draw)).value, a);
    assert.is.not((await other.evaluate(draw)).value, a);
  } finally {
    await one.close();
    await two.close();
    await other.close();
  }
});

test('bad options are refused by name before anything starts', async () => {
  const refusal = (options: unknown): Promise<Error> =>
    startDevice(options as never).then((device) => { void device.close(); throw new Error('the device started'); }, (error: Error) => error);
  const check = async (options: unknown, kind: Function, message: RegExp) => {
    const error = await refusal(options);
    assert.instance(error, kind);
    assert.match(error.message, message);
  };
  await check({ creation: ESP32, colour: 'red' }, TypeError, /unknown option "colour"/);
  await check({ creation: { ...ESP32, heap: { initial: -1, incremental: 0 } } }, RangeError, /"creation.heap.initial" expected integer from 2/);
  await check({ creation: { ...ESP32, stack: '512' } }, TypeError, /"creation.stack" expected integer, got string/);
  await check({ creation: { ...ESP32, extra: 1 } }, TypeError, /"creation" has an unknown field "extra"/);
  await check({ creation: ESP32, computronLimit: 0 }, RangeError, /"computronLimit" expected integer from 1/);
  await check({ creation: ESP32, seed: 1.5 }, RangeError, /"seed" expected an integer from 0 to 2\^64 - 1, got 1.5/);
  await check({ creation: ESP32, rom: { modules: { timer: 5 } } }, TypeError, /"rom.modules.timer" expected string/);
  const tooSmall = await refusal({ creation: ESP32, allocationLimit: 1000 });
  assert.is((tooSmall as EngineError).code, 'not-enough-memory');
});

test.run();
