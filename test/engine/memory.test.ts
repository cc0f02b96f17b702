// Device RAM in the engine: the built-ins and the ROM do not count, a device's heaps fail with
// XS's "not enough memory" where a larger device's do not, a one-block device grows its heaps
// inside its static block and no further, and collectGarbage() gives live figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError, initialBytes, startDevice, type CallResult, type DeviceCreation } from '../../host-sim/engine/index.ts';
import { ESP32, ESP32C3, LARGE } from './creations.ts';

// About 6,000 slots live at the end: more than an ESP32's 4,928, a quarter of LARGE's heap.
const OBJECTS = 'globalThis.kept = []; for (let i = 0; i < 3000; i++) kept.push({ i }); kept.length';
// 90,000 bytes of buffers alive at once: more than an ESP32's 78,848-byte chunk heap.
const BUFFERS = 'globalThis.b1 = new Uint8Array(60000); globalThis.b2 = new Uint8Array(30000); b1.length + b2.length';

async function runOn(creation: DeviceCreation, code: string): Promise<CallResult | EngineError> {
  const device = await startDevice({ creation });
  try {
    return await device.evaluate(code);
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  } finally {
    await device.close();
  }
}

test('a fresh device uses none of its RAM: built-ins and ROM modules are the base', async () => {
  const rom = { modules: { config: 'export const table = Array.from({ length: 500 }, (_, i) => ({ i, name: "entry" + i }));' } };
  const plain = await startDevice({ creation: ESP32 });
  const withRom = await startDevice({ creation: ESP32, rom });
  try {
    for (const device of [plain, withRom]) {
      const { usage } = await device.collectGarbage();
      assert.is(usage.slots.current, 0);
      assert.is(usage.chunks.current, 0);
      assert.is(usage.slots.limit, 4927); // one slot of the heap is its header, as on the board
      assert.is(usage.chunks.limit, 78848);
      assert.is(usage.allocated, (512 + 4928) * 16 + 78848);
    }
    assert.ok(plain.boot.base.slots > 3000, `the engine's built-ins hold ${plain.boot.base.slots} slots`);
    assert.ok(withRom.boot.base.slots > plain.boot.base.slots + 1000, 'the ROM table is in the base');
    const { value } = await withRom.evaluate('0');
    assert.is(value, 0);
  } finally {
    await plain.close();
    await withRom.close();
  }
});

test('too many objects: not enough memory on ESP32, fine on a larger device', async () => {
  const small = await runOn(ESP32, OBJECTS);
  assert.instance(small, EngineError);
  const error = small as EngineError;
  assert.is(error.code, 'not-enough-memory');
  assert.match(error.message, 'not enough memory');
  assert.is(error.usage!.slots.peak, 4927);
  const large = await runOn(LARGE, OBJECTS);
  assert.not.instance(large, EngineError);
  assert.is((large as CallResult).value, 3000);
  assert.ok((large as CallResult).usage.slots.current > 4928);
});

test('too many bytes: the chunk heap is counted in device bytes and fails past 78,848', async () => {
  const small = await runOn(ESP32, BUFFERS);
  assert.instance(small, EngineError);
  assert.is((small as EngineError).code, 'not-enough-memory');
  const large = await runOn(LARGE, BUFFERS);
  assert.is((large as CallResult).value, 90000);
  // 90,000 payload bytes, 8-byte device chunk headers: the device sizes, not the host's.
  const chunks = (large as CallResult).usage.chunks.current;
  assert.ok(chunks >= 90016 && chunks < 91000, `chunk bytes ${chunks}`);
});

test('the JS stack is the device\'s: 512 slots, then "stack overflow"', async () => {
  const device = await startDevice({ creation: ESP32 });
  try {
    const shallow = await device.evaluate('function depth(n) { return n ? depth(n - 1) + 1 : 0 } depth(20)');
    assert.is(shallow.value, 20);
    assert.ok(shallow.usage.stack.peak > 100 && shallow.usage.stack.peak < 512, `stack peak ${shallow.usage.stack.peak}`);
    const deep = await device.evaluate('function endless(n) { return endless(n + 1) + 1 } endless(0)').catch((e: unknown) => e);
    assert.is((deep as EngineError).code, 'stack-overflow');
    assert.is((deep as EngineError).usage!.stack.peak, 512);
  } finally {
    await device.close();
  }
});

test('a device that aborted stays stopped; later calls fail with "closed"', async () => {
  const device = await startDevice({ creation: ESP32 });
  await device.evaluate(OBJECTS).catch(() => {});
  assert.is(device.state, 'stopped');
  const later = await device.evaluate('1').catch((error: EngineError) => error);
  assert.instance(later, EngineError);
  assert.is((later as EngineError).code, 'closed');
  assert.match((later as EngineError).message, 'not enough memory');
  await device.close();
});

test('ESP32-C3: heaps grow by their increments inside the static block, then stop at 94,208 bytes', async () => {
  const grow = (count: number) => `globalThis.a = []; for (let i = 0; i < ${count}; i++) a.push({ i, s: "v" + i }); a.length`;
  const fits = await runOn(ESP32C3, grow(500));
  const usage = (fits as CallResult).usage;
  assert.is((fits as CallResult).value, 500);
  assert.ok(usage.slots.limit > 511, `slot heap grew: ${usage.slots.limit}`);
  assert.ok(usage.chunks.limit > 1536 && (usage.chunks.limit - 1536) % 512 === 0, `chunk heap grew by 512s: ${usage.chunks.limit}`);
  // Each growth takes 64 slots (1,024 bytes) or 512 chunk bytes out of the static block.
  assert.ok(usage.allocated > initialBytes(ESP32C3) && (usage.allocated - initialBytes(ESP32C3)) % 512 === 0);
  assert.ok(usage.allocated <= 94208);
  const fails = await runOn(ESP32C3, grow(3000));
  assert.is((fails as EngineError).code, 'not-enough-memory');
  assert.ok((fails as EngineError).usage!.allocated <= 94208);
});

test('collectGarbage() gives live usage: garbage goes, what is kept stays', async () => {
  const device = await startDevice({ creation: ESP32 });
  try {
    await device.evaluate('globalThis.keep = "k".repeat(1000); for (let i = 0; i < 50; i++) ("g" + i).repeat(100); 0');
    const { usage } = await device.collectGarbage();
    // 1,000 characters and a NUL, rounded to 4, plus the 8-byte header; a few names and the script name.
    assert.ok(usage.chunks.current >= 1012 && usage.chunks.current < 1200, `live chunk bytes ${usage.chunks.current}`);
    await device.evaluate('delete globalThis.keep; 0');
    const after = await device.collectGarbage();
    assert.ok(after.usage.chunks.current <= usage.chunks.current - 1012);
  } finally {
    await device.close();
  }
});

test.run();
