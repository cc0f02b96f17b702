// The committed baseline (manifests/baseline.json): the figures of the last run someone accepted
// on purpose (`micromine report --update-baseline`). `report --check` compares against it with
// the tolerance of manifests/tolerance.json, so a regression fails CI even within budget.
import { existsSync, readFileSync } from 'node:fs';
import { CliError } from '../cli/errors.ts';
import { FIGURES, type FigureName, type TargetFigures } from './figures.ts';
import { writeFilesAtomically } from '../cli/files.ts';

/** Figures by target, then by figure name. */
export type Baseline = Record<string, Partial<Record<FigureName, number>>>;

const NOTE = 'Written by `micromine report --update-baseline`: the accepted figures `micromine report --check` compares against (docs/cli.md).';

const fix = 'regenerate it with "micromine report --update-baseline" (or restore it from git)';

/** Reads a baseline file; throws an input {@link CliError} naming the file and field when it is unreadable. */
export function readBaseline(file: string): Baseline {
  if (!existsSync(file)) throw new CliError('input', `no baseline at ${file}`, `write one with "micromine report --update-baseline"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError('input', `${file}: unreadable baseline: ${(error as Error).message}`, fix);
  }
  const targets = (parsed as { targets?: unknown } | null)?.targets;
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) throw new CliError('input', `${file}: "targets" expected an object of targets`, fix);
  const baseline: Baseline = {};
  for (const [target, figures] of Object.entries(targets)) {
    if (typeof figures !== 'object' || figures === null || Array.isArray(figures)) throw new CliError('input', `${file}: "targets.${target}" expected an object of figures`, fix);
    baseline[target] = {};
    for (const [name, value] of Object.entries(figures)) {
      if (!Object.hasOwn(FIGURES, name)) throw new CliError('input', `${file}: "targets.${target}.${name}" is not a figure of the report`, `figures are ${Object.keys(FIGURES).join(', ')}`);
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new CliError('input', `${file}: "targets.${target}.${name}" expected a non-negative integer, got ${JSON.stringify(value)}`, fix);
      }
      baseline[target]![name as FigureName] = value;
    }
  }
  return baseline;
}

/** The baseline file's text for `targets`, keeping the entries of targets not measured this time. */
export function baselineText(targets: readonly TargetFigures[], previous: Baseline): string {
  const merged: Baseline = { ...previous };
  for (const t of targets) {
    const figures: Partial<Record<FigureName, number>> = {};
    for (const f of t.figures) if (f.value !== null) figures[f.name] = f.value;
    merged[t.target] = figures;
  }
  const sorted = Object.fromEntries(Object.keys(merged).sort().map((target) => [target, merged[target]]));
  return JSON.stringify({ '//': NOTE, targets: sorted }, null, 2) + '\n';
}

/** Rewrites the baseline file with `targets`' figures. */
export function writeBaseline(file: string, targets: readonly TargetFigures[], previous: Baseline): void {
  writeFilesAtomically({ [file]: baselineText(targets, previous) });
}
