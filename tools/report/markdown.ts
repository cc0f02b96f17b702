// budgets.md: one table, a row per target and a column per figure, each cell the value with its
// change against the baseline and its share of the budget; then what fails and why. Made for a
// CI job summary or a pull request comment (GitHub renders `<br>` inside table cells).
import type { Finding } from './check.ts';
import { FIGURES, formatDelta, formatValue, type Figure, type FigureName, type TargetFigures } from './figures.ts';

/** Columns of the table: RAM figures share columns across runtimes. */
const COLUMNS: readonly { title: string; figures: readonly FigureName[] }[] = [
  { title: 'image raw', figures: ['image.rawBytes'] },
  { title: 'image stored', figures: ['image.storedBytes'] },
  { title: 'image gzip', figures: ['image.gzipBytes'] },
  { title: 'peak RAM', figures: ['ram.slots', 'ram.variables'] },
  { title: 'peak chunks', figures: ['ram.chunkBytes'] },
  { title: 'hash-tier entry', figures: ['computrons.hashEntry'] },
  { title: 'sig-tier entry', figures: ['computrons.sigEntry'] },
  { title: 'share attempt', figures: ['computrons.shareAttempt'] },
  { title: 'unit', figures: ['computrons.unit'] },
];

/** One cell: `24.1 KB (+1.2% ▲)<br>74% of 32.0 KB`. */
export function cell(figure: Figure): string {
  const info = FIGURES[figure.name];
  if (figure.value === null) return 'not measured';
  const value = `${formatValue(info, figure.value)} (${formatDelta(figure.value, figure.baseline)})`;
  if (figure.budget === null) return value;
  const use = Math.round((figure.value / figure.budget) * 100);
  const mark = figure.value > figure.budget ? ' ❌' : '';
  return `${value}<br>${use}% of ${formatValue(info, figure.budget)}${mark}`;
}

/** The whole of budgets.md. */
export function budgetsMarkdown(targets: readonly TargetFigures[], found: readonly Finding[], notes: readonly string[]): string {
  const lines = ['## micromine budgets', ''];
  lines.push(found.length === 0
    ? '✅ Every figure is within its budget and within tolerance of the baseline.'
    : `❌ ${found.length} figure${found.length === 1 ? '' : 's'} over budget or regressed past tolerance (listed below the table).`);
  lines.push('', `| target | ${COLUMNS.map((c) => c.title).join(' | ')} |`, `| --- |${COLUMNS.map(() => ' ---: |').join('')}`);
  for (const t of targets) {
    const cells = COLUMNS.map((column) => {
      const figure = t.figures.find((f) => column.figures.includes(f.name));
      return figure === undefined ? '–' : cell(figure);
    });
    lines.push(`| **${t.target}** (${t.runtime === 'xs' ? 'XS' : 'Espruino'}, ${t.tier}) | ${cells.join(' | ')} |`);
  }
  lines.push('', 'Bytes are the image\'s code (stored: the pretokenised bytes an Espruino board keeps in Storage); RAM is the peak in the runtime\'s own unit (XS slots and chunk bytes, Espruino variables) during the standard workload; CPU is in computrons (XS byte code and built-in charges, deterministic). Changes are against `manifests/baseline.json`.');
  if (found.length > 0) {
    lines.push('', '### Findings', '');
    for (const f of found) lines.push(`- ${f.message}`);
  }
  const workloads = targets.filter((t) => t.workload !== undefined);
  if (workloads.length > 0) {
    lines.push('', '<details><summary>Standard workload</summary>', '');
    for (const t of workloads) lines.push(`- ${t.target}: ${t.workload!.units} units, ${t.workload!.entries ?? 'uncounted'} entries, ${t.workload!.shareAttempts ?? 'uncounted'} share attempts`);
    lines.push('', '</details>');
  }
  if (notes.length > 0) {
    lines.push('', '### Notes', '');
    for (const note of notes) lines.push(`- ${note}`);
  }
  return lines.join('\n') + '\n';
}
