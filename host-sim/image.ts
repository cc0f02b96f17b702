/**
 * A built image as `micromine build` leaves it in dist/<target>/ (docs/build.md): the Moddable
 * image as its ES modules (`micromine`, `main`), read unchanged; the Espruino image as the bytes
 * `micromine flash` puts in Storage (the file storage.json names, checked against its SHA-256),
 * read through the detokeniser as a board's lexer reads them, so what runs is what is flashed.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detokenise } from '../tools/build/espruino-tokens.ts';
import { SimError } from './errors.ts';

/** The image of one target. */
export type SimImage =
  | { runtime: 'xs'; target: string; modules: Record<string, string>; entry: string }
  | { runtime: 'espruino'; target: string; script: string };

/** The project's dist/ directory. */
export const DIST_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)), 'dist');

/** The stored file of an Espruino upload form, as far as the simulator reads it. */
interface StoredEntry {
  from: string;
  bytes: number;
  sha256: string;
}

/** Reads `dist/<target>/` (or `dir`); a missing image is an error that says how to build it. */
export function loadImage(target: string, runtime: 'xs' | 'espruino', dir = join(DIST_DIR, target)): SimImage {
  const need = (name: string, encoding: 'utf8' | 'latin1' = 'utf8'): string => {
    const path = join(dir, name);
    if (!existsSync(path)) {
      throw new SimError('no-image', `no ${name} in ${dir}`, { where: target, hint: `build it first: micromine build --target ${target}` });
    }
    return readFileSync(path, encoding);
  };
  if (runtime === 'xs') return { runtime, target, modules: { micromine: need('micromine.js'), main: need('main.js') }, entry: 'main' };
  const rebuild = { where: join(dir, 'storage.json'), hint: `build it again: micromine build --target ${target}` };
  let entry: StoredEntry | undefined;
  try {
    entry = (JSON.parse(need('storage.json')) as { files?: StoredEntry[] }).files?.[0];
  } catch (error) {
    if (error instanceof SimError) throw error;
    throw new SimError('bad-image', `unreadable upload form: ${(error as Error).message}`, rebuild);
  }
  if (typeof entry?.from !== 'string' || typeof entry.sha256 !== 'string') throw new SimError('bad-image', '"files[0]" names no stored file with its sha256', rebuild);
  const stored = need(entry.from, 'latin1');
  const sha256 = createHash('sha256').update(stored, 'latin1').digest('hex');
  if (sha256 !== entry.sha256 || stored.length !== entry.bytes) {
    throw new SimError('bad-image', `${entry.from} is ${stored.length} bytes with SHA-256 ${sha256.slice(0, 16)}..., the upload form says ${entry.bytes} bytes with ${entry.sha256.slice(0, 16)}...`, rebuild);
  }
  try {
    return { runtime, target, script: detokenise(stored) };
  } catch (error) {
    throw new SimError('bad-image', `${entry.from}: ${(error as Error).message}`, rebuild);
  }
}
