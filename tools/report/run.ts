// The report as a library: measure, compare against budgets and the baseline, and write
// budgets.{json,md,svg} all or nothing. The report command, npm start and the bench call it.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadTolerance, type Tolerance } from '../manifests/index.ts';
import { writeFilesAtomically } from '../cli/files.ts';
import { readBaseline, type Baseline } from './baseline.ts';
import { findings, improvements, type Finding } from './check.ts';
import { FIGURES, type TargetFigures } from './figures.ts';
import { budgetsMarkdown } from './markdown.ts';
import { measure, type WorkloadRunner } from './measure.ts';
import { budgetsSvg } from './svg.ts';
import { STANDARD_WORKLOAD } from './workload.ts';

/** Options of {@link runReport}. */
export interface ReportOptions {
  /** targets to measure (all when empty) */
  readonly targets: readonly string[];
  readonly manifestsDir: string;
  /** where budgets.{json,md,svg} go */
  readonly outDir: string;
  /** refuse to run without a baseline (what --check needs) */
  readonly requireBaseline: boolean;
  readonly onStep?: (done: number, total: number, note: string) => void;
  /** where the images are built (default dist/) */
  readonly distDir?: string;
  readonly workload?: WorkloadRunner;
}

/** What a report run found and wrote. */
export interface ReportRun {
  readonly measured: TargetFigures[];
  readonly findings: Finding[];
  readonly notes: string[];
  readonly tolerance: Tolerance;
  readonly baseline: Baseline;
  readonly baselineFile: string;
  readonly files: { readonly json: string; readonly md: string; readonly svg: string };
}

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

/** Measures, compares and writes the report; bad inputs throw before anything is written. */
export async function runReport(options: ReportOptions): Promise<ReportRun> {
  const tolerance = loadTolerance({ dir: options.manifestsDir });
  const baselineFile = join(options.manifestsDir, 'baseline.json');
  const shown = relative(process.cwd(), baselineFile) || baselineFile;
  // Without --check a first run may lack the baseline; an unreadable one is always an error.
  const baseline: Baseline = options.requireBaseline || existsSync(baselineFile) ? readBaseline(shown) : {};
  const measured = await measure({
    targets: options.targets, manifestsDir: options.manifestsDir, baseline,
    ...(options.onStep ? { onStep: options.onStep } : {}),
    ...(options.distDir ? { distDir: options.distDir } : {}),
    ...(options.workload ? { workload: options.workload } : {}),
  });
  const found = findings(measured, tolerance);
  const notes = improvements(measured, tolerance).map((n) => `${n}: run "micromine report --update-baseline" to accept it`);
  const files = { json: join(options.outDir, 'budgets.json'), md: join(options.outDir, 'budgets.md'), svg: join(options.outDir, 'budgets.svg') };
  writeFilesAtomically({
    [files.json]: JSON.stringify(budgetsJson(measured, found, tolerance), null, 2) + '\n',
    [files.md]: budgetsMarkdown(measured, found, notes),
    [files.svg]: budgetsSvg(measured),
  });
  return { measured, findings: found, notes, tolerance, baseline, baselineFile, files };
}
