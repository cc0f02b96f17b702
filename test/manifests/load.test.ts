import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultManifestsDir, listTargets, loadBudget, loadProfile, loadTolerance, ManifestError } from '../../tools/manifests/index.ts';
import type { ManifestErrorCode } from '../../tools/manifests/index.ts';
import { firstSyntaxError } from '../../tools/manifests/json.ts';

const targets = ['espruino-esp32', 'espruino-esp32c3', 'moddable-esp32', 'moddable-esp32c3', 'moddable-esp32s3'];

/** A scratch copy of manifests/ that a test may break; removed after the test. */
function scratch(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'mm-manifests-'));
  cpSync(defaultManifestsDir, dir, { recursive: true });
  edit(dir);
  return dir;
}

function editJson(dir: string, file: string, change: (json: Record<string, any>) => void): void {
  const path = join(dir, file);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  change(json);
  writeFileSync(path, JSON.stringify(json, null, 2));
}

function expectError(run: () => unknown, code: ManifestErrorCode, message: RegExp): ManifestError {
  try {
    run();
  } catch (error) {
    assert.instance(error, ManifestError);
    const failure = error as ManifestError;
    assert.is(failure.code, code, failure.message);
    assert.match(failure.message, message);
    assert.ok(failure.hint.length > 10, 'every error carries a hint');
    return failure;
  }
  throw new assert.Assertion({ message: `expected a ${code} error`, operator: 'throws', expects: code, actual: 'no error', generated: false });
}

