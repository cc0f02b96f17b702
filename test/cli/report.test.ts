// micromine report against a scratch copy of manifests/: real builds and the real standard
// workload (measured once, then replayed, so the assertions never depend on a second run), budgets
// lowered below the measured figures, baselines that regress, an unreadable baseline, and the
// files it writes (the SVG parsed as XML).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../tools/report/cli.ts';
import { budgetsSvg } from '../../tools/report/svg.ts';
import { measureWorkload, type WorkloadFigures } from '../../tools/report/workload.ts';
import { EXIT } from '../../tools/cli/errors.ts';
import { memoryTerminal } from '../../tools/cli/terminal.ts';
import { checkWellFormed } from './xml.ts';

const TARGET = 'espruino-esp32';
const work = mkdtempSync(join(tmpdir(), 'mm-report-'));
const manifests = join(work, 'manifests');
const out = join(work, 'reports');
cpSync(new URL('../../manifests/', import.meta.url), manifests, { recursive: true });
rmSync(join(manifests, 'baseline.json'), { force: true });
const budgetFile = join(manifests, 'budgets', `${TARGET}.json`);

let measured: WorkloadFigures | undefined;
const workload = async (target: string, runtime: 'xs' | 'espruino', tier: 'hash' | 'sig', distDir: string): Promise<WorkloadFigures> =>
  (measured ??= await measureWorkload(target, runtime, tier, distDir));
const hooks = { workload, distDir: join(work, 'dist') };

async function report(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const terminal = memoryTerminal();
  const code = await main(['--target', TARGET, '--manifests', manifests, '--out', out, ...args], terminal, hooks);
  return { code, out: terminal.stdout, err: terminal.stderr };
}

type Figures = Record<string, { value: number | null; budget: number | null; baseline: number | null }>;
const figuresOf = (json: string): Figures => JSON.parse(json).targets[0].figures;

function setBudget(field: string, value: number): void {
  const budget = JSON.parse(readFileSync(budgetFile, 'utf8'));
  const [group, name] = field.split('.') as [string, string];
  budget[group][name] = value;
  writeFileSync(budgetFile, JSON.stringify(budget, null, 2));
}

let figures: Figures = {};

test('a first report measures the image and the workload, and writes its three files', async () => {
  const run = await report('--json');
  assert.is(run.code, EXIT.ok, run.err);
  figures = figuresOf(run.out);
  assert.ok(figures['image.rawBytes']!.value! > 1000);
  assert.ok(figures['ram.variables']!.value! > 0);
  assert.ok(figures['computrons.unit']!.value! > 0);
  assert.is(figures['image.rawBytes']!.baseline, null);
  for (const file of ['budgets.json', 'budgets.md', 'budgets.svg']) assert.ok(existsSync(join(out, file)), file);
  assert.match(readFileSync(join(out, 'budgets.md'), 'utf8'), /\| \*\*espruino-esp32\*\* \(Espruino, hash\) \| \d+\.\d KB \(new\)<br>\d+% of /);
});

test('--check passes with budgets above the figures and a baseline just written', async () => {
  for (const [name, figure] of Object.entries(figures)) if (figure.value !== null) setBudget(name, figure.value * 2);
  const update = await report('--update-baseline');
  assert.is(update.code, EXIT.ok, update.err);
  const baseline = JSON.parse(readFileSync(join(manifests, 'baseline.json'), 'utf8'));
  assert.is(baseline.targets[TARGET]['image.rawBytes'], figures['image.rawBytes']!.value);
  const check = await report('--check');
  assert.is(check.code, EXIT.ok, check.err);
  assert.match(check.err, /check passed/);
  assert.match(check.out, /espruino-esp32 +image\.rawBytes +\d+\.\d KB +\d+\.\d KB +50% +±0%/);
});

