// `micromine report [--check] [--update-baseline] [--target T]… [--out DIR] [--manifests DIR] [--json]`:
// measures every target, writes reports/budgets.{json,md,svg} (all or nothing), and with --check
// exits 1 naming each figure over budget or regressed past tolerance against the baseline.
import { relative, resolve } from 'node:path';
import { defaultManifestsDir } from '../manifests/index.ts';
import { listFlag, readFlags, stringFlag } from '../cli/args.ts';
import { specOf } from '../cli/commands.ts';
import { EXIT } from '../cli/errors.ts';
import { asCliError } from '../cli/known-errors.ts';
import { reportError } from '../cli/main.ts';
import { paint, processTerminal, progress, type Terminal } from '../cli/terminal.ts';
import { writeBaseline } from './baseline.ts';
import { FIGURES, formatDelta, formatValue, type TargetFigures } from './figures.ts';
import type { WorkloadRunner } from './measure.ts';
import { budgetsJson, runReport } from './run.ts';

/** The default output directory. */
export const REPORTS_DIR = 'reports';

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

/** What tests may replace: where the images are built, and the workload runner. */
export interface ReportHooks {
  readonly distDir?: string;
  readonly workload?: WorkloadRunner;
}

/** Runs `micromine report` with the arguments after `report`; resolves to the exit code. */
export async function main(args: string[], terminal: Terminal = processTerminal(), hooks: ReportHooks = {}): Promise<number> {
  try {
    const values = readFlags('report', specOf('report').flags, args);
    const check = values.check === true;
    const update = values['update-baseline'] === true;
    const manifestsDir = resolve(stringFlag(values, 'manifests', defaultManifestsDir));
    const outDir = stringFlag(values, 'out', REPORTS_DIR);
    const targets = listFlag(values, 'target');
    let bar: ReturnType<typeof progress> | undefined;
    const run = await runReport({
      targets, manifestsDir, outDir, requireBaseline: check, ...hooks,
      onStep: (done, total, note) => (bar ??= progress(terminal, 'report', total)).update(done, note),
    });
    bar?.finish('measured');
    const { measured, files, notes } = run;
    const found = run.findings;
    if (update) writeBaseline(run.baselineFile, measured.filter((t) => t.figures.some((f) => f.value !== null)), run.baseline);

    if (values.json === true) terminal.out(JSON.stringify(budgetsJson(measured, found, run.tolerance), null, 2) + '\n');
    else {
      terminal.out(formatTable(measured, terminal));
      for (const t of measured) if (t.problem !== undefined) terminal.out(`note: ${t.target}: ${t.problem}\n`);
      for (const note of notes) terminal.out(`note: ${note}\n`);
      terminal.out(`wrote ${files.json}, ${files.md}, ${files.svg}${update ? ` and the baseline ${relative(process.cwd(), run.baselineFile)}` : ''}\n`);
    }
    const failing = check ? found.filter((f) => !(update && f.kind === 'regression')) : [];
    for (const f of failing) terminal.err(`${paint(terminal, 'red', 'check failed:')} ${f.message}\n`);
    if (check && failing.length === 0) terminal.err('check passed: every figure within budget and tolerance\n');
    return failing.length > 0 ? EXIT.failed : EXIT.ok;
  } catch (error) {
    return reportError(asCliError(error) ?? error, terminal);
  }
}
