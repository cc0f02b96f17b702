// The Espruino flash path end to end through EspruinoTools against the stand-in board served on
// loopback TCP (no ESP32 can be attached here: see docs/flashing.md, "What is tested").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadProfile, type EspruinoProfile } from '../../tools/manifests/index.ts';
import { bootLoader, flashEspruino, type FlashStep } from '../../tools/flash/espruino/flash.ts';
import { ToolError } from '../../tools/provision/errors.ts';
import { CONFIG, espruinoRig, foreignRig, image, type Rig } from './standin.ts';

const profile = loadProfile('espruino-esp32') as EspruinoProfile;

async function flash(rig: Rig | { server: { url: string } }, version: string, extra: { steps?: FlashStep[] } = {}) {
  return flashEspruino({ profile, port: rig.server.url, image: image(version), config: CONFIG, onStep: (step) => extra.steps?.push(step) });
}

async function failure(run: () => Promise<unknown>): Promise<ToolError> {
  try {
    await run();
  } catch (error) {
    assert.instance(error, ToolError);
    return error as ToolError;
  }
  throw new Error('expected the flash to fail');
}

function running(rig: Rig): unknown {
  return rig.board.run('typeof MM_RUNNING === "undefined" ? null : MM_RUNNING');
}

test('fresh board: image in slot a, config, boot switched last, read back, program started', async () => {
  const rig = await espruinoRig({ env: { BOARD: 'ESP32_IDF4' } });
  const steps: FlashStep[] = [];
  try {
    const result = await flash(rig, 'v1', { steps });
    assert.equal(steps.map((s) => s.name), ['identify', 'inspect', 'write-image', 'verify-image', 'write-config', 'verify-config', 'switch-boot', 'verify-boot', 'start']);
    assert.is(result.slot, 'mm.a.js');
    assert.is(result.previousSlot, null);
    assert.is(rig.board.file('mm.a.js'), image('v1'));
    assert.is(rig.board.file('mm.cfg'), CONFIG);
    assert.is(rig.board.file('.bootcde'), bootLoader('mm.a.js'));
    assert.is(rig.board.writes.get('mm.a.js'), 3, 'three 384-byte chunks');
    assert.is(running(rig), 'v1', 'load() started the new program');
    rig.board.boot();
    assert.is(running(rig), 'v1', 'the program runs after a power cycle');
  } finally {
    await rig.server.close();
  }
});

test('second flash: slot b, then the old slot is erased', async () => {
  const rig = await espruinoRig();
  try {
    await flash(rig, 'v1');
    const result = await flash(rig, 'v2');
    assert.is(result.previousSlot, 'mm.a.js');
    assert.is(result.slot, 'mm.b.js');
    assert.equal(result.removed, ['mm.a.js']);
    assert.equal([...rig.board.storage.keys()].sort(), ['.bootcde', 'mm.b.js', 'mm.cfg']);
    rig.board.boot();
    assert.is(running(rig), 'v2');
  } finally {
    await rig.server.close();
  }
});

test('upload cut off mid-line: the board keeps booting its previous program; a retry completes', async () => {
  // Record the exact bytes of an uninterrupted upload on an identical board to place the cut.
  const probe = await espruinoRig();
  await flash(probe, 'v1');
  const before = probe.server.received().length;
  await flash(probe, 'v2');
  const second = probe.server.received().slice(before);
  await probe.server.close();
  const secondChunk = second.indexOf('write("mm.b.js"', second.indexOf('write("mm.b.js"') + 1);
  assert.ok(secondChunk > 0);

  const installed = await espruinoRig();
  await flash(installed, 'v1');
  await installed.server.close();
  const board = installed.board;
  const cut = await espruinoRig({}, secondChunk + 40, board);
  try {
    const error = await failure(() => flash(cut, 'v2'));
    assert.is(error.code, 'upload_failed');
    assert.match(error.message, /connection to tcp:\/\/127\.0\.0\.1:\d+ closed during the upload of mm\.b\.js/);
    assert.is(board.file('.bootcde'), bootLoader('mm.a.js'), 'boot code untouched');
    assert.is(board.file('mm.a.js'), image('v1'), 'previous program intact');
    assert.is.not(board.file('mm.b.js'), image('v2'), 'the new slot is incomplete');
    board.boot();
    assert.is(board.run('MM_RUNNING'), 'v1');
  } finally {
    await cut.server.close();
  }
  const retry = await espruinoRig({}, undefined, board);
  try {
    await flash(retry, 'v2');
    board.boot();
    assert.is(board.run('MM_RUNNING'), 'v2');
    assert.not.ok(board.storage.has('mm.a.js'));
  } finally {
    await retry.server.close();
  }
});

