// Writing the images: every target's files go to a staging directory first, then each target
// directory replaces the old one by rename, so a failed build leaves dist/ as it was and a reader
// never sees a directory half-written.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BuildError, at } from './errors.ts';

/** One target's files, by path inside its directory: text (UTF-8) or bytes. */
export interface TargetFiles {
  target: string;
  files: Record<string, string | Uint8Array>;
}

/** Writes `outputs` under `outDir/<target>/`, replacing what was there. */
export function writeTargets(outDir: string, outputs: TargetFiles[]): void {
  let staging: string;
  try {
    mkdirSync(outDir, { recursive: true });
    staging = mkdtempSync(join(outDir, '.staging-'));
  } catch (error) {
    const location = { file: outDir };
    throw new BuildError('io', location, at(location, `cannot create the output directory: ${(error as Error).message}`), 'check the path and its permissions');
  }
  try {
    for (const { target, files } of outputs) {
      for (const [name, contents] of Object.entries(files)) {
        const path = join(staging, target, name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, contents);
      }
    }
    for (const { target } of outputs) {
      const final = join(outDir, target);
      const old = join(staging, `${target}.old`);
      if (existsSync(final)) renameSync(final, old);
      renameSync(join(staging, target), final);
    }
  } catch (error) {
    const location = { file: outDir };
    throw new BuildError('io', location, at(location, `cannot write the images: ${(error as Error).message}`), 'check free space and permissions');
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
