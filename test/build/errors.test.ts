import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, BuildError, type BuildOptions } from '../../tools/build/index.ts';
import { lintImageFile } from '../../tools/build/build.ts';
import { bundleCode } from '../../tools/build/bundle.ts';
import { typecheckProjects } from '../../tools/build/typecheck.ts';
import { INTERNAL_PROPERTIES, checkInternalNames } from '../../tools/build/mangle.ts';
import { lowering } from '../../tools/lint/index.ts';
import { selfTestVector } from '../../tools/build/self-test.ts';

const scratch = mkdtempSync(join(tmpdir(), 'micromine-build-errors-'));
const dist = join(scratch, 'dist');

function tree(dir: string): Record<string, string> {
  const files = readdirSync(dir, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile());
  return Object.fromEntries(files.map((entry) => {
    const path = relative(dir, join(entry.parentPath, entry.name));
    return [path, readFileSync(join(dir, path), 'latin1')];
  }).sort());
}

/** A fresh copy of the project's manifests, with `edit` applied to one file's JSON. */
function manifests(file: string, edit: (json: Record<string, any>) => void): string {
  const dir = mkdtempSync(join(scratch, 'manifests-'));
  cpSync('manifests', dir, { recursive: true });
  const path = join(dir, file);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  edit(json);
  writeFileSync(path, JSON.stringify(json, null, 2));
  return dir;
}

/** Runs a build that must fail with `code`, its message naming every part; dist/ must be untouched. */
async function fails(options: BuildOptions, code: string, parts: string[]): Promise<BuildError> {
  const before = tree(dist);
  let caught: unknown;
  try {
    await build({ outDir: dist, typecheck: false, ...options });
  } catch (error) {
    caught = error;
  }
  assert.instance(caught, BuildError, `expected a BuildError ${code}`);
  const error = caught as BuildError;
  assert.is(error.code, code, error.message);
  for (const part of parts) assert.ok(error.message.includes(part), `"${part}" in: ${error.message}`);
  assert.ok(error.hint.length > 0);
  assert.equal(tree(dist), before, 'nothing in dist/ changed');
  assert.equal(readdirSync(dist).filter((name) => name.startsWith('.')), [], 'no staging directory left');
  return error;
}

