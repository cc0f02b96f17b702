// The end of `npm start`: a short summary for the terminal, and the same as Markdown in the run's
// data directory (summary.md, with summary.json beside it) to open afterwards.
import type { FigureInfo } from '../../report/figures.ts';
import { formatValue } from '../../report/figures.ts';
import { paint, type Terminal } from '../terminal.ts';
import type { DeviceSummary, StartSummary, Use } from './pipeline.ts';

const BYTES: FigureInfo = { kind: 'bytes', unit: 'bytes', label: 'bytes' };

const units = (unit: string): FigureInfo['unit'] => (unit === 'chunk bytes' ? 'bytes' : unit === 'slots' ? 'slots' : unit === 'variables' ? 'variables' : 'computrons');

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `3,475 slots (99%)`: the peak and its share of the budget (or of the limit without one). */
export function formatShortUse(use: Use): string {
  const info: FigureInfo = { kind: 'ram', unit: units(use.unit), label: use.unit };
  const against = use.budget ?? use.limit;
  const value = use.unit === 'ms' ? `${use.peak} ms` : formatValue(info, use.peak);
  return against > 0 ? `${value} (${Math.round((use.peak / against) * 100)}%)` : value;
}

/** `13 (#4-#16): 7 transactions in #5, #8, #10; 13 reward credits`. */
function blocksLine(summary: StartSummary): string {
  const blocks = summary.blocks;
  if (blocks.length === 0) return 'none settled';
  const withTransactions = blocks.filter((b) => b.transactions > 0);
  const transactions = withTransactions.reduce((sum, b) => sum + b.transactions, 0);
  const credits = blocks.reduce((sum, b) => sum + b.credits, 0);
  const range = blocks.length === 1 ? `#${blocks[0]!.height}` : `#${blocks[0]!.height}-#${blocks[blocks.length - 1]!.height}`;
  const where = withTransactions.length === 0 ? '' : ` in ${withTransactions.map((b) => `#${b.height}`).join(', ')}`;
  return `${blocks.length} settled (${range}): ${plural(transactions, 'transaction')}${where}; ${plural(credits, 'reward credit')}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

/** The device table: RAM and CPU per unit as shares of the target's budget, the slice of the profile's bound. */
function deviceRows(devices: readonly DeviceSummary[]): string[][] {
  return [
    ['device', 'profile', 'tier', 'units', 'shares', 'rewards paid', 'peak RAM (of budget)', 'CPU/unit (of budget)', 'longest slice (of bound)', 'state'],
    ...devices.map((d) => [
      d.name, d.profile, d.tier, String(d.units), String(d.shares), d.rewardsPaid === d.rewardsCredited ? d.rewardsPaid : `${d.rewardsPaid} of ${d.rewardsCredited}`,
      d.ram.map(formatShortUse).join(', '), formatShortUse(d.cpuPerUnit), formatShortUse(d.longestSliceMs), d.verdict === 'ok' ? 'ok' : 'STOPPED',
    ]),
  ];
}

function transferLines(summary: StartSummary): string[] {
  const valid = summary.transfers.filter((t) => t.accepted);
  const refused = summary.transfers.filter((t) => !t.accepted);
  const committed = valid.filter((t) => t.status === 'committed').length;
  const lines = [`${plural(valid.length, 'transfer')} accepted (${committed} in blocks), ${refused.length} rejected:`];
  for (const t of refused) {
    const right = t.defect !== null && t.reason === t.expected;
    lines.push(`  ${(t.defect ?? 'valid').padEnd(13)} -> ${t.reason ?? '?'}${right ? '' : `  (expected ${t.expected ?? 'acceptance'})`}`);
  }
  return lines;
}

/** Where the run left its files, as the last lines say. */
export interface SummaryFiles {
  readonly summary: string;
  readonly reports: readonly string[];
}

/** The summary for the terminal. */
export function formatSummary(summary: StartSummary, files: SummaryFiles, terminal: Pick<Terminal, 'color'>): string {
  const bold = (text: string): string => paint(terminal, 'bold', text);
  const lines = [
    '',
    bold(`micromine start: run ${summary.run}, ${plural(summary.devices.length, 'device')}, ${(summary.wallMs / 1000).toFixed(0)} s`),
    '',
    `${bold('images')}     ${summary.images.map((i) => `${i.target} ${formatValue(BYTES, i.raw)} (${Math.round((i.raw / Math.max(1, i.budget)) * 100)}%)`).join(', ')}`,
    `${bold('node')}       ${summary.httpUrl} (devices on port ${summary.devicePort}), data in ${summary.dataDir}`,
    `${bold('blocks')}     ${blocksLine(summary)}`,
    `${bold('consensus')}  ${summary.consensus.accepted} transactions accepted by device quorum and audit, ${summary.consensus.rejected} rejected`,
    `${bold('transfers')}  ${transferLines(summary).join('\n           ')}`,
    '',
    ...table(deviceRows(summary.devices)).map((line) => `  ${line}`),
    '',
    `fleet${summary.fleet.rounds > 1 ? ` (${summary.fleet.rounds} rounds: each ended its units before the blocks settled)` : ''}: ${(summary.fleet.virtualMs / 1000).toFixed(1)} s of device time, ${formatValue({ kind: 'computrons', unit: 'computrons', label: '' }, summary.fleet.computrons)} computrons; host CPU ${(summary.fleet.engineCpuMs / 1000).toFixed(1)} s in the XS engines, ${(summary.fleet.simulatorCpuMs / 1000).toFixed(1)} s in the simulator`,
  ];
  if (summary.problems.length > 0) {
    lines.push('', paint(terminal, 'red', bold('problems:')));
    for (const problem of summary.problems) lines.push(`  - ${problem}`);
  } else {
    lines.push('', paint(terminal, 'green', 'every broken transfer was rejected for its reason, and the blocks settled.'));
  }
  lines.push('', `run summary: ${files.summary}`);
  if (files.reports.length > 0) {
    const failing = summary.report?.findings ?? 0;
    lines.push(`budget report: ${files.reports.join(', ')} (${failing === 0 ? 'every figure within budget' : `${plural(failing, 'figure')} over budget or regressed`})`);
  }
  lines.push(`next: npx micromine node verify --data ${summary.dataDir}/node   (replays the chain this run extended)`);
  return lines.join('\n') + '\n';
}

/** summary.md: the same, as Markdown. */
export function summaryMarkdown(summary: StartSummary): string {
  const cellRows = deviceRows(summary.devices);
  const lines = [
    `# micromine start, run ${summary.run}`,
    '',
    `${plural(summary.devices.length, 'device')} against the node at ${summary.httpUrl}; ${(summary.wallMs / 1000).toFixed(0)} s.`,
    '',
    '## Blocks',
    '',
    '| height | transactions | reward credits |',
    '| ---: | ---: | ---: |',
    ...summary.blocks.map((b) => `| ${b.height} | ${b.transactions} | ${b.credits} |`),
    '',
    '## Transfers',
    '',
    '| from | to | amount | defect | answer | status |',
    '| --- | --- | ---: | --- | --- | --- |',
    ...summary.transfers.map((t) => `| ${t.from} | ${t.to} | ${t.amount} | ${t.defect ?? ''} | ${t.accepted ? 'accepted' : `rejected: ${t.reason}`} | ${t.status}${t.height === null ? '' : ` (#${t.height})`} |`),
    '',
    `Consensus: ${summary.consensus.accepted} accepted by device quorum and audit, ${summary.consensus.rejected} rejected.`,
    '',
    '## Devices',
    '',
    `| ${cellRows[0]!.join(' | ')} |`,
    `|${cellRows[0]!.map(() => ' --- |').join('')}`,
    ...cellRows.slice(1).map((row) => `| ${row.join(' | ')} |`),
    '',
  ];
  if (summary.problems.length > 0) lines.push('## Problems', '', ...summary.problems.map((p) => `- ${p}`), '');
  return lines.join('\n');
}
