// Writing a report's files all or nothing: each goes to a temporary file next to its final name,
// and only once every one is written are they renamed into place, so an interrupted or failed
// run never leaves a half-written report or baseline.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.ts';

/** Writes `files` (path to text); throws an environment CliError naming the path that failed. */
export function writeFilesAtomically(files: Readonly<Record<string, string>>): void {
  const staged: [string, string][] = [];
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(path), { recursive: true });
      const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      staged.push([temporary, path]);
      writeFileSync(temporary, text);
    }
    for (const [temporary, path] of staged) renameSync(temporary, path);
  } catch (error) {
    for (const [temporary] of staged) rmSync(temporary, { force: true });
    const path = (error as NodeJS.ErrnoException).path ?? Object.keys(files).join(', ');
    throw new CliError('environment', `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'check the directory exists and is writable');
  }
}
