// `micromine flash` for Espruino targets through the CLI, against the stand-in board on loopback
// (see test/flash/espruino.test.ts for the flash itself).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEspruinoConfig } from '../../protocol/device-config.ts';
import { STORED_IMAGE, storedImage } from '../../tools/build/stored.ts';
import type { EspruinoProfile } from '../../tools/manifests/index.ts';
import { main } from '../../tools/flash/cli.ts';
import { profileOf } from '../../tools/flash/targets.ts';
import { bootLoader } from '../../tools/flash/espruino/flash.ts';
import { captured, provisioned } from './cli-helpers.ts';
import { espruinoRig, image } from './standin.ts';

let work: string;
let imagePath: string;
let device: ReturnType<typeof provisioned>;
test.before.each(() => {
  work = mkdtempSync(join(tmpdir(), 'mm-flash-cli-'));
  imagePath = join(work, 'dist', 'micromine.js');
  mkdirSync(join(work, 'dist'));
  writeFileSync(imagePath, image('v1'));
  device = provisioned(work, 'espruino-esp32');
});
test.after.each(() => rmSync(work, { recursive: true, force: true }));

const flash = (...extra: string[]) => captured(() => main(['--target', 'espruino-esp32', '--device', device.dir, '--image', imagePath, ...extra]));

test('flash writes the image and the device\'s own mm.cfg, then boots it', async () => {
  const rig = await espruinoRig();
  try {
    const run = await flash('--port', rig.server.url);
    assert.is(run.status, 0, run.err);
    assert.is(rig.board.file('mm.a.js'), image('v1'));
    assert.is(rig.board.file('mm.cfg'), encodeEspruinoConfig(device.record.config));
    assert.is(rig.board.file('.bootcde'), bootLoader('mm.a.js'));
    assert.match(run.out, /- read back mm\.a\.js and compare SHA-256/);
    assert.match(run.out, /done: Espruino 2v24 on ESP32 runs mm\.a\.js \(SHA-256 [0-9a-f]{16}\.\.\.\); started/);
    assert.not.ok(run.out.includes('07'.repeat(32)), 'the key is not printed');
  } finally {
    await rig.server.close();
  }
});

