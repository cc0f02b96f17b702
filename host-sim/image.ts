/**
 * A built image as `micromine build` leaves it in dist/<target>/ (docs/build.md), read unchanged:
 * the Moddable image as its ES modules (`micromine`, `main`), the Espruino image as the one
 * script that is stored in flash and evaluated at boot.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimError } from './errors.ts';

/** The image of one target. */
export type SimImage =
  | { runtime: 'xs'; target: string; modules: Record<string, string>; entry: string }
  | { runtime: 'espruino'; target: string; script: string };

/** The project's dist/ directory. */
export const DIST_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)), 'dist');

/** Reads `dist/<target>/` (or `dir`); a missing image is an error that says how to build it. */
export function loadImage(target: string, runtime: 'xs' | 'espruino', dir = join(DIST_DIR, target)): SimImage {
  const need = (name: string): string => {
    const path = join(dir, name);
    if (!existsSync(path)) {
      throw new SimError('no-image', `no ${name} in ${dir}`, { where: target, hint: `build it first: micromine build --target ${target}` });
    }
    return readFileSync(path, 'utf8');
  };
  if (runtime === 'espruino') return { runtime, target, script: need('micromine.js') };
  return { runtime, target, modules: { micromine: need('micromine.js'), main: need('main.js') }, entry: 'main' };
}
