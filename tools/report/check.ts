// What `report --check` fails on: a figure over its budget, or grown past the tolerance of its
// kind against the committed baseline. Each finding names the target, the figure and the amount.
import type { Tolerance } from '../manifests/index.ts';
import { FIGURES, formatValue, type FigureName, type TargetFigures } from './figures.ts';

/** A figure that fails the check. */
export interface Finding {
  readonly target: string;
  readonly figure: FigureName;
  readonly kind: 'over-budget' | 'regression' | 'not-measured';
  readonly value: number | null;
  /** the budget, or the most the baseline and tolerance allow */
  readonly limit: number | null;
  /** by how much the value exceeds the limit */
  readonly over: number;
  readonly message: string;
}

const percent = (part: number, whole: number): string => (whole === 0 ? '∞' : ((part / whole) * 100).toFixed(1));

/** Every finding of `targets` under `tolerance`, in report order. */
export function findings(targets: readonly TargetFigures[], tolerance: Tolerance): Finding[] {
  const found: Finding[] = [];
  for (const t of targets) {
    for (const f of t.figures) {
      const info = FIGURES[f.name];
      const at = `${t.target}: ${f.name}`;
      if (f.value === null) {
        // A figure the baseline has but this run could not measure is lost coverage: it fails.
        if (f.baseline === null) continue;
        found.push({ target: t.target, figure: f.name, kind: 'not-measured', value: null, limit: f.budget, over: 0, message: `${at} was not measured: ${t.problem ?? 'no figure'}` });
        continue;
      }
      if (f.budget !== null && f.value > f.budget) {
        const over = f.value - f.budget;
        found.push({
          target: t.target, figure: f.name, kind: 'over-budget', value: f.value, limit: f.budget, over,
          message: `${at} ${formatValue(info, f.value)} (${f.value}) exceeds its budget ${formatValue(info, f.budget)} (${f.budget}) by ${over} (+${percent(over, f.budget)}%)`,
        });
      }
      if (f.baseline !== null) {
        const allowed = tolerance[info.kind].regressionPercent;
        const limit = Math.floor(f.baseline * (1 + allowed / 100));
        if (f.value > limit) {
          const grown = f.value - f.baseline;
          found.push({
            target: t.target, figure: f.name, kind: 'regression', value: f.value, limit, over: f.value - limit,
            message: `${at} regressed by ${grown} (+${percent(grown, f.baseline)}%) against the baseline ${f.baseline}: ${f.value} (tolerance ${allowed}% for ${info.kind})`,
          });
        }
      }
    }
  }
  return found;
}

/** Figures that improved past the tolerance: the baseline is stale and should be updated on purpose. */
export function improvements(targets: readonly TargetFigures[], tolerance: Tolerance): string[] {
  const notes: string[] = [];
  for (const t of targets) {
    for (const f of t.figures) {
      if (f.value === null || f.baseline === null || f.value >= f.baseline) continue;
      const allowed = tolerance[FIGURES[f.name].kind].regressionPercent;
      if (f.baseline - f.value > (f.baseline * Math.max(allowed, 1)) / 100) {
        notes.push(`${t.target}: ${f.name} improved from ${f.baseline} to ${f.value} (-${percent(f.baseline - f.value, f.baseline)}%)`);
      }
    }
  }
  return notes;
}