test.before(async () => {
  await build({ targets: ['espruino-esp32'], outDir: dist, typecheck: false });
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test('options are checked by name and type', async () => {
  await fails({ target: ['espruino-esp32'] } as BuildOptions, 'unknown-option', ['unknown option "target"']);
  await fails({ check: 'yes' } as unknown as BuildOptions, 'bad-option', ['"check" expected a boolean']);
  await fails({ tcp: 'udp' } as unknown as BuildOptions, 'bad-option', ['"tcp"']);
  await fails({ debug: true, check: true }, 'bad-option', ['"debug" images are not checked against budgets']);
});

test('an unknown target names the profile file it looked for and the known targets', async () => {
  const error = await fails({ targets: ['esp8266'] }, 'unknown-target', ['profiles/esp8266.json', 'unknown target "esp8266"']);
  assert.ok(error.hint.includes('espruino-esp32'), error.hint);
});

test('an invalid profile names its file and field', async () => {
  const dir = manifests('profiles/moddable-esp32.json', (json) => { json.ram.creation.heap.initial = -1; });
  await fails({ manifestsDir: dir, targets: ['moddable-esp32'] }, 'manifest', ['profiles/moddable-esp32.json', '"ram.creation.heap.initial"', 'expected u32, got -1']);
});

test('a missing profile field and a profile without SHA-256 are named', async () => {
  const missing = manifests('profiles/espruino-esp32.json', (json) => { delete json.sliceMs; });
  await fails({ manifestsDir: missing, targets: ['espruino-esp32'] }, 'manifest', ['profiles/espruino-esp32.json', '"sliceMs"']);
  // The second target fails after the first was bundled: still nothing is written.
  const noDigest = manifests('profiles/moddable-esp32.json', (json) => { delete json.digests.SHA256; });
  await fails({ manifestsDir: noDigest, targets: ['espruino-esp32', 'moddable-esp32'] }, 'manifest', ['profiles/moddable-esp32.json', '"digests.SHA256"']);
});

test('a budget with a wrong field names its file and field', async () => {
  const dir = manifests('budgets/espruino-esp32.json', (json) => { json.image.rawBytez = json.image.rawBytes; });
  await fails({ manifestsDir: dir, targets: ['espruino-esp32'] }, 'manifest', ['budgets/espruino-esp32.json', '"image.rawBytez"', 'unknown field']);
  const wrongType = manifests('budgets/espruino-esp32.json', (json) => { json.image.rawBytes = '16 KB'; });
  await fails({ manifestsDir: wrongType, targets: ['espruino-esp32'] }, 'manifest', ['"image.rawBytes"', 'expected u32']);
});

test('a missing budget file is named', async () => {
  const dir = manifests('budgets/espruino-esp32.json', () => {});
  rmSync(join(dir, 'budgets', 'espruino-esp32.json'));
  await fails({ manifestsDir: dir, targets: ['espruino-esp32'] }, 'manifest', ['budgets/espruino-esp32.json', 'file not found']);
});

test('an output directory that cannot be written fails as io, naming it', async () => {
  const file = join(scratch, 'not-a-directory');
  writeFileSync(file, '');
  const error = await build({ outDir: file, targets: ['espruino-esp32'], typecheck: false }).then(() => null, (failure: unknown) => failure);
  assert.instance(error, BuildError);
  assert.is((error as BuildError).code, 'io');
  assert.ok((error as BuildError).message.includes('not-a-directory'), (error as BuildError).message);
});

test('a source that fails type checking is named with its line', () => {
  const project = join(scratch, 'typed');
  mkdirSync(project);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['*.ts'] }));
  writeFileSync(join(project, 'bad.ts'), 'export const ok: number = 1;\nexport const count: number = "three";\n');
  try {
    typecheckProjects(['tsconfig.json'], project);
    assert.unreachable('the type error was not found');
  } catch (error) {
    assert.instance(error, BuildError);
    const built = error as BuildError;
    assert.is(built.code, 'type-error');
    assert.equal([built.location.file, built.location.line], ['bad.ts', 2]);
    assert.ok(built.message.startsWith('bad.ts:2:14: TS2322'), built.message);
  }
});

test('a lint finding fails the build, naming the feature, the emitted and the source position', async () => {
  const info = { target: 'espruino-esp32', tier: 'hash' as const, firmware: '0', slice: { attempts: 1, hexBytes: 1, levels: 1, verifierSteps: 0, ms: 20 }, vector: selfTestVector('hash') };
  const bundled = await bundleCode({
    entry: 'test/build/fixtures/loop-closure.ts', file: 'fixture.js', format: 'cjs', target: 'es2020', ecma: 2015, closure: null, external: [],
    supported: lowering.espruino.supported, useDefineForClassFields: false,
  }, info, false);
  try {
    lintImageFile({ name: 'fixture.js', code: bundled.code, map: bundled.map }, 'espruino', 'dist/espruino-esp32/fixture.js', join(process.cwd(), 'dist/espruino-esp32/fixture.js'));
    assert.unreachable('the lint passed a loop closure');
  } catch (error) {
    assert.instance(error, BuildError);
    const built = error as BuildError;
    assert.is(built.code, 'lint');
    assert.ok(built.message.includes('dist/espruino-esp32/fixture.js:1:'), built.message);
    assert.ok(built.message.includes('(source test/build/fixtures/loop-closure.ts:4:'), built.message);
  }
});

test('a property to rename that something outside the image spells fails the build, naming it and why', () => {
  const code = 'var x = {}; x.q = "lastVerdict";';
  const collisions: [string, string][] = [
    ['counter', 'public names'], ['subarray', 'built-in'], ['onWritable', 'runtime declaration'], ['lastVerdict', 'a string in image.js'],
  ];
  for (const [name, why] of collisions) {
    try {
      checkInternalNames(code, 'image.js', [name]);
      assert.unreachable(`${name} was accepted`);
    } catch (error) {
      assert.instance(error, BuildError);
      assert.is((error as BuildError).code, 'bundle-error');
      assert.ok((error as BuildError).message.includes(`"${name}"`) && (error as BuildError).message.includes(why), (error as BuildError).message);
    }
  }
  checkInternalNames('var x = {};', 'image.js', INTERNAL_PROPERTIES);
});

test.run();
