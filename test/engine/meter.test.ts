// CPU as computrons: an endless loop is stopped by the call's budget instead of hanging, the
// same code and input cost the same computrons every time and on every device, and a
// reference workload (SHA-256 of 145 bytes in pure JS, @noble/hashes bundled by esbuild) costs
// what the brief's desktop measurement says, give or take the bundle.
import { build } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { EngineError, startDevice } from '../../host-sim/engine/index.ts';
import { ESP32 } from './creations.ts';

async function sha256Image(): Promise<string> {
  const entry = `import { sha256 } from '@noble/hashes/sha2.js'; export function digest(bytes) { return sha256(new Uint8Array(bytes)); }`;
  const out = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js' },
    bundle: true, format: 'esm', target: 'es2020', write: false, logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

test('an endless loop ends with "cpu budget exceeded" at the call limit', async () => {
  const device = await startDevice({ creation: ESP32, computronLimit: 2_000_000 });
  try {
    const error = await device.evaluate('for (;;) {}').catch((e: unknown) => e);
    assert.instance(error, EngineError);
    assert.is((error as EngineError).code, 'cpu-budget-exceeded');
    assert.match((error as EngineError).message, 'cpu budget exceeded');
    const used = (error as EngineError).usage!.computrons;
    assert.ok(used > 2_000_000 && used < 2_000_000 + 2048, `stopped at ${used}`);
    assert.is(device.state, 'stopped');
  } finally {
    await device.close();
  }
});

test('a per-call limit overrides the device default, and a call under it completes', async () => {
  const device = await startDevice({ creation: ESP32 });
  try {
    const loop = '{ let n = 0; for (let i = 0; i < 10000; i++) n += i; n }';
    const { value, usage } = await device.evaluate(loop, { computronLimit: 1_000_000 });
    assert.is(value, 49995000);
    const error = await device.evaluate(loop, { computronLimit: usage.computrons - 2048 }).catch((e: unknown) => e);
    assert.is((error as EngineError).code, 'cpu-budget-exceeded');
  } finally {
    await device.close();
  }
});

test('the same script twice, and on another device, costs identical computrons', async () => {
  const script = '{ let s = ""; for (let i = 0; i < 200; i++) s += String.fromCharCode(65 + (i * 7) % 26); JSON.stringify({ s, n: s.length }).length }';
  const first = await startDevice({ creation: ESP32 });
  const second = await startDevice({ creation: ESP32, seed: 42 });
  try {
    const a = await first.evaluate(script);
    const b = await first.evaluate(script);
    const c = await second.evaluate(script);
    assert.is(a.usage.computrons, b.usage.computrons);
    assert.is(a.usage.computrons, c.usage.computrons);
    assert.ok(a.usage.computrons > 1000);
  } finally {
    await first.close();
    await second.close();
  }
});

test('SHA-256 of 145 bytes through @noble/hashes: right digest, same cost each time, about 100,000 computrons', async () => {
  const source = await sha256Image();
  const device = await startDevice({
    creation: ESP32,
    image: { modules: { sha: source, main: 'import { digest } from "sha"; globalThis.digest = digest;' } },
  });
  try {
    await device.importModule('main');
    const input = Uint8Array.from({ length: 145 }, (_, i) => (i * 31) & 0xff);
    const expected = createHash('sha256').update(input).digest('hex');
    const costs: number[] = [];
    for (let round = 0; round < 3; round++) {
      const { value, usage } = await device.call('digest', [input]);
      assert.is(Buffer.from(value as Uint8Array).toString('hex'), expected);
      costs.push(usage.computrons);
    }
    assert.equal(new Set(costs).size, 1, `costs ${costs}`);
    // The brief measured about 93,000 on the stock xsnap worker; this build counts the line
    // markers of a debug build as well (see docs/simulator-engine.md).
    assert.ok(costs[0]! > 80_000 && costs[0]! < 130_000, `SHA-256 cost ${costs[0]}`);
  } finally {
    await device.close();
  }
});

test.run();
