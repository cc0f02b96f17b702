// The size report: per target the image's raw and gzip bytes (and for Espruino the bytes stored in
// Storage) against its budget, and the bytes of each source module; JSON for machines, a short
// table for people.
import type { SliceBounds } from '../../firmware/app/work.ts';
import type { Runtime, Tier } from '../manifests/index.ts';
import type { ModuleSize } from './bundle.ts';

/** A figure over its budget. */
export interface Overrun {
  target: string;
  /** the budget field, e.g. `image.rawBytes` */
  figure: 'image.rawBytes' | 'image.gzipBytes' | 'image.storedBytes';
  /** the budget file */
  file: string;
  budget: number;
  actual: number;
  over: number;
}

/** What the build made of one target. */
export interface TargetReport {
  target: string;
  runtime: Runtime;
  tier: Tier;
  /** the output directory and the files in it */
  dir: string;
  files: string[];
  /** the image's code files (what raw and gzip measure) */
  image: string[];
  /** the minified JavaScript */
  raw: number;
  gzip: number;
  /** Espruino only: the pretokenised bytes that go to Storage (docs/build.md) */
  stored?: number;
  budget: { file: string; rawBytes: number; gzipBytes: number; storedBytes?: number; provisional: boolean };
  /** share search bounds compiled into the image */
  slice: SliceBounds;
  /** lint findings in the emitted code: always 0 in a report (findings fail the build) */
  lintFindings: number;
  modules: ModuleSize[];
}

/** The result of a build. */
export interface BuildReport {
  /** false when `check` was asked and a figure is over its budget */
  ok: boolean;
  checked: boolean;
  targets: TargetReport[];
  overruns: Overrun[];
  /** the report as people read it, or as JSON with the `json` option */
  text: string;
}

/** Every figure of `report` over its budget. */
export function overruns(report: TargetReport): Overrun[] {
  const found: Overrun[] = [];
  const figures = [
    ['image.rawBytes', report.raw, report.budget.rawBytes], ['image.gzipBytes', report.gzip, report.budget.gzipBytes],
    ['image.storedBytes', report.stored, report.budget.storedBytes],
  ] as const;
  for (const [figure, actual, budget] of figures) {
    if (actual !== undefined && budget !== undefined && actual > budget) found.push({ target: report.target, figure, file: report.budget.file, budget, actual, over: actual - budget });
  }
  return found;
}

const number = (n: number): string => n.toLocaleString('en-US');

/** One line naming an overrun, e.g. `espruino-esp32: image.rawBytes 17,000 exceeds 16,384 by 616 (manifests/budgets/espruino-esp32.json)`. */
export function describeOverrun(o: Overrun): string {
  return `${o.target}: ${o.figure} ${number(o.actual)} exceeds the budget ${number(o.budget)} by ${number(o.over)} (${o.file})`;
}

/** The table for people: a row per target, its three largest modules, and any overrun. */
export function formatTable(targets: TargetReport[], over: Overrun[], checked: boolean): string {
  const rows = [['target', 'raw', 'stored', 'gzip', 'budget raw', 'budget stored', 'budget gzip', 'largest modules']];
  const optional = (n: number | undefined) => (n === undefined ? '-' : number(n));
  for (const t of targets) {
    const largest = t.modules.slice(0, 3).map((m) => `${m.path} ${number(m.bytes)}`).join(', ');
    rows.push([t.target, number(t.raw), optional(t.stored), number(t.gzip), number(t.budget.rawBytes), optional(t.budget.storedBytes), number(t.budget.gzipBytes), largest]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => (column > 0 && column < 7 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd());
  lines.push(`images linted clean; raw is the image's minified code, stored the pretokenised bytes an Espruino board keeps in Storage (${targets.map((t) => `${t.dir}/`).join(', ')})`);
  for (const o of over) lines.push(`${checked ? 'over budget' : 'note: over budget'}: ${describeOverrun(o)}`);
  return lines.join('\n') + '\n';
}
