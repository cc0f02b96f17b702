// `micromine bench [--quick] [--out DIR] [--json]` (and `npm run bench`): the performance figures
// of the whole system in one table, each with how it was measured and how it moved since the last
// run of the same scale; saved to reports/bench.json and appended to reports/bench-history.jsonl.
import { cpus } from 'node:os';
import { readFlags, stringFlag } from '../cli/args.ts';
import { specOf } from '../cli/commands.ts';
import { EXIT } from '../cli/errors.ts';
import { asCliError } from '../cli/known-errors.ts';
import { reportError } from '../cli/main.ts';
import { paint, processTerminal, progress, type Terminal } from '../cli/terminal.ts';
import { REPORTS_DIR } from '../report/cli.ts';
import { benchFiles, change, lastRun, saveRun, type BenchRun } from './history.ts';
import { FULL_SCALE, QUICK_SCALE, deviceFigures, measureDevices, nodeFigures, simulatorFigures, type BenchFigure } from './measure.ts';

/** The table: figure, value, change since the last run, and how it was measured. */
export function formatBench(run: BenchRun, before: BenchRun | undefined, terminal: Pick<Terminal, 'color'>): string {
  const rows = [['figure', 'value', 'since last run', 'how it was measured']];
  let previousHow = '';
  for (const f of run.figures) {
    const value = f.value === null ? 'not measured' : `${f.value.toLocaleString('en-US')} ${f.unit}`;
    // Rows measured the same way say how once, on the first of them.
    rows.push([f.label, value, change(f, before), f.how === previousHow ? '' : f.how]);
    previousHow = f.how;
  }
  const widths = rows[0]!.slice(0, 3).map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row, index) => {
    const cells = [row[0]!.padEnd(widths[0]!), row[1]!.padStart(widths[1]!), row[2]!.padEnd(widths[2]!), row[3]!];
    const line = cells.join('  ').trimEnd();
    if (index === 0) return paint(terminal, 'bold', line);
    return row[2]!.endsWith('worse') ? paint(terminal, 'yellow', line) : line;
  }).join('\n') + '\n';
}

/** Runs the bench with the arguments after `bench`; resolves to the exit code. */
export async function main(args: string[], terminal: Terminal = processTerminal()): Promise<number> {
  try {
    const values = readFlags('bench', specOf('bench').flags, args);
    const quick = values.quick === true;
    const scale = quick ? QUICK_SCALE : FULL_SCALE;
    const outDir = stringFlag(values, 'out', REPORTS_DIR);
    const before = lastRun(outDir, quick);
    const bar = progress(terminal, 'bench', 8);
    let step = 0;
    const targets = await measureDevices((note) => bar.update(step++, note));
    const figures: BenchFigure[] = deviceFigures(targets);
    bar.update(6, `simulator: ${scale.fleetDevices}-device fleet`);
    figures.push(...(await simulatorFigures(scale)));
    bar.update(7, `trusted node: load generator, ${scale.loadDevices} devices`);
    figures.push(...(await nodeFigures(scale)));
    bar.finish('measured');
    const run: BenchRun = { time: new Date().toISOString(), quick, machine: { cpus: cpus().length, node: process.version, platform: process.platform }, figures };
    saveRun(outDir, run);
    if (values.json === true) terminal.out(JSON.stringify(run, null, 2) + '\n');
    else {
      terminal.out(formatBench(run, before, terminal));
      const files = benchFiles(outDir);
      terminal.out(`\nsaved to ${files.latest} and appended to ${files.history}${before === undefined ? '' : ` (compared with the run of ${before.time})`}${quick ? '; --quick figures are compared only with other quick runs' : ''}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    return reportError(asCliError(error) ?? error, terminal);
  }
}
