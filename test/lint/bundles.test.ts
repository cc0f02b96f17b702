// The lint on real esbuild output: a TypeScript source bundled with a source map (findings point
// at the .ts line), the lowering map for Espruino (what esbuild lowers is gone, what it refuses is
// still there), and @noble/hashes' sha256 bundled for Espruino (what it would need).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSync, transformSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { lintCode, lintFile, lowering } from '../../tools/lint/index.ts';
import type { Finding } from '../../tools/lint/index.ts';

const source = [
  'export interface Config { node?: { port: number } }',
  '',
  'export function portOf(config: Config): number {',
  '  return config.node?.port ?? 7070;',
  '}',
  '',
  'export function tally(words: number[]): Uint32Array {',
  '  return Uint32Array.from(words);',
  '}',
  '',
].join('\n');

function withDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'mm-lint-'));
  try { run(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

function bundle(dir: string, sourcemap: 'inline' | 'external', supported: Record<string, boolean> = {}): string {
  writeFileSync(join(dir, 'app.ts'), source);
  const outfile = join(dir, 'out', 'app.js');
  buildSync({ entryPoints: [join(dir, 'app.ts')], bundle: true, format: 'iife', outfile, sourcemap, supported, logLevel: 'silent' });
  return outfile;
}

const where = (f: Finding): string => `${f.rule} ${f.source?.line}:${f.source?.column}`;

for (const sourcemap of ['inline', 'external'] as const) {
  test(`findings point at the TypeScript line through an ${sourcemap} source map`, () => withDir((dir) => {
    const findings = lintFile(bundle(dir, sourcemap), { runtime: 'espruino' });
    assert.equal(findings.map(where), ['optional-chaining 4:10', 'nullish-coalescing 4:10', 'missing-static 8:10']);
    for (const finding of findings) {
      assert.is(relative(dir, finding.source!.file.startsWith('/') ? finding.source!.file : join(process.cwd(), finding.source!.file)), 'app.ts');
      assert.ok(finding.emitted.file.endsWith('app.js'));
    }
  }));
}

test('a map passed to lintCode is used as given', () => withDir((dir) => {
  writeFileSync(join(dir, 'app.ts'), source);
  const result = buildSync({ entryPoints: [join(dir, 'app.ts')], bundle: true, format: 'iife', outfile: join(dir, 'app.js'), sourcemap: 'external', write: false });
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const findings = lintCode(code, { runtime: 'espruino', file: join(dir, 'app.js'), sourceMap: JSON.parse(map) });
  assert.equal(findings.map(where), ['optional-chaining 4:10', 'nullish-coalescing 4:10', 'missing-static 8:10']);
}));

test('with the espruino lowering map, esbuild removes ?. and ?? and the lint still sees Uint32Array.from', () => withDir((dir) => {
  const findings = lintFile(bundle(dir, 'inline', lowering.espruino.supported), { runtime: 'espruino' });
  assert.equal(findings.map(where), ['missing-static 8:10']);
}));

const lowered: Record<string, [string, string]> = {
  'exponent-operator': ['exponent', 'let a = 2 ** 3; a **= 2;'],
  'optional-chain': ['optional-chaining', 'let o = {}; o?.a?.b; o?.f?.();'],
  'nullish-coalescing': ['nullish-coalescing', 'let x = null; let y = x ?? 1;'],
  'logical-assignment': ['logical-assignment', 'let x = {}; x.a ??= 1; x.b ||= 2; x.c &&= 3;'],
  'optional-catch-binding': ['optional-catch-binding', 'try { f(); } catch { g(); }'],
  'class-field': ['class-fields', 'class A { x = 1; }'],
  'class-static-field': ['class-fields', 'class A { static y = 2; }'],
  'class-static-blocks': ['static-blocks', 'class A { static { A.z = 1; } }'],
  'object-rest-spread': ['spread-rest', 'let o = { a: 1 }; let p = { ...o };'],
};

test('every feature the espruino map lowers leaves nothing for the lint, with classes and arrows kept', () => {
  const { supported, tsconfigRaw } = lowering.espruino;
  for (const [feature, [rule, code]] of Object.entries(lowered)) {
    assert.is(supported[feature], false, `${feature} is lowered`);
    const before = lintCode(code, { runtime: 'espruino', file: 'in.js' }).map((f) => f.rule);
    assert.ok(before.includes(rule), `${feature}: the lint sees ${rule} before lowering`);
    const out = transformSync(code, { loader: 'ts', supported, tsconfigRaw }).code;
    assert.equal(lintCode(out, { runtime: 'espruino', file: 'out.js' }), [], `${feature} lowered cleanly:\n${out}`);
  }
  const kept = transformSync('class A { m() { return () => 1; } } const b = `t`; for (const x of []) {}', { supported }).code;
  assert.match(kept, /class A/);
  assert.match(kept, /=>/);
  assert.match(kept, /const b/);
});

test('esbuild still refuses what cannot be lowered while classes are kept', () => {
  const { supported } = lowering.espruino;
  const samples: Record<string, string> = {
    'destructuring': 'let { a } = o;',
    'default-argument': 'function f(a = 1) { return a; }',
    'rest-argument': 'function f(...a) { return a; }',
    'array-spread': 'let b = [...a];',
    'generator': 'function* g() { yield 1; }',
  };
  for (const [feature, code] of Object.entries(samples)) {
    assert.ok(Object.hasOwn(lowering.espruino.cannotLower, feature), `${feature} is listed as not lowerable`);
    assert.throws(() => transformSync(code, { supported: { ...supported, [feature]: false }, logLevel: 'silent' }), /not supported yet/);
  }
});

test('@noble/hashes sha256 bundled for Espruino: what it would need', () => {
  const result = buildSync({
    stdin: { contents: 'import { sha256 } from "@noble/hashes/sha2.js"; globalThis.sha256 = sha256;', resolveDir: process.cwd(), sourcefile: 'entry.js' },
    bundle: true, format: 'iife', write: false, sourcemap: 'inline', supported: lowering.espruino.supported, logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const findings = lintCode(code, { runtime: 'espruino', file: 'sha256.js' });
  const rules = new Set(findings.map((f) => f.rule));
  for (const rule of ['destructuring', 'default-parameters', 'spread-rest', 'missing-static']) assert.ok(rules.has(rule), `sha256 needs ${rule} fixed`);
  for (const rule of ['optional-chaining', 'nullish-coalescing', 'exponent', 'class-fields', 'modules']) assert.not.ok(rules.has(rule), `${rule} was lowered or bundled away`);
  assert.ok(findings.some((f) => f.feature === 'Uint32Array.from'), 'the measured run-time failure on a real Espruino is found');
  for (const finding of findings) assert.match(finding.source?.file ?? '', /node_modules[/\\]@noble[/\\]hashes[/\\]/, `${finding.feature} maps into @noble/hashes`);
  assert.equal(lintCode(code, { runtime: 'xs', file: 'sha256.js' }), [], 'XS runs it as is');
});

test.run();
