// The data directory of `micromine start` (default .data/start): the node's data in node/, the
// run summary, and a marker that says the directory is a start run's. A rerun reuses it (the
// chain goes on from where the last run left it); --fresh deletes it first, but only when the
// marker says it is ours, so a mistyped --data never deletes someone's files.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../errors.ts';
import { writeFilesAtomically } from '../files.ts';

/** The marker file of a start directory. */
export const START_MARKER = 'micromine-start.json';

/** The default data directory. */
export const DEFAULT_START_DIR = join('.data', 'start');

/** An opened start directory. */
export interface StartDir {
  readonly path: string;
  /** the node's data directory inside it */
  readonly nodeDir: string;
  /** this run's number: 1 on a new directory, one more on every rerun */
  readonly run: number;
}

interface Marker {
  kind: 'micromine-start';
  runs: number;
}

function readMarker(path: string): Marker {
  const file = join(path, START_MARKER);
  let marker: Partial<Marker>;
  try {
    marker = JSON.parse(readFileSync(file, 'utf8')) as Partial<Marker>;
  } catch (error) {
    throw new CliError('environment', `${file} is unreadable: ${(error as Error).message}`, 'rerun with --fresh to start over, or pass another --data');
  }
  if (marker.kind !== 'micromine-start' || !Number.isSafeInteger(marker.runs) || marker.runs! < 0) {
    throw new CliError('environment', `${file} is not a micromine start marker`, 'pass another --data');
  }
  return marker as Marker;
}

/**
 * Opens `dir` for a new run: creates it when missing or empty, refuses a non-empty directory
 * without the marker, deletes a marked one first with `fresh`, and counts the run in the marker.
 */
export function openStartDir(dir: string, fresh: boolean): StartDir {
  const path = resolve(dir);
  let entries: string[] | undefined;
  try {
    entries = readdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new CliError('environment', `${dir} is a file, not a directory`, 'pass --data with a directory');
    if (code !== 'ENOENT') throw new CliError('environment', `cannot read ${dir}: ${code ?? (error as Error).message}`, 'check its permissions, or pass another --data');
  }
  let runs = 0;
  if (entries !== undefined && entries.length > 0) {
    if (!entries.includes(START_MARKER)) {
      throw new CliError('environment', `refusing to use ${dir}: it is not empty and has no ${START_MARKER}`, 'pass --data with a new or empty directory, or the directory of an earlier micromine start');
    }
    runs = readMarker(path).runs;
    if (fresh) {
      rmSync(path, { recursive: true, force: true });
      runs = 0;
    }
  }
  mkdirSync(path, { recursive: true });
  const run = runs + 1;
  writeFilesAtomically({ [join(path, START_MARKER)]: JSON.stringify({ kind: 'micromine-start', runs: run }, null, 2) + '\n' });
  return { path, nodeDir: join(path, 'node'), run };
}
