// Keeping bench runs to compare: the latest run in bench.json, and every run as one line of
// bench-history.jsonl, so a run can say how each figure moved since the one before.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli/errors.ts';
import { writeFilesAtomically } from '../cli/files.ts';
import type { BenchFigure } from './measure.ts';

/** One bench run as saved. */
export interface BenchRun {
  /** ISO time the run finished */
  readonly time: string;
  readonly quick: boolean;
  readonly machine: { readonly cpus: number; readonly node: string; readonly platform: string };
  readonly figures: BenchFigure[];
}

/** The files of the bench in `dir`. */
export const benchFiles = (dir: string): { latest: string; history: string } => ({ latest: join(dir, 'bench.json'), history: join(dir, 'bench-history.jsonl') });

/** The last run saved in `dir` with the same scale (quick or full), or undefined. */
export function lastRun(dir: string, quick: boolean): BenchRun | undefined {
  const { history } = benchFiles(dir);
  if (!existsSync(history)) return undefined;
  const lines = readFileSync(history, 'utf8').split('\n').filter((line) => line.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    let run: BenchRun;
    try {
      run = JSON.parse(lines[i]!) as BenchRun;
    } catch (error) {
      throw new CliError('input', `${history}:${i + 1}: unreadable bench history: ${(error as Error).message}`, `delete or fix that line (the file keeps one JSON run per line)`);
    }
    if (run.quick === quick && Array.isArray(run.figures)) return run;
  }
  return undefined;
}

/** Saves `run` as the latest and appends it to the history (both replaced atomically). */
export function saveRun(dir: string, run: BenchRun): void {
  const { latest, history } = benchFiles(dir);
  const previous = existsSync(history) ? readFileSync(history, 'utf8') : '';
  writeFilesAtomically({ [latest]: JSON.stringify(run, null, 2) + '\n', [history]: previous + JSON.stringify(run) + '\n' });
}

/** How `figure` moved since `before`: `+3.1% better`, `-0.4% worse`, `same`, or '' without a previous value. */
export function change(figure: BenchFigure, before: BenchRun | undefined): string {
  const old = before?.figures.find((f) => f.key === figure.key)?.value;
  if (old === undefined || old === null || figure.value === null) return '';
  if (old === figure.value) return 'same';
  const percent = old === 0 ? Infinity : ((figure.value - old) / Math.abs(old)) * 100;
  const better = figure.higherIsBetter ? figure.value > old : figure.value < old;
  return `${percent > 0 ? '+' : ''}${Number.isFinite(percent) ? percent.toFixed(1) : '∞'}% ${better ? 'better' : 'worse'}`;
}
