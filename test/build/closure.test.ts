import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { lintImageFile } from '../../tools/build/build.ts';
import { bundleCode } from '../../tools/build/bundle.ts';
import { closureExterns, closureOptimise } from '../../tools/build/closure.ts';
import { BuildError } from '../../tools/build/errors.ts';
import { bundleEspruino } from '../../tools/build/espruino.ts';
import { lowering } from '../../tools/lint/index.ts';
import { selfTestVector } from '../../tools/build/self-test.ts';

const info = { target: 'espruino-esp32', tier: 'hash' as const, firmware: '0', slice: { attempts: 1, hexBytes: 1, levels: 1, verifierSteps: 0, ms: 20 }, vector: selfTestVector('hash') };

test('the externs keep the public names, the runtime declarations, the strings and the globals of the code', () => {
  const externs = closureExterns('globalThis.hookOfTheHost(); var x = {}; x["quotedKey"] = 1;', 'firmware/hal/espruino/tsconfig.json');
  for (const property of ['method', 'status', 'kickWatchdog', 'readJSON', 'quotedKey', 'hookOfTheHost']) {
    assert.ok(externs.includes(`Object.prototype.${property};`), property);
  }
  for (const global of ['setTimeout', 'getTime', 'require', 'E']) assert.ok(externs.includes(`var ${global};`), global);
  assert.not.ok(externs.includes('Object.prototype.lastVerdict;'), 'an internal name is an extern');
  // The Moddable declarations are not the Espruino image's runtime: their names may be renamed.
  assert.not.ok(externs.includes('Object.prototype.onWritable;'), 'a Moddable API is an extern of the Espruino image');
});

test('Closure runs between esbuild and terser: early returns stay functions, internal fields are renamed, the map names the sources', async () => {
  const bundled = await bundleCode({
    entry: 'test/build/fixtures/closure-probe.ts', file: 'fixture.js', format: 'cjs', target: 'es2020', ecma: 2015, closure: { project: 'firmware/hal/espruino/tsconfig.json' }, external: [],
    supported: lowering.espruino.supported, useDefineForClassFields: false,
  }, info, false);
  // The lint refuses labels, which Closure writes when it inlines a function that returns early.
  lintImageFile({ name: 'fixture.js', code: bundled.code, map: bundled.map }, 'espruino', 'dist/espruino-esp32/fixture.js', join(process.cwd(), 'dist/espruino-esp32/fixture.js'));
  assert.not.ok(bundled.code.includes('zeroAtIndex'), bundled.code);
  const context: { probe?: Record<string, unknown> } = {};
  runInNewContext(bundled.code, { globalThis: context, Uint8Array });
  // `method` is a public name; `position` only this code spells, so Closure renamed it.
  assert.is(context.probe?.method, 'kept');
  assert.is(context.probe?.position, undefined);
  assert.equal(Object.values(context.probe ?? {}).map(String).sort(), ['-1,0,1', '1', 'kept']);
  assert.ok(bundled.modules.some((m) => m.path === 'test/build/fixtures/closure-probe.ts' && m.bytes > 0), JSON.stringify(bundled.modules));
});

test('a bundle Closure refuses fails the build with Closure\'s message', () => {
  const map = JSON.stringify({ version: 3, sources: [], names: [], mappings: '' });
  try {
    closureOptimise('(function(){ notDeclaredAnywhere(); })();', map, 2015, 'firmware/hal/espruino/tsconfig.json', 'image.js');
    assert.unreachable('Closure accepted a call of an undeclared global');
  } catch (error) {
    assert.instance(error, BuildError);
    const built = error as BuildError;
    assert.is(built.code, 'bundle-error');
    assert.ok(built.message.startsWith('image.js: Closure Compiler refused the bundle'), built.message);
    assert.ok(built.message.includes('notDeclaredAnywhere'), built.message);
  }
});

test('the Espruino image keeps the simulator\'s phase hook and its API names', async () => {
  const { code } = await bundleEspruino(info, false);
  for (const name of ['micromineMark', 'micromine', 'selfTest', 'status', 'unitId']) assert.ok(new RegExp(`\\b${name}\\b`).test(code), name);
});

test.run();