function withScratch(name: string, edit: (dir: string) => void, check: (dir: string) => void): void {
  test(name, () => {
    const dir = scratch(edit);
    try { check(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

test('the five targets of docs/decisions.md have profiles and budgets that load', () => {
  assert.equal(listTargets(), targets);
  for (const target of targets) {
    const profile = loadProfile(target);
    const budget = loadBudget(target);
    assert.is(profile.target, target);
    assert.is(budget.target, target);
    assert.is(profile.runtime, target.startsWith('moddable') ? 'xs' : 'espruino');
    assert.is(profile.tier, profile.runtime === 'xs' ? 'sig' : 'hash');
    assert.is(budget.computrons.sigEntry !== undefined, profile.tier === 'sig');
    for (const digest of Object.values(profile.digests)) assert.ok(digest!.usPerBlock.note.length > 0);
  }
});

test('profiles carry the runtime figures from the brief', () => {
  const esp32 = loadProfile('moddable-esp32');
  assert.ok(esp32.runtime === 'xs');
  if (esp32.runtime !== 'xs') return;
  assert.equal(esp32.ram.creation.chunk, { initial: 78848, incremental: 0 });
  assert.equal(esp32.ram.creation.heap, { initial: 4928, incremental: 0 });
  assert.is(esp32.ram.creation.stack, 512);
  const c3 = loadProfile('moddable-esp32c3');
  assert.ok(c3.runtime === 'xs' && c3.ram.creation.static === 94208 && c3.ram.creation.stack === 384);
  const espruino = loadProfile('espruino-esp32c3');
  assert.ok(espruino.runtime === 'espruino' && espruino.ram.variables === 4095 && espruino.ram.bytesPerVariable === 13);
});

test('raw image budgets: Moddable at issue 3 target, Espruino on a ratchet within it', () => {
  // The Espruino ratchet sits just above the measured image, within issue 3's 16 KB: it may only go down.
  for (const target of ['espruino-esp32', 'espruino-esp32c3']) {
    const image = loadBudget(target).image;
    assert.ok(image.rawBytes <= 16320 && image.rawBytes <= 16 * 1024 && image.gzipBytes <= 7424 && image.storedBytes! <= 13504, target);
  }
  assert.is(loadBudget('moddable-esp32').image.rawBytes, 32 * 1024);
  assert.is(loadTolerance().computrons.regressionPercent, 2);
  assert.is(loadTolerance().bytes.regressionPercent, 0);
});

test('an unknown target is named with the list of known ones', () => {
  const error = expectError(() => loadProfile('esp8266'), 'unknown-target', /unknown target "esp8266"/);
  assert.match(error.hint, /moddable-esp32/);
});

withScratch('a missing budget file is named', (dir) => rmSync(join(dir, 'budgets', 'espruino-esp32.json')), (dir) => {
  const error = expectError(() => loadBudget('espruino-esp32', { dir }), 'missing-file', /budgets[/\\]espruino-esp32\.json: file not found/);
  assert.is(error.location.path, undefined);
});

withScratch('bad JSON reports the line and column', (dir) => {
  writeFileSync(join(dir, 'profiles', 'moddable-esp32.json'), '{\n  "target": "moddable-esp32",\n  "tier": "sig",,\n}\n');
}, (dir) => {
  const error = expectError(() => loadProfile('moddable-esp32', { dir }), 'bad-json', /moddable-esp32\.json:3:17: invalid JSON: unexpected ","/);
  assert.equal([error.location.line, error.location.column], [3, 17]);
});

withScratch('a wrong value names the field path', (dir) => editJson(dir, 'profiles/moddable-esp32.json', (json) => { json.ram.creation.heap.initial = -1; }), (dir) => {
  const error = expectError(() => loadProfile('moddable-esp32', { dir }), 'bad-value', /moddable-esp32\.json: "ram\.creation\.heap\.initial" expected u32, got -1$/);
  assert.is(error.location.path, 'ram.creation.heap.initial');
});

withScratch('a wrong type names the field path', (dir) => editJson(dir, 'profiles/espruino-esp32.json', (json) => { json.ram.variables = '16383'; }), (dir) => {
  expectError(() => loadProfile('espruino-esp32', { dir }), 'wrong-type', /"ram\.variables" expected u32, got "16383"/);
});

withScratch('an unknown field is rejected by name', (dir) => editJson(dir, 'profiles/espruino-esp32.json', (json) => { json.cpu.turbo = true; }), (dir) => {
  const error = expectError(() => loadProfile('espruino-esp32', { dir }), 'unknown-field', /"cpu\.turbo" unknown field/);
  assert.match(error.hint, /clockMHz, computronsPerMs/);
});

withScratch('a missing field is named', (dir) => editJson(dir, 'profiles/moddable-esp32s3.json', (json) => { delete json.cpu.computronsPerMs.source; }), (dir) => {
  expectError(() => loadProfile('moddable-esp32s3', { dir }), 'missing-field', /"cpu\.computronsPerMs\.source" missing/);
});

withScratch('a rate must say where it comes from', (dir) => editJson(dir, 'profiles/moddable-esp32.json', (json) => { json.cpu.computronsPerMs.source = 'guess'; }), (dir) => {
  expectError(() => loadProfile('moddable-esp32', { dir }), 'bad-value', /expected "measured" \| "published" \| "estimate", got "guess"/);
});

withScratch('the runtime decides the RAM shape', (dir) => editJson(dir, 'profiles/espruino-esp32.json', (json) => { json.runtime = 'xs'; delete json.firmware; }), (dir) => {
  expectError(() => loadProfile('espruino-esp32', { dir }), 'unknown-field', /"ram\.variables" unknown field/);
});

test('an Espruino profile states the firmware its image is built for; a bad or unknown version is named', () => {
  for (const [firmware, code, message] of [
    ['2.21', 'bad-value', /"firmware" expected an Espruino version like "2v21" or "2v20\.48" \(2v20 or later\), got "2\.21"/],
    ['2v19', 'bad-value', /"firmware" expected an Espruino version .* \(2v20 or later\), got "2v19"/],
    [' 2v21', 'bad-value', /got " 2v21"/],
    [221, 'wrong-type', /"firmware" expected an Espruino version .*, got 221/],
  ] as const) {
    const dir = scratch((d) => editJson(d, 'profiles/espruino-esp32.json', (json) => { json.firmware = firmware; }));
    try {
      expectError(() => loadProfile('espruino-esp32', { dir }), code, message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.is((loadProfile('espruino-esp32') as { firmware?: string }).firmware, '2v21');
});

withScratch('a missing firmware is named', (dir) => editJson(dir, 'profiles/espruino-esp32c3.json', (json) => { delete json.firmware; }), (dir) => {
  expectError(() => loadProfile('espruino-esp32c3', { dir }), 'missing-field', /"firmware" missing/);
});

withScratch('only Espruino budgets have a stored image figure', (dir) => editJson(dir, 'budgets/moddable-esp32.json', (json) => { json.image.storedBytes = 1; }), (dir) => {
  expectError(() => loadBudget('moddable-esp32', { dir }), 'unknown-field', /"image\.storedBytes" unknown field/);
  assert.is(loadBudget('espruino-esp32').image.storedBytes, 13504);
});

withScratch('the target field must match the file name', (dir) => editJson(dir, 'budgets/moddable-esp32.json', (json) => { json.target = 'moddable-esp32s3'; }), (dir) => {
  expectError(() => loadBudget('moddable-esp32', { dir }), 'bad-value', /"target" expected "moddable-esp32" \(the file name\)/);
});

withScratch('a hash-tier budget has no signature figure', (dir) => editJson(dir, 'budgets/espruino-esp32.json', (json) => { json.computrons.sigEntry = 1; }), (dir) => {
  expectError(() => loadBudget('espruino-esp32', { dir }), 'unknown-field', /"computrons\.sigEntry" unknown field/);
});

withScratch('a sig-tier budget needs its signature figure', (dir) => editJson(dir, 'budgets/moddable-esp32.json', (json) => { delete json.computrons.sigEntry; }), (dir) => {
  expectError(() => loadBudget('moddable-esp32', { dir }), 'missing-field', /"computrons\.sigEntry" missing/);
});

withScratch('a budget in the wrong runtime unit is rejected', (dir) => editJson(dir, 'budgets/moddable-esp32.json', (json) => { json.ram = { variables: 100 }; }), (dir) => {
  expectError(() => loadBudget('moddable-esp32', { dir }), 'unknown-field', /"ram\.variables" unknown field/);
});

withScratch('a tolerance out of range is rejected', (dir) => editJson(dir, 'tolerance.json', (json) => { json.computrons.regressionPercent = 150; }), (dir) => {
  expectError(() => loadTolerance({ dir }), 'bad-value', /"computrons\.regressionPercent" expected a percentage in \[0, 100\], got 150/);
});

test('the JSON scanner points at the first bad character', () => {
  assert.is(firstSyntaxError('{"a": 1}'), 8);
  assert.is(firstSyntaxError('{"a": 1,}'), 8);
  assert.is(firstSyntaxError('[1, 2'), 5);
  assert.is(firstSyntaxError('{"a": tru}'), 9);
  assert.is(firstSyntaxError('{"a": "\\q"}'), 8);
  assert.is(firstSyntaxError('{a: 1}'), 1);
  assert.is(firstSyntaxError('{} x'), 3);
  assert.is(firstSyntaxError(''), 0);
});

test.run();
