// The Moddable flash path up to the toolchain: the generated project, the exact command lines, the
// streamed output and exit status, and every missing-environment error. The toolchain is a
// stand-in: shell scripts named mcconfig and mcrun on PATH that record how they were called (no
// Moddable SDK or ESP-IDF is installed here; see docs/flashing.md, "What is tested").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModdablePreferences, preferencesToJson } from '../../protocol/device-config.ts';
import { loadProfile, type XsProfile } from '../../tools/manifests/index.ts';
import { main } from '../../tools/flash/cli.ts';
import { checkModdableEnvironment } from '../../tools/flash/moddable/environment.ts';
import { ToolError } from '../../tools/provision/errors.ts';
import { captured, provisioned } from './cli-helpers.ts';

let work: string;
let dist: string;
let bin: string;
let device: ReturnType<typeof provisioned>;
const saved = { ...process.env };

test.before.each(() => {
  work = mkdtempSync(join(tmpdir(), 'mm-moddable-'));
  dist = join(work, 'dist', 'moddable-esp32');
  mkdirSync(join(dist, 'core'), { recursive: true });
  writeFileSync(join(dist, 'manifest.json'), JSON.stringify({ include: ['$(MODDABLE)/examples/manifest_base.json'], creation: { main: 'app' }, modules: { '*': ['./app', './core/validate'] } }));
  writeFileSync(join(dist, 'app.js'), 'export default function () { trace("mining\\n"); }\n');
  writeFileSync(join(dist, 'core', 'validate.js'), 'export const ok = 1;\n');
  bin = join(work, 'bin');
  mkdirSync(bin);
  for (const tool of ['mcconfig', 'mcrun']) {
    // Stand-in for the Moddable tool: records argv, cwd and UPLOAD_PORT, prints like a build, exits with FAKE_STATUS.
    writeFileSync(join(bin, tool), `#!/bin/sh\nprintf '%s\\n' "${tool} $*" "cwd=$(pwd)" "port=$UPLOAD_PORT" > "${join(work, 'calls')}"\necho "# xsc app.xsb"\necho "warning: fake toolchain" >&2\nexit \${FAKE_STATUS:-0}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  mkdirSync(join(work, 'moddable'));
  mkdirSync(join(work, 'esp-idf'));
  writeFileSync(join(work, 'ttyUSB0'), '');
  Object.assign(process.env, { MODDABLE: join(work, 'moddable'), IDF_PATH: join(work, 'esp-idf'), PATH: `${bin}:${saved.PATH}` });
  delete process.env.UPLOAD_PORT;
  delete process.env.FAKE_STATUS;
  device = provisioned(work, 'moddable-esp32');
});
test.after.each(() => {
  for (const name of ['MODDABLE', 'IDF_PATH', 'PATH', 'UPLOAD_PORT', 'FAKE_STATUS']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  rmSync(work, { recursive: true, force: true });
});

const flash = (...extra: string[]) => captured(() => main(['--target', 'moddable-esp32', '--device', device.dir, '--image', dist, ...extra]));
const calls = () => readFileSync(join(work, 'calls'), 'utf8').trim().split('\n');

test('full install: project with the profile creation, provisioning config, XS_MODS; mcconfig -d -m -p esp32/nodemcu', async () => {
  const run = await flash('--board', 'nodemcu', '--port', join(work, 'ttyUSB0'));
  assert.is(run.status, 0, run.err);
  const project = join(device.dir, 'moddable-full');
  assert.equal(calls(), [`mcconfig -d -m -p esp32/nodemcu`, `cwd=${project}`, `port=${join(work, 'ttyUSB0')}`]);
  const manifest = JSON.parse(readFileSync(join(project, 'manifest.json'), 'utf8'));
  const profile = loadProfile('moddable-esp32') as XsProfile;
  assert.equal(manifest.creation, { ...profile.ram.creation, main: 'mm-boot' });
  assert.equal(manifest.creation.chunk, { initial: 78848, incremental: 0 });
  assert.equal(manifest.defines, { XS_MODS: 1 });
  assert.equal(manifest.include, ['./app/manifest.json', '$(MODDABLE)/modules/files/preference/manifest.json', '$(MODDABLE)/modules/base/modules/manifest.json']);
  assert.equal(manifest.config, { mm: preferencesToJson(encodeModdablePreferences(device.record.config)) });
  assert.equal(manifest.modules, { '*': ['./mm-boot', './mm-provision'] });
  assert.match(readFileSync(join(project, 'mm-provision.js'), 'utf8'), /import config from "mc\/config";/);
  assert.match(readFileSync(join(project, 'mm-boot.js'), 'utf8'), /Modules\.importNow\(Modules\.has\("mm-mod"\) \? "mm-mod" : "app"\)/);
  assert.is(readFileSync(join(project, 'app', 'core', 'validate.js'), 'utf8'), 'export const ok = 1;\n');
  assert.is(statSync(project).mode & 0o777, 0o700);
  assert.is(statSync(join(project, 'manifest.json')).mode & 0o777, 0o600);
  assert.match(run.out, /run: mcconfig -d -m -p esp32\/nodemcu/);
  assert.match(run.out, /  # xsc app\.xsb/, 'tool output streamed');
  assert.match(run.out, /  warning: fake toolchain/);
});

test('build kinds and the default board map to the documented command lines', async () => {
  for (const [extra, expected] of [
    [[], 'mcconfig -d -m -p esp32/nodemcu'],
    [['--build', 'instrumented', '--board', 'esp32/moddable_two'], 'mcconfig -i -m -p esp32/moddable_two'],
    [['--build', 'release'], 'mcconfig -m -p esp32/nodemcu'],
    [['--install', 'mod'], 'mcrun -d -m -p esp32/nodemcu'],
  ] as const) {
    const run = await flash(...extra);
    assert.is(run.status, 0, run.err);
    assert.is(calls()[0], expected);
  }
});

test('mod install: manifest_mod.json, app modules rebased under app/, mod/config', async () => {
  const run = await flash('--install', 'mod');
  assert.is(run.status, 0, run.err);
  const project = join(device.dir, 'moddable-mod');
  const manifest = JSON.parse(readFileSync(join(project, 'manifest.json'), 'utf8'));
  assert.equal(manifest.include, ['$(MODDABLE)/examples/manifest_mod.json']);
  assert.equal(manifest.modules, { '*': ['./app/app', './app/core/validate', './mm-mod', './mm-provision'] });
  assert.not.ok('creation' in manifest);
  assert.match(readFileSync(join(project, 'mm-provision.js'), 'utf8'), /import config from "mod\/config";/);
  assert.match(readFileSync(join(project, 'mm-mod.js'), 'utf8'), /import app from "app";/);
  const refused = await flash('--install', 'mod', '--build', 'release');
  assert.is(refused.status, 2);
  assert.match(refused.err, /a mod is installed with a debug build \(mcrun -d\), not --build release/);
});

test('dry run: generates the project and prints the command without running it', async () => {
  const run = await flash('--dry-run', '--board', 'm5stack');
  assert.is(run.status, 0, run.err);
  assert.match(run.out, /dry run: would run `mcconfig -d -m -p esp32\/m5stack` in .*moddable-full/);
  assert.throws(() => calls(), /ENOENT/);
});

test('toolchain failure: its exit status is reported, exit 1', async () => {
  process.env.FAKE_STATUS = '2';
  const run = await flash();
  assert.is(run.status, 1);
  assert.match(run.err, /error \[toolchain_failed\]: .*mcconfig -d -m -p esp32\/nodemcu exited with status 2/);
});

test('every missing piece of the environment gets its own line', () => {
  const missing = (env: NodeJS.ProcessEnv, port?: string) => {
    try {
      checkModdableEnvironment(env, 'mcconfig', port);
    } catch (error) {
      assert.instance(error, ToolError);
      assert.is((error as ToolError).code, 'env_missing');
      return (error as Error).message.split('\n').slice(1);
    }
    return [];
  };
  const ready = { MODDABLE: join(work, 'moddable'), IDF_PATH: join(work, 'esp-idf'), PATH: bin };
  assert.equal(missing(ready), []);
  assert.equal(missing({}, '/dev/ttyUSB9'), [
    '  - MODDABLE is not set: install the Moddable SDK and export MODDABLE=<its directory>',
    '  - IDF_PATH is not set: install ESP-IDF (the version your Moddable SDK release names) and source its export.sh',
    '  - mcconfig is not on PATH: build the SDK tools ($MODDABLE/build/makefiles/<os>) and add $MODDABLE/build/bin/<os>/release to PATH',
    '  - --port is /dev/ttyUSB9, which does not exist: plug the board in (CP210x/CH340 USB-serial driver) or fix the path',
  ]);
  assert.equal(missing({ ...ready, MODDABLE: join(work, 'nope') }), [`  - MODDABLE is ${join(work, 'nope')}, which is not a directory`]);
  assert.equal(missing({ ...ready, UPLOAD_PORT: '/dev/ttyACM7' }), ['  - UPLOAD_PORT is /dev/ttyACM7, which does not exist: plug the board in (CP210x/CH340 USB-serial driver) or fix the path']);
});

test('the CLI stops before building when the environment is incomplete', async () => {
  delete process.env.IDF_PATH;
  const run = await flash();
  assert.is(run.status, 3);
  assert.match(run.err, /error \[env_missing\]: the Moddable toolchain is not ready:\n  - IDF_PATH is not set/);
  assert.throws(() => calls(), /ENOENT/);
});

test('unknown boards, boards of another chip and Espruino-only options are refused by name', async () => {
  const unknown = await flash('--board', 'toaster');
  assert.is(unknown.status, 2);
  assert.match(unknown.err, /error \[unknown_board\]: unknown Moddable board "toaster"\n  where: --board\n  hint: esp32 boards: nodemcu, moddable_two/);
  const chip = await flash('--board', 'esp32c3');
  assert.match(chip.err, /board esp32c3 is an esp32c3, but the target is for an esp32\n.*\n  hint: .*use the moddable-esp32c3 target/);
  const baud = await flash('--baud', '9600');
  assert.is(baud.status, 2);
  assert.match(baud.err, /--baud does not apply to moddable-esp32 \(a Moddable target\)/);
  const missingBuild = await captured(() => main(['--target', 'moddable-esp32', '--device', device.dir, '--image', join(work, 'nothing')]));
  assert.match(missingBuild.err, /error \[missing_image\]: no Moddable build at .*nothing/);
  const other = await captured(() => main(['--target', 'moddable-esp32s3', '--device', device.dir, '--image', dist]));
  assert.match(other.err, /device a1b2c3d4e5f60718 was provisioned as moddable-esp32, not moddable-esp32s3/);
});

test.run();
