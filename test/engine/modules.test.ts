// ES module images, unchanged: an image importing modules the simulator provides ("timer",
// "embedded:io/socket/tcp") runs, relative imports resolve, the image's code stays in flash
// (only what it creates counts as RAM), and a missing or broken module is a clear exception.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError, startDevice } from '../../host-sim/engine/index.ts';
import { ESP32 } from './creations.ts';

// A ROM "timer" in the shape of Moddable's: the host decides when a timer fires and delivers
// it by calling the global `fireTimer`.
const TIMER = `
const callbacks = new Map();
let next = 1;
export default class Timer {
  static set(callback, interval = 0) {
    const id = next++;
    callbacks.set(id, callback);
    hostCall(JSON.stringify({ op: "timer.set", id, interval }));
    return id;
  }
  static clear(id) { callbacks.delete(id); }
}
globalThis.fireTimer = (id) => { const callback = callbacks.get(id); callbacks.delete(id); callback?.(id); };
`;
const TCP = `export default class TCP { constructor(options) { this.options = options; hostCall("tcp " + options.address + ":" + options.port); } }`;

const MAIN = `
import Timer from "timer";
import TCP from "embedded:io/socket/tcp";
import { hex } from "./lib/hex";
export let ticks = 0;
new TCP({ address: "127.0.0.1", port: 7070 });
Timer.set(() => { ticks++; trace("tick " + hex(Uint8Array.of(ticks, 255)) + "\\n"); }, 100);
globalThis.ticks = () => ticks;
`;
const HEX = `export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");`;

test('a module image imports host-provided modules and runs unchanged', async () => {
  const calls: string[] = [];
  const log: string[] = [];
  const device = await startDevice({
    creation: ESP32,
    rom: { modules: { timer: TIMER, 'embedded:io/socket/tcp': TCP } },
    image: { modules: { main: MAIN, 'lib/hex': HEX } },
    onHostCall: (message) => { calls.push(String(message)); },
    onLog: (entry) => log.push(entry.text),
  });
  try {
    await device.importModule('main');
    assert.equal(calls, ['tcp 127.0.0.1:7070', '{"op":"timer.set","id":1,"interval":100}']);
    await device.call('fireTimer', [1]);
    assert.equal(log, ['tick 01ff\n']);
    assert.is((await device.call('ticks')).value, 1);
  } finally {
    await device.close();
  }
});

test('the image is compiled into flash: its code costs no RAM, its objects do', async () => {
  // 200 functions with string literals: kilobytes of byte code, none of it in the chunk heap.
  const functions = Array.from({ length: 200 }, (_, i) => `export function f${i}(x) { return "literal number ${i} " + x; }`).join('\n');
  const device = await startDevice({ creation: ESP32, image: { modules: { big: functions } } });
  try {
    assert.ok(device.boot.flashBytes > 8000, `flash ${device.boot.flashBytes}`);
    await device.importModule('big');
    const { usage } = await device.collectGarbage();
    assert.ok(usage.chunks.current < 1000, `chunk bytes after import: ${usage.chunks.current}`);
    assert.ok(usage.slots.current > 1000 && usage.slots.current < 3000, `slots for 200 exported functions: ${usage.slots.current}`);
    assert.is(usage.keys, 0, 'the image\'s names were made keys at boot, like a linked archive');
  } finally {
    await device.close();
  }
});

test('missing and broken modules fail with the module named', async () => {
  const device = await startDevice({
    creation: ESP32,
    image: { modules: { lonely: 'import x from "nowhere"; export default x;', thrower: 'throw new RangeError("bad config");' } },
  });
  try {
    const missing = await device.importModule('lonely').catch((e: unknown) => e);
    assert.is((missing as EngineError).code, 'exception');
    assert.match((missing as EngineError).message, 'module "nowhere" not found');
    const thrown = await device.importModule('thrower').catch((e: unknown) => e);
    assert.match((thrown as EngineError).message, 'RangeError: bad config');
    const unknown = await device.importModule('absent').catch((e: unknown) => e);
    assert.match((unknown as EngineError).message, 'module "absent" not found');
  } finally {
    await device.close();
  }
  const broken = await startDevice({ creation: ESP32, image: { modules: { main: 'export const = 1;' } } }).catch((e: unknown) => e);
  assert.instance(broken, EngineError);
  assert.match((broken as EngineError).message, 'SyntaxError: main:1:');
});

test('image scripts run in the global scope, sloppy, as Espruino images are', async () => {
  const device = await startDevice({
    creation: ESP32,
    rom: { scripts: { 'espruino.js': 'var E = { getSizeOf: function () { return 0; } };' } },
    image: { scripts: { 'app.js': 'var counter = 1; undeclared = 2; function bump() { return ++counter; } bump() + undeclared + E.getSizeOf()' } },
  });
  try {
    const { value, usage } = await device.runScript('app.js');
    assert.is(value, 4);
    assert.is(usage.keys, 0, 'names of image scripts are keys from boot');
    assert.is((await device.evaluate('bump()')).value, 3);
    const missing = await device.runScript('other.js').catch((e: unknown) => e);
    assert.match((missing as EngineError).message, 'ReferenceError: no image script named other.js');
    // Code compiled at run time takes runtime keys, of which an ESP32 has 32.
    const names = Array.from({ length: 40 }, (_, i) => `name${i}`).join(', ');
    const keys = await device.evaluate(`var { ${names} } = {}; 0`).catch((e: unknown) => e);
    assert.is((keys as EngineError).code, 'no-more-keys');
  } finally {
    await device.close();
  }
});

test.run();
