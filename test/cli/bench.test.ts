// The bench's comparison with earlier runs: which run it compares with, how a figure moved, and
// a history line that cannot be read. (The measurements themselves are wall-clock figures of the
// machine and are not asserted.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBench } from '../../tools/bench/cli.ts';
import { benchFiles, change, lastRun, saveRun, type BenchRun } from '../../tools/bench/history.ts';
import { deviceFigures, type BenchFigure } from '../../tools/bench/measure.ts';
import type { TargetFigures } from '../../tools/report/figures.ts';

const figure = (key: string, value: number | null, higherIsBetter: boolean, how = 'by hand'): BenchFigure => ({ key, label: key, value, unit: 'u', how, higherIsBetter });
const run = (quick: boolean, figures: BenchFigure[]): BenchRun => ({ time: '2026-01-01T00:00:00.000Z', quick, machine: { cpus: 2, node: 'v20', platform: 'linux' }, figures });

test('a figure moves better or worse by its direction; same; nothing to compare', () => {
  const before = run(false, [figure('rate', 100, true), figure('cost', 100, false), figure('flat', 7, false)]);
  assert.is(change(figure('rate', 110, true), before), '+10.0% better');
  assert.is(change(figure('cost', 110, false), before), '+10.0% worse');
  assert.is(change(figure('cost', 95, false), before), '-5.0% better');
  assert.is(change(figure('flat', 7, false), before), 'same');
  assert.is(change(figure('new', 1, false), before), '');
  assert.is(change(figure('rate', null, true), before), '');
  assert.is(change(figure('rate', 1, true), undefined), '');
});

test('runs are saved as the latest and appended to the history; the last run of the same scale is compared', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-bench-'));
  try {
    assert.is(lastRun(dir, false), undefined);
    saveRun(dir, run(false, [figure('rate', 1, true)]));
    saveRun(dir, run(true, [figure('rate', 2, true)]));
    assert.is(lastRun(dir, false)!.figures[0]!.value, 1);
    assert.is(lastRun(dir, true)!.figures[0]!.value, 2);
    const { latest, history } = benchFiles(dir);
    assert.is(JSON.parse(readFileSync(latest, 'utf8')).quick, true);
    assert.is(readFileSync(history, 'utf8').trim().split('\n').length, 2);
    writeFileSync(history, readFileSync(history, 'utf8') + '{broken\n');
    assert.throws(() => lastRun(dir, false), /bench-history\.jsonl:3: unreadable bench history/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the table says how each group of rows was measured once, and the change since the last run', () => {
  const before = run(false, [figure('a', 10, false, 'way one')]);
  const text = formatBench(run(false, [figure('a', 12, false, 'way one'), figure('b', 3, true, 'way one'), figure('c', null, true, 'way two')]), before, { color: false });
  const lines = text.trimEnd().split('\n');
  assert.is(lines.length, 4);
  assert.match(lines[1]!, /^a +12 u +\+20\.0% worse +way one$/);
  assert.match(lines[2]!, /^b +3 u$/);
  assert.match(lines[3]!, /^c +not measured +way two$/);
});

test('device rows: stored bytes only for Espruino targets, sig-entry cost only for sig-tier ones', () => {
  const target = (name: string, runtime: 'espruino' | 'xs', tier: 'hash' | 'sig', stored: number | null): TargetFigures => ({
    target: name, runtime, tier,
    figures: [
      { name: 'image.rawBytes', value: 1000, budget: null, baseline: null },
      { name: 'image.storedBytes', value: stored, budget: null, baseline: null },
      { name: 'computrons.sigEntry', value: 5, budget: null, baseline: null },
    ],
  });
  const rows = deviceFigures([target('espruino-x', 'espruino', 'hash', 800), target('moddable-x', 'xs', 'sig', null)]);
  const keys = rows.map((r) => r.key);
  assert.ok(keys.includes('image.storedBytes.espruino-x'));
  assert.not.ok(keys.includes('image.storedBytes.moddable-x'));
  assert.ok(keys.includes('computrons.sigEntry.moddable-x'));
  assert.not.ok(keys.includes('computrons.sigEntry.espruino-x'));
  assert.is(rows.find((r) => r.key === 'image.storedBytes.espruino-x')!.value, 800);
});

test.run();
