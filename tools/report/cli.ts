// `micromine report [--check] [--update-baseline] [--target T]… [--out DIR] [--manifests DIR] [--json]`:
// measures every target, writes reports/budgets.{json,md,svg} (all or nothing), and with --check
// exits 1 naming each figure over budget or regressed past tolerance against the baseline.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defaultManifestsDir, loadTolerance, type Tolerance } from '../manifests/index.ts';
import { listFlag, readFlags, stringFlag } from '../cli/args.ts';
import { specOf } from '../cli/commands.ts';
import { EXIT } from '../cli/errors.ts';
import { writeFilesAtomically } from '../cli/files.ts';
import { asCliError } from '../cli/known-errors.ts';
import { reportError } from '../cli/main.ts';
import { paint, processTerminal, progress, type Terminal } from '../cli/terminal.ts';
import { readBaseline, writeBaseline, type Baseline } from './baseline.ts';
import { findings, improvements, type Finding } from './check.ts';
import { FIGURES, formatDelta, formatValue, type TargetFigures } from './figures.ts';
import { budgetsMarkdown } from './markdown.ts';
import { measure, type MeasureOptions } from './measure.ts';
import { budgetsSvg } from './svg.ts';
import { STANDARD_WORKLOAD } from './workload.ts';

/** The default output directory. */
export const REPORTS_DIR = 'reports';

/** The machine-readable report (budgets.json). */
export function budgetsJson(targets: readonly TargetFigures[], found: readonly Finding[], tolerance: Tolerance): object {
  return {
    workload: STANDARD_WORKLOAD,
    tolerance,
    ok: found.length === 0,
    findings: found,
    targets: targets.map((t) => ({
      target: t.target, runtime: t.runtime, tier: t.tier,
      ...(t.workload === undefined ? {} : { workload: t.workload }),
      ...(t.problem === undefined ? {} : { problem: t.problem }),
      figures: Object.fromEntries(t.figures.map((f) => [f.name, { value: f.value, unit: FIGURES[f.name].unit, budget: f.budget, baseline: f.baseline }])),
    })),
  };
}

/** The table for people: a row per figure. */
export function formatTable(targets: readonly TargetFigures[], terminal: Pick<Terminal, 'color'>): string {
  const rows = [['target', 'figure', 'value', 'budget', 'use', 'vs baseline']];
  for (const t of targets) {
    for (const f of t.figures) {
      const info = FIGURES[f.name];
      rows.push([
        t.target, f.name, f.value === null ? 'not measured' : formatValue(info, f.value), f.budget === null ? '-' : formatValue(info, f.budget),
        f.value === null || f.budget === null ? '-' : `${Math.round((f.value / f.budget) * 100)}%`,
        f.value === null ? '-' : formatDelta(f.value, f.baseline),
      ]);
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row, index) => {
    const line = row.map((cell, column) => (column >= 2 && column <= 4 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
    const over = index > 0 && row[4]!.endsWith('%') && Number(row[4]!.slice(0, -1)) > 100;
    return over ? paint(terminal, 'red', line) : line;
  }).join('\n') + '\n';
}

/** Runs `micromine report` with the arguments after `report`; resolves to the exit code. */
export async function main(args: string[], terminal: Terminal = processTerminal(), workload?: MeasureOptions['workload']): Promise<number> {
  try {
    const values = readFlags('report', specOf('report').flags, args);
    const check = values.check === true;
    const update = values['update-baseline'] === true;
    const manifestsDir = resolve(stringFlag(values, 'manifests', defaultManifestsDir));
    const outDir = stringFlag(values, 'out', REPORTS_DIR);
    const targets = listFlag(values, 'target');
    const tolerance = loadTolerance({ dir: manifestsDir });
    const baselineFile = join(manifestsDir, 'baseline.json');
    // The baseline is required to check against; without --check a first run may lack it.
    const baseline: Baseline = check || existsSync(baselineFile) ? readBaseline(relative(process.cwd(), baselineFile) || baselineFile) : {};

    const bar = progress(terminal, 'report', 1 + (targets.length || 5));
    const measured = await measure({
      targets, manifestsDir, baseline,
      onStep: (done, _total, note) => bar.update(done, note),
      ...(workload === undefined ? {} : { workload }),
    });
    bar.finish('measured');
    const found = findings(measured, tolerance);
    const notes = improvements(measured, tolerance).map((n) => `${n}: run "micromine report --update-baseline" to accept it`);
    const files = { json: join(outDir, 'budgets.json'), md: join(outDir, 'budgets.md'), svg: join(outDir, 'budgets.svg') };
    writeFilesAtomically({
      [files.json]: JSON.stringify(budgetsJson(measured, found, tolerance), null, 2) + '\n',
      [files.md]: budgetsMarkdown(measured, found, notes),
      [files.svg]: budgetsSvg(measured),
    });
    if (update) writeBaseline(baselineFile, measured.filter((t) => t.problem === undefined || t.figures.some((f) => f.value !== null)), baseline);

    if (values.json === true) terminal.out(JSON.stringify(budgetsJson(measured, found, tolerance), null, 2) + '\n');
    else {
      terminal.out(formatTable(measured, terminal));
      for (const t of measured) if (t.problem !== undefined) terminal.out(`note: ${t.target}: ${t.problem}\n`);
      for (const note of notes) terminal.out(`note: ${note}\n`);
      terminal.out(`wrote ${files.json}, ${files.md}, ${files.svg}${update ? ` and the baseline ${relative(process.cwd(), baselineFile)}` : ''}\n`);
    }
    const failing = check ? found.filter((f) => !(update && f.kind === 'regression')) : [];
    for (const f of failing) terminal.err(`${paint(terminal, 'red', 'check failed:')} ${f.message}\n`);
    if (check && failing.length === 0) terminal.err('check passed: every figure within budget and tolerance\n');
    return failing.length > 0 ? EXIT.failed : EXIT.ok;
  } catch (error) {
    return reportError(asCliError(error) ?? error, terminal);
  }
}
