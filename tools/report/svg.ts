// budgets.svg: each target's use of its budgets as bars, readable without the table. A bar is the
// measured figure as a share of its budget (green up to 80%, amber up to 100%, red past it), the
// dashed line is the budget, the black tick the baseline, and the text says the numbers.
// Hand-written SVG 1.1: no script, no external reference, every text escaped.
import { FIGURES, formatValue, type Figure, type TargetFigures } from './figures.ts';

const WIDTH = 900;
const LABEL_X = 16;
const BAR_X = 150;
const BAR_WIDTH = 360;
/** the budget sits at this share of the bar area, leaving room to show an overrun up to 150% */
const BUDGET_AT = 2 / 3;
const ROW = 20;
const HEADER = 26;
const TOP = 64;

/** `text` safe inside an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const colorOf = (share: number): string => (share > 1 ? '#d73a49' : share > 0.8 ? '#dbab09' : '#28a745');

function row(figure: Figure, y: number): string[] {
  const info = FIGURES[figure.name];
  const parts = [`<text x="${LABEL_X + 12}" y="${y + 14}" class="label">${escapeXml(info.label)}</text>`];
  const scale = (BAR_WIDTH * BUDGET_AT);
  parts.push(`<rect x="${BAR_X}" y="${y + 3}" width="${BAR_WIDTH}" height="${ROW - 6}" class="track"/>`);
  if (figure.value === null) {
    parts.push(`<text x="${BAR_X + BAR_WIDTH + 10}" y="${y + 14}" class="value">not measured</text>`);
    return parts;
  }
  if (figure.budget === null || figure.budget === 0) {
    parts.push(`<text x="${BAR_X + BAR_WIDTH + 10}" y="${y + 14}" class="value">${escapeXml(formatValue(info, figure.value))} (no budget)</text>`);
    return parts;
  }
  const share = figure.value / figure.budget;
  const width = Math.min(BAR_WIDTH, share * scale);
  parts.push(`<rect x="${BAR_X}" y="${y + 3}" width="${width.toFixed(1)}" height="${ROW - 6}" fill="${colorOf(share)}"/>`);
  if (share * scale > BAR_WIDTH) parts.push(`<path d="M${BAR_X + BAR_WIDTH - 8} ${y + 4} l8 6 l-8 6 z" fill="#fff"/>`);
  const budgetX = BAR_X + scale;
  parts.push(`<line x1="${budgetX}" y1="${y + 1}" x2="${budgetX}" y2="${y + ROW - 1}" class="budget"/>`);
  if (figure.baseline !== null) {
    const baseX = BAR_X + Math.min(BAR_WIDTH, (figure.baseline / figure.budget) * scale);
    parts.push(`<line x1="${baseX.toFixed(1)}" y1="${y + 2}" x2="${baseX.toFixed(1)}" y2="${y + ROW - 2}" class="baseline"/>`);
  }
  const text = `${formatValue(info, figure.value)} of ${formatValue(info, figure.budget)} (${Math.round(share * 100)}%)${share > 1 ? ' over budget' : ''}`;
  parts.push(`<text x="${BAR_X + BAR_WIDTH + 10}" y="${y + 14}" class="value${share > 1 ? ' over' : ''}">${escapeXml(text)}</text>`);
  return parts;
}

/** The chart of every target. */
export function budgetsSvg(targets: readonly TargetFigures[]): string {
  const body: string[] = [];
  let y = TOP;
  for (const t of targets) {
    body.push(`<text x="${LABEL_X}" y="${y + 18}" class="target">${escapeXml(`${t.target} (${t.runtime === 'xs' ? 'Moddable XS' : 'Espruino'}, ${t.tier} tier)`)}</text>`);
    y += HEADER;
    for (const figure of t.figures) {
      body.push(...row(figure, y));
      y += ROW;
    }
    if (t.problem !== undefined) {
      body.push(`<text x="${LABEL_X + 12}" y="${y + 14}" class="value over">${escapeXml(`workload: ${t.problem}`)}</text>`);
      y += ROW;
    }
    y += 8;
  }
  const height = y + 12;
  const budgetX = BAR_X + BAR_WIDTH * BUDGET_AT;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="title desc">`,
    '<title id="title">micromine: each image against its device budgets</title>',
    '<desc id="desc">For every target, one bar per figure: the measured value as a share of its budget. The dashed line is the budget (100%), the black tick the committed baseline.</desc>',
    '<style>text{font-family:ui-sans-serif,system-ui,sans-serif;font-size:12px;fill:#24292e}.title{font-size:16px;font-weight:bold}.target{font-size:13px;font-weight:bold}.label{fill:#444}.value{fill:#24292e}.over{fill:#d73a49;font-weight:bold}.track{fill:#eef0f3}.budget{stroke:#24292e;stroke-width:1.5;stroke-dasharray:3 2}.baseline{stroke:#000;stroke-width:2.5}.legend{fill:#586069}</style>',
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LABEL_X}" y="24" class="title">micromine budgets: use per target</text>`,
    `<text x="${LABEL_X}" y="44" class="legend">bar: measured share of the budget (green ≤ 80%, amber ≤ 100%, red over); dashed line: the budget; black tick: the baseline</text>`,
    `<line x1="${budgetX}" y1="52" x2="${budgetX}" y2="${TOP}" class="budget"/>`,
    `<text x="${budgetX + 4}" y="${TOP - 2}" class="legend">budget</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
