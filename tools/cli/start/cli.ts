// `micromine start` (and `npm start`): runs the main job, prints the summary, and leaves the run
// summary (summary.md, summary.json) in the data directory and the budget report in reports/.
import { join, relative } from 'node:path';
import { integerFlag, readFlags, stringFlag } from '../args.ts';
import { specOf } from '../commands.ts';
import { EXIT } from '../errors.ts';
import { writeFilesAtomically } from '../files.ts';
import { asCliError } from '../known-errors.ts';
import { reportError } from '../main.ts';
import { progress, processTerminal, type Terminal } from '../terminal.ts';
import { DEFAULT_START_DIR } from './datadir.ts';
import { START_DEFAULTS, runStart } from './pipeline.ts';
import { formatSummary, summaryMarkdown } from './summary.ts';

/** Runs `micromine start` with the arguments after `start`; resolves to the exit code. */
export async function main(args: string[], terminal: Terminal = processTerminal()): Promise<number> {
  try {
    const values = readFlags('start', specOf('start').flags, args);
    const options = {
      ...START_DEFAULTS,
      dataDir: stringFlag(values, 'data', DEFAULT_START_DIR),
      fresh: values.fresh === true,
      blocks: integerFlag(values, 'blocks', START_DEFAULTS.blocks, 1, 100),
      port: integerFlag(values, 'port', 0, 0, 65535),
      httpPort: integerFlag(values, 'http-port', 0, 0, 65535),
    };
    const bar = progress(terminal, 'start', 6);
    const summary = await runStart({ ...options, onStep: (step, _steps, note) => bar.update(step, note) });
    bar.finish('done');
    const shown = (path: string): string => relative(process.cwd(), path) || '.';
    const summaryFile = join(summary.dataDir, 'summary.md');
    writeFilesAtomically({ [summaryFile]: summaryMarkdown(summary), [join(summary.dataDir, 'summary.json')]: JSON.stringify(summary, null, 2) + '\n' });
    if (values.json === true) terminal.out(JSON.stringify(summary, null, 2) + '\n');
    else terminal.out(formatSummary({ ...summary, dataDir: shown(summary.dataDir) }, { summary: shown(summaryFile), reports: summary.report?.files ?? [] }, terminal));
    return summary.problems.length === 0 ? EXIT.ok : EXIT.failed;
  } catch (error) {
    return reportError(asCliError(error) ?? error, terminal);
  }
}

