import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { main } from '../../tools/lint/index.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

test('a clean file exits 0 and prints nothing', async () => {
  const result = await run(['--runtime', 'espruino', join(fixtures, 'clean-espruino.js')]);
  assert.equal(result, { code: 0, out: '', err: '' });
});

test('findings exit 1, one line each: file:line:col feature — message hint', async () => {
  const file = join(fixtures, 'espruino', 'optional-chaining.js');
  const result = await run(['--runtime=espruino', file]);
  assert.is(result.code, 1);
  assert.is(result.out, `${file}:1:12 optional chaining ?. — Espruino does not parse optional chaining ?. esbuild can lower this: set supported['optional-chain']=false (tools/lint/lowering.ts does for espruino)\n`);
  assert.is(result.err, '1 finding for espruino\n');
});

test('--json gives findings and errors for machines', async () => {
  const result = await run(['--runtime', 'xs', '--json', join(fixtures, 'xs', 'dynamic-code.js'), join(fixtures, 'clean-xs.js')]);
  assert.is(result.code, 1);
  const report = JSON.parse(result.out);
  assert.is(report.runtime, 'xs');
  assert.equal(report.findings.map((f: { feature: string }) => f.feature), ['eval', 'Function constructor', 'Function constructor']);
  assert.equal(report.errors, []);
});

test('--global accepts what the host provides', async () => {
  const file = join(fixtures, 'xs', 'host-global.js');
  const all = await run(['--runtime', 'xs', '--json', file]);
  const some = await run(['--runtime', 'xs', '--json', '--global', 'setTimeout', '--global=console', file]);
  const features = (text: string): string[] => JSON.parse(text).findings.map((f: { feature: string }) => f.feature);
  assert.equal(features(all.out).filter((f) => !features(some.out).includes(f)), ['setTimeout', 'console']);
});

test('usage errors exit 2 and name the problem', async () => {
  const cases: [string[], RegExp][] = [
    [['--runtime', 'espruino', '--fast', 'a.js'], /unknown flag --fast/],
    [['a.js'], /missing --runtime/],
    [['--runtime', 'node', 'a.js'], /--runtime expected espruino or xs, got node/],
    [['--runtime', 'xs'], /no FILE given/],
  ];
  for (const [args, message] of cases) {
    const result = await run(args);
    assert.is(result.code, 2, args.join(' '));
    assert.match(result.err, message);
    assert.match(result.err, /usage: micromine lint/);
  }
});

test('input errors exit 2 and name the file', async () => {
  const missing = await run(['--runtime', 'xs', join(fixtures, 'nope.js')]);
  assert.is(missing.code, 2);
  assert.match(missing.err, /nope\.js: file not found/);
  const broken = await run(['--runtime', 'xs', join(import.meta.dirname, 'cli.test.ts')]);
  assert.is(broken.code, 2);
  assert.match(broken.err, /cli\.test\.ts:\d+:\d+: cannot parse/);
});

test('--help shows an example and exits 0', async () => {
  const result = await run(['--help']);
  assert.is(result.code, 0);
  assert.match(result.out, /example: micromine lint --runtime espruino/);
});

test.run();
