// The options of build(), checked by name and type before anything runs (esbuild's rule: an
// unknown option is an error, not silently ignored).
import { BuildError } from './errors.ts';

/** How the Moddable image reaches the node: ECMA-419 `embedded:io/socket/tcp` or the `socket` module. */
export type TcpModule = 'ecma-419' | 'socket';

/** Options of {@link build}. */
export interface BuildOptions {
  /** Targets to build (manifests/profiles/<target>.json); all of them when absent or empty. */
  targets?: string[];
  /** Fail when an image exceeds its budget (manifests/budgets/<target>.json). */
  check?: boolean;
  /** Make the report's `text` JSON instead of the table for people. */
  json?: boolean;
  /** Where the images go (default `dist/`); each target is `<outDir>/<target>/`. */
  outDir?: string;
  /** The manifests directory (default the project's `manifests/`). */
  manifestsDir?: string;
  /** Moddable TCP module (default `ecma-419`). */
  tcp?: TcpModule;
  /** Type-check the device projects before bundling (default true). */
  typecheck?: boolean;
  /** Keep the device's debug logs (firmware/app/debug.ts); budgets are for release images, so not with `check`. */
  debug?: boolean;
}

const names: (keyof BuildOptions)[] = ['targets', 'check', 'json', 'outDir', 'manifestsDir', 'tcp', 'typecheck', 'debug'];

function bad(option: string, expected: string, got: unknown): never {
  throw new BuildError('bad-option', {}, `"${option}" expected ${expected}, got ${JSON.stringify(got) ?? typeof got}`, `pass ${expected} as "${option}"`);
}

/** Checks `options` and fills the defaults. */
export function checkOptions(options: BuildOptions): Required<BuildOptions> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) bad('options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!(names as string[]).includes(key)) throw new BuildError('unknown-option', {}, `unknown option "${key}"`, `use one of: ${names.join(', ')}`);
  }
  const { targets = [], check = false, json = false, outDir = 'dist', manifestsDir = '', tcp = 'ecma-419', typecheck = true, debug = false } = options;
  if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string' || t === '')) bad('targets', 'an array of target names', targets);
  for (const [name, value] of [['check', check], ['json', json], ['typecheck', typecheck], ['debug', debug]] as const) {
    if (typeof value !== 'boolean') bad(name, 'a boolean', value);
  }
  if (debug && check) {
    throw new BuildError('bad-option', {}, '"debug" images are not checked against budgets, which are for release images', 'build without "debug" to check');
  }
  if (typeof outDir !== 'string' || outDir === '') bad('outDir', 'a directory path', outDir);
  if (typeof manifestsDir !== 'string') bad('manifestsDir', 'a directory path', manifestsDir);
  if (tcp !== 'ecma-419' && tcp !== 'socket') bad('tcp', '"ecma-419" or "socket"', tcp);
  return { targets, check, json, outDir, manifestsDir, tcp, typecheck, debug };
}