test('a read-back mismatch aborts before the switch and removes the bad copy', async () => {
  const rig = await espruinoRig({ corruptWrites: /^mm\.b\.js$/ });
  try {
    await flash(rig, 'v1');
    const error = await failure(() => flash(rig, 'v2'));
    assert.is(error.code, 'verify_failed');
    assert.match(error.message, /mm\.b\.js read back with SHA-256 [0-9a-f]{16} \(\d+ bytes\), expected [0-9a-f]{16}/);
    assert.is(rig.board.file('.bootcde'), bootLoader('mm.a.js'));
    assert.not.ok(rig.board.storage.has('mm.b.js'));
    rig.board.boot();
    assert.is(running(rig), 'v1');
  } finally {
    await rig.server.close();
  }
});

test('a board that answers as another runtime is refused by name', async () => {
  const server = await foreignRig();
  try {
    const error = await failure(() => flash({ server }, 'v1'));
    assert.is(error.code, 'wrong_runtime');
    assert.match(error.message, /does not answer as Espruino \(no process\.env\); it printed ".*(SyntaxError|>>>)/);
    assert.match(error.hint ?? '', /flash Espruino firmware for ESP32 first/);
  } finally {
    await server.close();
  }
});

test('wrong board build and old firmware are refused before anything is written', async () => {
  for (const [env, code, pattern] of [
    [{ BOARD: 'PUCKJS' }, 'wrong_runtime', /runs Espruino 2v24 built for PUCKJS, not for ESP32 \(target espruino-esp32\)/],
    [{ BOARD: 'ESP32C3_IDF4' }, 'wrong_runtime', /built for ESP32C3_IDF4, not for ESP32/],
    [{ VERSION: '2v19' }, 'incompatible_version', /runs Espruino 2v19; espruino-esp32 is built for 2v21 or later/],
    // the profile's firmware, not only micromine's oldest: the lexer of 2v20.47 cannot read raw string tokens
    [{ VERSION: '2v20.47' }, 'incompatible_version', /runs Espruino 2v20\.47; espruino-esp32 is built for 2v21 or later \(its profile's "firmware"\)/],
  ] as const) {
    const rig = await espruinoRig({ env });
    try {
      const error = await failure(() => flash(rig, 'v1'));
      assert.is(error.code, code);
      assert.match(error.message, pattern);
      assert.is(rig.board.storage.size, 0, 'nothing written');
    } finally {
      await rig.server.close();
    }
  }
});

test('not enough Storage is reported before writing', async () => {
  const rig = await espruinoRig({ storageBytes: 600 });
  try {
    const error = await failure(() => flash(rig, 'v1'));
    assert.match(error.message, /the image needs \d+ bytes of Storage, the board has 600 free/);
    assert.is(rig.board.storage.size, 0);
  } finally {
    await rig.server.close();
  }
});

test('unreachable ports are named', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const tcp = await failure(() => flash({ server: { url: `tcp://127.0.0.1:${port}` } }, 'v1'));
  assert.is(tcp.code, 'port_unreachable');
  assert.match(tcp.message, new RegExp(`cannot connect to tcp://127.0.0.1:${port} \\(ECONNREFUSED\\)`));
  const serial = await failure(() => flash({ server: { url: '/dev/ttyUSB-not-there' } }, 'v1'));
  assert.is(serial.code, 'port_unreachable');
  assert.match(serial.message, /no serial port \/dev\/ttyUSB-not-there/);
});

test.run();
