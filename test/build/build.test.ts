import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, BuildError, main, type BuildReport } from '../../tools/build/index.ts';
import { detokenise } from '../../tools/build/espruino-tokens.ts';
import { pretokenise } from '../../tools/build/pretokenise.ts';
import { sha256Bytes } from '../../tools/build/stored.ts';
import { lintFile } from '../../tools/lint/index.ts';
import { listTargets, loadProfile, type XsProfile } from '../../tools/manifests/index.ts';
import { CHECK_SIGNATURE, HEADER_CHECKS_AT, TX_SIGNATURE_AT } from '../../firmware/core/layout.ts';
import { exampleIdentity, exampleUnit } from '../../protocol/wire-example.ts';
import { configFor, startNode, until } from '../app/support.ts';
import { runEspruinoImage, runModdableImage } from './runtime-shims.ts';

const scratch = mkdtempSync(join(tmpdir(), 'micromine-build-'));
const first = join(scratch, 'first');
let report: BuildReport;

/** The XS creation of a Moddable ESP32 (Espruino counts RAM in its own units; the simulator models them). */
const ESP32 = (loadProfile('moddable-esp32') as XsProfile).ram.creation;

function moddableModules(target: string): { micromine: string; main: string } {
  return { micromine: readFileSync(join(first, target, 'micromine.js'), 'utf8'), main: readFileSync(join(first, target, 'main.js'), 'utf8') };
}

/** Every file under `dir`, relative path to bytes. */
function tree(dir: string): Map<string, string> {
  const files = readdirSync(dir, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile());
  const paths = files.map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
  return new Map(paths.map((path) => [path, readFileSync(join(dir, path), 'latin1')]));
}

/** A throw of a BuildError with `code`, whose message includes every one of `parts`. */
async function rejects(run: () => Promise<unknown> | unknown, code: string, parts: string[]): Promise<BuildError> {
  try {
    await run();
  } catch (error) {
    assert.instance(error, BuildError);
    const built = error as BuildError;
    assert.is(built.code, code, built.message);
    for (const part of parts) assert.ok(built.message.includes(part), `"${part}" in: ${built.message}`);
    assert.ok(built.hint.length > 0, 'a hint');
    return built;
  }
  throw new assert.Assertion({ message: `expected a BuildError ${code}`, operator: 'rejects', generated: false, expects: code, actual: 'no error' });
}

