// The figures of the budget report: what each is called (its budget field), its unit, which
// tolerance applies to it, and how people read it.
import type { Budget, Runtime, Tier } from '../manifests/index.ts';

/** A figure, named by its field in manifests/budgets/<target>.json. */
export type FigureName =
  | 'image.rawBytes'
  | 'image.gzipBytes'
  | 'image.storedBytes'
  | 'ram.slots'
  | 'ram.chunkBytes'
  | 'ram.variables'
  | 'computrons.hashEntry'
  | 'computrons.sigEntry'
  | 'computrons.shareAttempt'
  | 'computrons.unit';

/** The tolerance group of manifests/tolerance.json that applies to a figure. */
export type FigureKind = 'bytes' | 'ram' | 'computrons';

/** How each figure is measured and shown. */
export interface FigureInfo {
  readonly kind: FigureKind;
  readonly unit: 'bytes' | 'slots' | 'variables' | 'computrons';
  /** a short label for tables and the chart */
  readonly label: string;
}

export const FIGURES: Readonly<Record<FigureName, FigureInfo>> = {
  'image.rawBytes': { kind: 'bytes', unit: 'bytes', label: 'image raw' },
  'image.gzipBytes': { kind: 'bytes', unit: 'bytes', label: 'image gzip' },
  'image.storedBytes': { kind: 'bytes', unit: 'bytes', label: 'image stored' },
  'ram.slots': { kind: 'ram', unit: 'slots', label: 'peak slots' },
  'ram.chunkBytes': { kind: 'ram', unit: 'bytes', label: 'peak chunks' },
  'ram.variables': { kind: 'ram', unit: 'variables', label: 'peak variables' },
  'computrons.hashEntry': { kind: 'computrons', unit: 'computrons', label: 'hash-tier entry' },
  'computrons.sigEntry': { kind: 'computrons', unit: 'computrons', label: 'sig-tier entry' },
  'computrons.shareAttempt': { kind: 'computrons', unit: 'computrons', label: 'share attempt' },
  'computrons.unit': { kind: 'computrons', unit: 'computrons', label: 'unit' },
};

/**
 * The figures a target has, in report order: its runtime decides the RAM unit and whether the
 * image has a stored form (Espruino's pretokenised bytes), its tier the sig entry.
 */
export function figuresOf(runtime: Runtime, tier: Tier): FigureName[] {
  return [
    'image.rawBytes', ...(runtime === 'espruino' ? ['image.storedBytes'] as const : []), 'image.gzipBytes',
    ...(runtime === 'xs' ? ['ram.slots', 'ram.chunkBytes'] as const : ['ram.variables'] as const),
    'computrons.hashEntry', ...(tier === 'sig' ? ['computrons.sigEntry'] as const : []), 'computrons.shareAttempt', 'computrons.unit',
  ];
}

/** The budget of `figure` in a loaded budget file (undefined when the file has none for it). */
export function budgetOf(budget: Budget, figure: FigureName): number | undefined {
  const [group, field] = figure.split('.') as [keyof Budget, string];
  const section = budget[group] as unknown as Record<string, number | undefined>;
  return section[field];
}

/** One figure of one target, with what it is compared against. */
export interface Figure {
  readonly name: FigureName;
  /** the measured value; null when it could not be measured (the report says why) */
  readonly value: number | null;
  readonly budget: number | null;
  /** the committed baseline's value; null for a figure new since the baseline */
  readonly baseline: number | null;
}

/** Everything the report says about one target. */
export interface TargetFigures {
  readonly target: string;
  readonly runtime: Runtime;
  readonly tier: Tier;
  readonly figures: Figure[];
  /** why the workload figures are missing, when they are */
  readonly problem?: string;
  /** the workload behind the figures: units, entries, share attempts */
  readonly workload?: Workload;
}

/** What the standard workload did on one device, from which the per-item figures are divided. */
export interface Workload {
  readonly units: number;
  /** null when the simulator does not count them */
  readonly entries: number | null;
  readonly shareAttempts: number | null;
  /** device time spent searching shares (virtual ms), for the bench's attempts per second */
  readonly shareMs: number;
}

/** `value` for people: `24.1 KB`, `1.23 M`, `3,512 slots`. */
export function formatValue(info: FigureInfo, value: number): string {
  if (info.unit === 'bytes') return value >= 1024 ? `${(value / 1024).toFixed(1)} KB` : `${value.toLocaleString('en-US')} B`;
  if (info.unit === 'computrons') {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
    if (value >= 1e4) return `${(value / 1e3).toFixed(1)} k`;
    return value.toLocaleString('en-US');
  }
  return `${value.toLocaleString('en-US')} ${info.unit}`;
}

/** The change from `baseline` to `value` as `+1.2% ▲`, `-0.4% ▼` or `±0%`; `new` without a baseline. */
export function formatDelta(value: number, baseline: number | null): string {
  if (baseline === null) return 'new';
  if (value === baseline) return '±0%';
  if (baseline === 0) return '+∞% ▲';
  const percent = Math.abs(((value - baseline) / baseline) * 100);
  const shown = percent < 0.05 ? '<0.1' : percent.toFixed(1);
  return value > baseline ? `+${shown}% ▲` : `-${shown}% ▼`;
}