test('dry run against a board: state read, exact bytes shown, nothing written', async () => {
  const rig = await espruinoRig({ files: { '.bootcde': bootLoader('mm.a.js'), 'mm.a.js': 'var MM_RUNNING="old";' } });
  try {
    const run = await flash('--port', rig.server.url, '--dry-run');
    assert.is(run.status, 0, run.err);
    assert.is(rig.board.writes.size, 0, 'the real board got no write');
    assert.is(rig.board.file('mm.a.js'), 'var MM_RUNNING="old";');
    assert.match(run.out, /board state read from tcp:\/\/127\.0\.0\.1:\d+; nothing was written to it/);
    // The plan for this board: slot b (a is active), then a is erased; bytes are shown JSON-escaped.
    assert.match(run.out, /3\. write image to Storage file mm\.b\.js \(\d+ bytes\): \d+ bytes sent\n    "\\n"\n    "\\u0010print\(\\"<\\",\\"<<\\"\);require\(\\"Storage\\"\)\.write\(\\"mm\.b\.js\\",atob\(/);
    assert.match(run.out, /switch the boot code to mm\.b\.js: E\.setBootCode/);
    const keyHex = Buffer.from(device.record.config.key).toString('hex');
    const cfgBase64 = Buffer.from(encodeEspruinoConfig(device.record.config), 'latin1').toString('base64');
    assert.match(run.out, /write\(\\"mm\.cfg\\",atob\(\\"<mm\.cfg bytes 0-\d+ as base64: hidden, --show-key shows them>\\"\)/);
    assert.not.ok(run.out.includes(cfgBase64) || run.out.includes(keyHex), 'the key is not printed');
    const shown = await flash('--port', rig.server.url, '--dry-run', '--show-key');
    assert.ok(shown.out.includes(cfgBase64), '--show-key shows the exact config bytes');
    assert.match(run.out, /erase the previous program: mm\.a\.js/);
    assert.match(run.out, /result: program in mm\.b\.js \(SHA-256 [0-9a-f]{64}\), boot switched after read-back, mm\.a\.js erased/);
  } finally {
    await rig.server.close();
  }
});

test('dry run without a port assumes a fresh board', async () => {
  const run = await flash('--dry-run');
  assert.is(run.status, 0, run.err);
  assert.match(run.out, /no --port: assuming a fresh ESP32 board on Espruino/);
  assert.match(run.out, /1\. ask the board for process\.env \(runtime, board, version\): \d+ bytes sent\n    "\\n"/);
  assert.match(run.out, /result: program in mm\.a\.js/);
});

test('a build directory: the pretokenised file storage.json names goes to Storage byte for byte; a changed file is refused', async () => {
  const built = join(work, 'built');
  mkdirSync(built);
  const { files } = storedImage('var MM_RUNNING="v2";function f(a){return a>=1&&typeof a}', profileOf('espruino-esp32') as EspruinoProfile, 'test.js');
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(built, name), contents);
  const bytes = readFileSync(join(built, STORED_IMAGE), 'latin1');
  assert.ok([...bytes].some((char) => char.charCodeAt(0) >= 128), 'token bytes in the image');
  const rig = await espruinoRig();
  try {
    const run = await captured(() => main(['--target', 'espruino-esp32', '--device', device.dir, '--image', built, '--port', rig.server.url]));
    assert.is(run.status, 0, run.err);
    assert.is(rig.board.file('mm.a.js'), bytes);
    assert.match(run.out, new RegExp(`flash .*built/${STORED_IMAGE.replace('.', '\\.')} \\(${bytes.length} bytes\\)`));
  } finally {
    await rig.server.close();
  }
  writeFileSync(join(built, STORED_IMAGE), Buffer.from(bytes.replace('v2', 'v3'), 'latin1'));
  const changed = await captured(() => main(['--target', 'espruino-esp32', '--device', device.dir, '--image', built, '--port', 'tcp://127.0.0.1:1']));
  assert.is(changed.status, 2);
  assert.match(changed.err, /error \[bad_input\]: .*micromine\.stored\.js is \d+ bytes with SHA-256 [0-9a-f]{16}\.\.\., storage\.json says \d+ bytes with [0-9a-f]{16}\.\.\./);
});

test('usage and input errors', async () => {
  const noPort = await flash();
  assert.is(noPort.status, 2);
  assert.match(noPort.err, /micromine flash needs --port/);
  const board = await flash('--board', 'nodemcu', '--port', 'tcp://127.0.0.1:1');
  assert.is(board.status, 2);
  assert.match(board.err, /--board does not apply to espruino-esp32 \(an Espruino target\)/);
  const badBaud = await flash('--port', '/dev/null', '--baud', 'fast');
  assert.match(badBaud.err, /--baud expected a positive integer, got "fast"/);
  // An explicit path that cannot exist: the default dist/ may hold a real build.
  const missing = join(work, 'never-built', 'micromine.js');
  const noImage = await captured(() => main(['--target', 'espruino-esp32', '--device', device.dir, '--port', 'tcp://127.0.0.1:1', '--image', missing]));
  assert.is(noImage.status, 2);
  assert.match(noImage.err, /error \[missing_image\]: no image at .*never-built\/micromine\.js\n  where: .*\n  hint: build it first: micromine build --target espruino-esp32/);
  const unknown = await captured(() => main(['--target', 'espruino-esp8266', '--device', device.dir]));
  assert.is(unknown.status, 2);
  assert.match(unknown.err, /error \[unknown_target\]/);
  const noDevice = await captured(() => main(['--target', 'espruino-esp32', '--device', join(work, 'none'), '--port', 'tcp://127.0.0.1:1']));
  assert.match(noDevice.err, /cannot read .*none\/device\.json: ENOENT\n.*\n  hint: provision the device first/);
});

test.run();