test.before(async () => {
  report = await build({ outDir: first });
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test('every target builds, type-checked, with images the language lint passes', () => {
  assert.equal(report.targets.map((t) => t.target), listTargets());
  for (const target of report.targets) {
    assert.is(target.lintFindings, 0);
    for (const name of target.image) {
      const file = join(first, target.target, name);
      assert.equal(lintFile(file, { runtime: target.runtime === 'espruino' ? 'espruino' : 'xs' }), [], file);
    }
    assert.ok(target.raw > 0 && target.gzip > 0 && target.gzip < target.raw);
    // The per-module breakdown accounts for every byte of the image.
    assert.is(target.modules.reduce((sum, m) => sum + m.bytes, 0), target.raw, target.target);
  }
  assert.equal(readdirSync(first).sort(), listTargets(), 'no staging directory left behind');
});

test('the same sources build to byte-identical output', async () => {
  const second = join(scratch, 'second');
  await build({ outDir: second, typecheck: false });
  const a = tree(first);
  const b = tree(second);
  assert.equal([...b.keys()], [...a.keys()]);
  for (const [name, bytes] of a) assert.ok(b.get(name) === bytes, `${name} differs between two builds`);
  for (const [name, bytes] of a) assert.not.ok(bytes.includes(scratch) || bytes.includes(process.cwd()), `${name} holds an absolute path`);
});

test('each Moddable manifest holds its profile\'s creation block, the modules and a mod layout', () => {
  for (const target of listTargets().filter((t) => t.startsWith('moddable-'))) {
    const profile = loadProfile(target) as XsProfile;
    const manifest = JSON.parse(readFileSync(join(first, target, 'manifest.json'), 'utf8'));
    const { main: start, ...creation } = manifest.creation;
    assert.equal(creation, profile.ram.creation, target);
    assert.is(start, 'main');
    assert.equal(manifest.modules, { '*': ['./micromine', './main'] });
    assert.ok(manifest.include.includes('$(MODDABLE)/modules/crypt/digest/manifest.json'));
    assert.ok(manifest.include.includes('$(MODDABLE)/modules/io/manifest.json'), 'ECMA-419 TCP by default');
    assert.ok(Array.isArray(manifest.strip) && manifest.strip.includes('eval') && !manifest.strip.includes('Math'));
    assert.not.ok('config' in manifest || 'preferences' in manifest, 'preferences are left to provisioning');
    const mod = JSON.parse(readFileSync(join(first, target, 'mod', 'manifest.json'), 'utf8'));
    assert.equal(mod.modules, { '*': ['../micromine'], mod: '../main' });
  }
});

test('the Espruino output has its Storage upload form: the pretokenised image with its SHA-256', async () => {
  const form = JSON.parse(readFileSync(join(first, 'espruino-esp32', 'storage.json'), 'utf8'));
  const image = readFileSync(join(first, 'espruino-esp32', 'micromine.js'), 'latin1');
  const stored = readFileSync(join(first, 'espruino-esp32', 'micromine.stored.js'), 'latin1');
  assert.equal(form.files, [{
    storage: 'mm.a.js', from: 'micromine.stored.js', bytes: stored.length, sha256: sha256Bytes(stored),
    pretokenised: { firmware: '2v21', strings: true },
    raw: { from: 'micromine.js', bytes: image.length, sha256: sha256Bytes(image) },
  }]);
  assert.is(stored, pretokenise(image, { strings: true, file: 'micromine.js' }));
  const target = report.targets.find((t) => t.target === 'espruino-esp32')!;
  assert.equal([target.raw, target.stored], [image.length, stored.length]);
  assert.ok(target.stored! < target.raw * 0.9, `stored ${target.stored} is well under raw ${target.raw}`);
  const built = JSON.parse(readFileSync(join(first, 'espruino-esp32', 'build.json'), 'utf8'));
  assert.equal([built.raw, built.stored], [image.length, stored.length]);
  assert.is(report.targets.find((t) => t.target === 'moddable-esp32')!.stored, undefined, 'only Espruino images have a stored form');
  assert.is(form.boot, 'eval(require("Storage").read("mm.a.js"))');
  // The function wrapper, as terser writes it (an arrow once nothing inside uses `this`): nothing of
  // the image reaches the global scope but `micromine`.
  assert.ok(image.startsWith('(()=>{') && image.trimEnd().endsWith('})();'), 'one wrapped script');
  // What a board runs: the stored bytes, read as its lexer reads them.
  const running = await runEspruinoImage(detokenise(stored), ESP32, null);
  try {
    assert.equal(await running.json('micromine.selfTest()'), { pass: true, failed: [] });
  } finally {
    await running.close();
  }
});

test('budgets lowered below the real size fail the check, naming the figure and the overrun', async () => {
  const manifests = join(scratch, 'manifests');
  cpSync('manifests', manifests, { recursive: true });
  const real = report.targets.find((t) => t.target === 'moddable-esp32')!;
  const file = join(manifests, 'budgets', 'moddable-esp32.json');
  const budget = JSON.parse(readFileSync(file, 'utf8'));
  budget.image = { rawBytes: real.raw, gzipBytes: real.gzip };
  writeFileSync(file, JSON.stringify(budget));
  const exact = await build({ targets: ['moddable-esp32'], check: true, manifestsDir: manifests, outDir: join(scratch, 'exact'), typecheck: false });
  assert.ok(exact.ok, 'a budget equal to the size passes');
  budget.image = { rawBytes: real.raw - 1, gzipBytes: real.gzip - 10 };
  writeFileSync(file, JSON.stringify(budget));
  const over = await build({ targets: ['moddable-esp32'], check: true, manifestsDir: manifests, outDir: join(scratch, 'over'), typecheck: false });
  assert.not.ok(over.ok);
  assert.equal(over.overruns.map((o) => [o.figure, o.over]), [['image.rawBytes', 1], ['image.gzipBytes', 10]]);
  assert.ok(over.text.includes('image.rawBytes') && over.text.includes('by 1 '), over.text);
  const unchecked = await build({ targets: ['moddable-esp32'], manifestsDir: manifests, outDir: join(scratch, 'over'), typecheck: false });
  assert.ok(unchecked.ok, 'without --check an overrun is only reported');
});

test('the CLI: --target, --json, --check and exit codes', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const output = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
  assert.is(await main(['--frobnicate'], output), 2);
  assert.ok(err.join('').includes('unknown flag --frobnicate'));
  assert.is(await main(['--target'], output), 2);
  assert.is(await main(['--target', 'esp8266', '--json'], output), 2);
  const failure = JSON.parse(out.pop()!);
  assert.is(failure.error.code, 'unknown-target');
  assert.ok(failure.error.message.includes('esp8266'));
  const cwd = process.cwd();
  process.chdir(scratch);
  try {
    // Run from elsewhere: the build finds its sources by itself and writes under ./dist.
    assert.is(await main(['--target=espruino-esp32', '--json'], output), 0);
  } finally {
    process.chdir(cwd);
  }
  const json = JSON.parse(out.pop()!);
  assert.equal(json.targets.map((t: { target: string }) => t.target), ['espruino-esp32']);
  assert.equal(readFileSync(join(scratch, 'dist', 'espruino-esp32', 'micromine.js'), 'latin1'), readFileSync(join(first, 'espruino-esp32', 'micromine.js'), 'latin1'));
});

test('the Espruino image passes its hash-tier self-test in the XS engine, and fails it on a wrong digest', async () => {
  const image = readFileSync(join(first, 'espruino-esp32', 'micromine.js'), 'latin1');
  const running = await runEspruinoImage(image, ESP32, null);
  try {
    assert.equal(await running.json('micromine.selfTest()'), { pass: true, failed: [] });
    assert.equal(await running.json('micromine.status()'), { stage: 'stopped', problem: 'no config', unitId: null, counter: 0, queued: 0, acked: 0, connects: 0 });
    assert.not.ok(running.logs.some((line) => line.includes('micromine:')), 'a release image logs nothing');
  } finally {
    await running.close();
  }
  // A debug image keeps its logs (and their text), which release images drop.
  const debugReport = await build({ targets: ['espruino-esp32'], outDir: join(scratch, 'debug'), typecheck: false, debug: true });
  const debugImage = readFileSync(join(scratch, 'debug', 'espruino-esp32', 'micromine.js'), 'latin1');
  assert.ok(debugReport.targets[0]!.raw > image.length && debugImage.includes('not started: ') && !image.includes('not started: '));
  const debug = await runEspruinoImage(debugImage, ESP32, null);
  try {
    assert.equal(await debug.json('micromine.selfTest()'), { pass: true, failed: [] });
    // The image starts the program in a slice after the one that loads it; started here at once.
    assert.is(await debug.json('micromine.start()'), 'no config');
    assert.ok(debug.logs.some((line) => line.includes('micromine: not started: no config')), debug.logs.join('\n'));
  } finally {
    await debug.close();
  }
  // A runtime whose SHA-256 is wrong fails the vectors and the accepted entry.
  const broken = await runEspruinoImage(image, ESP32, null, true);
  try {
    assert.equal(await broken.json('micromine.selfTest()'), { pass: false, failed: ['sha256-abc', 'hmac-rfc4231-2', 'unit-accept'] });
  } finally {
    await broken.close();
  }
});

test('the Moddable images pass their sig-tier self-test (Ed25519 on native SHA-512) within each profile\'s XS creation', async () => {
  for (const target of listTargets().filter((t) => t.startsWith('moddable-'))) {
    const profile = loadProfile(target) as XsProfile;
    const running = await runModdableImage(moddableModules(target), profile.ram.creation, null);
    try {
      const { value, usage } = await running.device.evaluate('JSON.stringify(micromine.selfTest())');
      assert.equal(JSON.parse(String(value)), { pass: true, failed: [] }, target);
      assert.ok(usage.slots.peak <= usage.slots.limit && usage.chunks.peak <= usage.chunks.limit);
    } finally {
      await running.close();
    }
  }
});

test('the Espruino image, unchanged in XS, works units with a node over loopback TCP', async () => {
  const node = await startNode([exampleUnit(5, 3, 4, 8), exampleUnit(6, 2, 4, 8)]);
  const running = await runEspruinoImage(readFileSync(join(first, 'espruino-esp32', 'micromine.js'), 'latin1'), ESP32, configFor(exampleIdentity(), node.port));
  try {
    await until(() => node.stored().length === 2, 'two results stored');
    assert.equal(node.stored(), [{ unitId: 5, counter: 1, verdicts: [0, 0, 5] }, { unitId: 6, counter: 2, verdicts: [0, 0] }]);
    const status = await running.json('micromine.status()') as { acked: number; stage: string; counter: number };
    assert.equal([status.stage, status.counter], ['ready', 2]);
    assert.equal(running.failures, []);
  } finally {
    await running.close();
    await node.close();
  }
});

test('the Moddable image, unchanged in XS on the ESP32 creation, checks signatures with a node over loopback TCP', async () => {
  const identity = { ...exampleIdentity(), profile: 'moddable-esp32', tier: 'sig' as const };
  const unit = exampleUnit(9, 3, 4, 6);
  unit.header[HEADER_CHECKS_AT] |= CHECK_SIGNATURE;
  unit.entries[0]![TX_SIGNATURE_AT] ^= 1;
  const node = await startNode([unit], identity);
  const config = configFor(identity, node.port);
  const running = await runModdableImage(moddableModules('moddable-esp32'), ESP32, { ...config, key: identity.key });
  try {
    await until(() => node.stored().length === 1, 'the result stored');
    assert.equal(node.stored(), [{ unitId: 9, counter: 1, verdicts: [2, 0, 5] }]);
    assert.equal(running.failures, []);
  } finally {
    await running.close();
    await node.close();
  }
});

test.run();
