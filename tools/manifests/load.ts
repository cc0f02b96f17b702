// Loading profiles, budgets and the tolerance policy from manifests/. Everything is synchronous
// and read fresh on each call: the files are tiny and callers (build, sim, report) want either a
// whole typed object or a clear error, never a cache that hides an edit.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManifestError } from './errors.ts';
import { parseJson } from './json.ts';
import { budget as budgetReader, profile as profileReader, tolerance as toleranceReader } from './schema.ts';
import type { Reader } from './schema.ts';
import type { Budget, Profile, Target, Tolerance } from './types.ts';

/** Options shared by the loaders. */
export interface LoadOptions {
  /** The manifests directory; defaults to the project's own `manifests/`. */
  dir?: string;
}

/** The project's manifests directory. */
export const defaultManifestsDir = fileURLToPath(new URL('../../manifests/', import.meta.url));

const dirOf = (options: LoadOptions): string => resolve(options.dir ?? defaultManifestsDir);

/** Names a file the way people see it: relative to the working directory when inside it. */
function label(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Every target that has a profile, sorted. */
export function listTargets(options: LoadOptions = {}): Target[] {
  const profiles = join(dirOf(options), 'profiles');
  if (!existsSync(profiles)) {
    throw new ManifestError('missing-file', { file: label(profiles) }, 'no profiles directory', 'create manifests/profiles/<target>.json files (see docs/manifests.md)');
  }
  return readdirSync(profiles).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5)).sort();
}

function read<T>(file: string, reader: Reader<T>): T {
  const shown = label(file);
  if (!existsSync(file)) throw new ManifestError('missing-file', { file: shown }, 'file not found', 'create it (see docs/manifests.md for the fields)');
  return reader(parseJson(readFileSync(file, 'utf8'), shown), { file: shown, path: '' });
}

function knownTarget(target: Target, options: LoadOptions): void {
  const targets = listTargets(options);
  if (!targets.includes(target)) {
    throw new ManifestError('unknown-target', { file: label(join(dirOf(options), 'profiles', `${target}.json`)) }, `unknown target "${target}"`, `use one of: ${targets.join(', ')}`);
  }
}

/** Loads and validates `manifests/profiles/<target>.json`. */
export function loadProfile(target: Target, options: LoadOptions = {}): Profile {
  knownTarget(target, options);
  return read(join(dirOf(options), 'profiles', `${target}.json`), profileReader(target));
}

/** Loads and validates `manifests/budgets/<target>.json` against the target's runtime and tier. */
export function loadBudget(target: Target, options: LoadOptions = {}): Budget {
  const { runtime, tier } = loadProfile(target, options);
  return read(join(dirOf(options), 'budgets', `${target}.json`), budgetReader(target, runtime, tier));
}

/** Loads and validates `manifests/tolerance.json`. */
export function loadTolerance(options: LoadOptions = {}): Tolerance {
  return read(join(dirOf(options), 'tolerance.json'), toleranceReader);
}
