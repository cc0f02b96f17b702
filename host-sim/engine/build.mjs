#!/usr/bin/env node
// Builds the device host, build/mm-device-host, from the XS engine sources that the pinned
// @agoric/xsnap package ships (no download). npm runs this after install; make rebuilds only
// what changed, so a second run costs nothing. Needs make and a C compiler, as @agoric/xsnap's
// own install does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const xs = join(dirname(require.resolve('@agoric/xsnap/package.json')), 'moddable', 'xs');
const out = join(here, 'build');
if (!existsSync(join(xs, 'sources', 'xsAll.c'))) {
  console.error(`mm-device-host: no XS sources at ${xs}; reinstall @agoric/xsnap`);
  process.exit(1);
}
const make = ['-C', join(here, 'src'), `XS=${xs}`, `OUT=${out}`, '--no-print-directory'];
if (spawnSync('make', ['-q', ...make]).status === 0) {
  console.log('mm-device-host: up to date');
  process.exit(0);
}
const started = Date.now();
const jobs = Math.max(1, Math.min(availableParallelism(), 4));
const run = spawnSync('make', ['-s', `-j${jobs}`, ...make], { stdio: 'inherit' });
if (run.error) {
  console.error(`mm-device-host: cannot run make (${run.error.message}); install make and a C compiler`);
  process.exit(1);
}
if (run.status !== 0) {
  console.error('mm-device-host: build failed');
  process.exit(run.status ?? 1);
}
console.log(`mm-device-host: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