test('--check fails naming the figure over its budget and by how much', async () => {
  const raw = figures['image.rawBytes']!.value!;
  setBudget('image.rawBytes', raw - 1);
  const check = await report('--check');
  assert.is(check.code, EXIT.failed);
  assert.match(check.err, new RegExp(`check failed: espruino-esp32: image\\.rawBytes .*\\(${raw}\\) exceeds its budget .*\\(${raw - 1}\\) by 1 `));
  assert.not.match(check.err, /computrons|variables/);
  setBudget('image.rawBytes', raw * 2);
});

test('--check fails on a regression against the baseline past the tolerance, not within it', async () => {
  const file = join(manifests, 'baseline.json');
  const original = readFileSync(file, 'utf8');
  const unit = figures['computrons.unit']!.value!;
  const raw = figures['image.rawBytes']!.value!;
  const edited = JSON.parse(original);
  edited.targets[TARGET]['computrons.unit'] = Math.floor(unit / 1.01); // +1%: within 2%
  writeFileSync(file, JSON.stringify(edited));
  assert.is((await report('--check')).code, EXIT.ok);
  edited.targets[TARGET]['computrons.unit'] = Math.floor(unit / 1.05); // +5%
  edited.targets[TARGET]['image.rawBytes'] = raw - 1; // bytes may not grow at all
  writeFileSync(file, JSON.stringify(edited));
  const check = await report('--check');
  assert.is(check.code, EXIT.failed);
  assert.match(check.err, /espruino-esp32: computrons\.unit regressed by \d+ \(\+5\.\d%\) against the baseline \d+: \d+ \(tolerance 2% for computrons\)/);
  assert.match(check.err, /espruino-esp32: image\.rawBytes regressed by 1 \(\+0\.0%\) against the baseline/);
  writeFileSync(file, original);
});

test('an unreadable or missing baseline is an input error, and nothing is written', async () => {
  const file = join(manifests, 'baseline.json');
  const before = readFileSync(join(out, 'budgets.json'), 'utf8');
  writeFileSync(file, '{"targets": {"espruino-esp32": {"image.rawBytes": "big"}}}');
  const bad = await report('--check');
  assert.is(bad.code, EXIT.usage);
  assert.match(bad.err, /baseline\.json: "targets\.espruino-esp32\.image\.rawBytes" expected a non-negative integer, got "big"\nhint: regenerate it/);
  writeFileSync(file, '{');
  assert.match((await report('--check')).err, /unreadable baseline/);
  rmSync(file);
  const missing = await report('--check');
  assert.is(missing.code, EXIT.usage);
  assert.match(missing.err, /no baseline at .*baseline\.json\nhint: write one with "micromine report --update-baseline"/);
  assert.is(readFileSync(join(out, 'budgets.json'), 'utf8'), before);
});

test('an unknown target is an input error naming the profile file', async () => {
  const terminal = memoryTerminal();
  const code = await main(['--target', 'esp8266', '--manifests', manifests, '--out', out], terminal, hooks);
  assert.is(code, EXIT.usage);
  assert.match(terminal.stderr, /unknown target "esp8266"/);
});

test('the SVG is well-formed XML with a bar per figure, and escapes what it prints', () => {
  const svg = readFileSync(join(out, 'budgets.svg'), 'utf8');
  const elements = checkWellFormed(svg);
  assert.is(elements[0], 'svg');
  assert.ok(elements.includes('title'));
  assert.is(elements.filter((e) => e === 'rect').length >= 1 + Object.keys(figures).length, true);
  const hostile = budgetsSvg([{ target: 'a<b&"c\'', runtime: 'xs', tier: 'sig', problem: 'x > y & z', figures: [{ name: 'image.rawBytes', value: 40_000, budget: 32_768, baseline: 30_000 }] }]);
  checkWellFormed(hostile);
  assert.match(hostile, /a&lt;b&amp;&quot;c&apos;/);
  assert.match(hostile, /39\.1 KB of 32\.0 KB \(122%\) over budget/);
  assert.throws(() => checkWellFormed('<svg><g></svg>'), /does not close/);
  assert.throws(() => checkWellFormed('<svg a="1" a="2"/>'), /twice/);
  assert.throws(() => checkWellFormed('<svg>a & b</svg>'), /stray "&"/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
