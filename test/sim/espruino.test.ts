// Espruino images under the simulator: the image's hash-tier self-test through the simulated
// require("crypto"), memory in Espruino variables, and the variable limit enforced.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { simProfile } from '../../host-sim/profile.ts';
import { runStandalone } from '../../host-sim/standalone.ts';
import type { SimImage } from '../../host-sim/image.ts';
import { device, image, verdictOf } from './support.ts';

test('the Espruino image\'s hash-tier self-test passes in the simulator', async () => {
  for (const target of ['espruino-esp32', 'espruino-esp32c3']) {
    const run = await runStandalone(device(simProfile(target), await image(target)), 1000);
    // No configuration in the flash: the program does not start, the image keeps running.
    assert.is(run.verdict.kind, 'running');
    assert.is(JSON.parse(String(await run.evaluate('JSON.stringify(micromine.status())'))).stage, 'stopped');
    const report = JSON.parse(String(await run.evaluate('JSON.stringify(micromine.selfTest())'))) as { pass: boolean; failed: string[] };
    assert.equal(report, { pass: true, failed: [] }, `${target}: ${JSON.stringify(report)}`);
    assert.ok(run.peaks.variables > 0 && run.peaks.variables < run.limits.variables, `${run.peaks.variables} of ${run.limits.variables} variables`);
    await run.close();
  }
});

test('E.getSizeOf counts variables by the documented model', async () => {
  const run = await runStandalone(device(simProfile('espruino-esp32'), await image('espruino-esp32')), 1000);
  const sizes = JSON.parse(String(await run.evaluate(`JSON.stringify([
    E.getSizeOf(1), E.getSizeOf("12345678"), E.getSizeOf("123456789"), E.getSizeOf({ a: 1 }), E.getSizeOf({ a: 1.5 }),
    E.getSizeOf({ longname: true }), E.getSizeOf(new Uint8Array(10)), E.getSizeOf(new Uint8Array(100)), E.getSizeOf([1, 2, 3])
  ])`))) as number[];
  // 14-byte variables: a string's first holds 8 characters, each extension 10; names of up to 4
  // characters hold a small integer or a boolean; a typed array is a view, a buffer and its
  // bytes (past 20 bytes one flat block: a header and 14 bytes per variable).
  assert.equal(sizes, [1, 1, 2, 2, 3, 3, 4, 11, 4]);
  await run.close();
});

test('an Espruino image that outgrows the device\'s variables ends with OUT OF MEMORY', async () => {
  const hungry: SimImage = {
    runtime: 'espruino', target: 'espruino-esp32c3',
    script: 'var kept = []; function grow() { micromineMark("decode"); for (var i = 0; i < 200; i++) kept.push({ n: kept.length }); setTimeout(grow, 0); } setTimeout(grow, 0);',
  };
  const run = await runStandalone(device(simProfile('espruino-esp32c3'), hungry), 60_000);
  const verdict = verdictOf(run);
  assert.is(verdict.kind, 'out-of-memory');
  assert.is(verdict.phase, 'decode');
  assert.match(verdict.message, /^OUT OF MEMORY: \d+ variables needed, 3849 free for the image \(4095 on the device\)$/);
});

test.run();
