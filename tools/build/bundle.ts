// One esbuild configuration for both runtimes: bundle an entry with its imports, strip the
// types, lower what the runtime lacks, add the build facts, tree-shake and minify; then Closure
// Compiler optimises the Espruino bundle (closure.ts) and terser compresses further
// (compress.ts). It returns the image in memory, with its source map and the bytes each source
// module takes in it (counted from that map), so the build can lint, measure and only then
// write. Property names only the image's own code reads are shortened (mangle.ts). Release
// images are built with MM_DEBUG false, which drops the device's debug logs (firmware/app/debug.ts).
import * as esbuild from 'esbuild';
import { join, posix } from 'node:path';
import type { BuildInfo } from '../../firmware/app/image.ts';
import { closureOptimise } from './closure.ts';
import { bytesPerSource, compress } from './compress.ts';
import { BuildError, at } from './errors.ts';
import { checkInternalNames, mangleProps } from './mangle.ts';
import { root } from './paths.ts';

/** Bytes one source module occupies in the image. */
export interface ModuleSize {
  /** path relative to the project root, e.g. `firmware/core/validator.ts`; `(bundle)` for glue */
  path: string;
  bytes: number;
}

/** The bundled code of an image. */
export interface BundledCode {
  code: string;
  /** source map (JSON), sources relative to `dist/<target>/` */
  map: string;
  /** per source module, largest first */
  modules: ModuleSize[];
}

/** What differs between the runtimes. */
export interface BundleSpec {
  /** entry module, relative to the root */
  entry: string;
  /** the image file name inside dist/<target>/ */
  file: string;
  format: 'cjs' | 'esm';
  /** language level the runtime runs; `supported` refines it */
  target: string;
  /** the newest syntax the optimisers may write (closure.ts, compress.ts) */
  ecma: 2015 | 2020;
  /**
   * Closure Compiler's ADVANCED mode over the bundle before terser (closure.ts), keeping the names
   * of the runtime declarations of `project` (the entry's tsconfig.json); null for none
   */
  closure: { project: string } | null;
  /** modules the runtime provides */
  external: string[];
  /** esbuild `supported` overrides (the lint's lowering map) */
  supported: Record<string, boolean>;
  useDefineForClassFields: boolean;
  /** code around the bundle */
  banner?: string;
  footer?: string;
  /** globals to read through a local alias, global name to alias name (declared before the bundle) */
  aliases?: Record<string, string>;
  /** import paths to redirect, absolute source path to absolute replacement */
  redirect?: Record<string, string>;
}

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number } | null;
}

/** esbuild's first error as a BuildError naming the source file and line. */
function bundleError(error: unknown): Error {
  const messages = (error as { errors?: EsbuildMessage[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) return error as Error;
  const first = messages[0]!;
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : '';
  const location = first.location === null ? {} : { file: first.location.file, line: first.location.line, column: first.location.column + 1 };
  return new BuildError('bundle-error', location, at(location, first.text + more), 'fix the source esbuild names');
}

/** The module path of the build facts; firmware/hal/build-facts.d.ts declares it. */
export const BUILD_FACTS_MODULE = 'micromine:build';

/** `value` as a JavaScript literal whose keys are bare identifiers: esbuild renames those, never quoted ones. */
function literal(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(',')}]`;
  return `{${Object.entries(value).map(([key, inner]) => `${key}:${literal(inner)}`).join(',')}}`;
}

/**
 * Serves the build facts as the module `micromine:build`, an object literal in the bundle: its
 * keys are renamed with the rest of the image's properties (a `define` value would keep them).
 */
function buildFactsPlugin(info: BuildInfo): esbuild.Plugin {
  return {
    name: 'micromine-build-facts',
    setup(build) {
      build.onResolve({ filter: /^micromine:build$/ }, () => ({ path: 'build facts', namespace: 'micromine' }));
      build.onLoad({ filter: /.*/, namespace: 'micromine' }, () => ({ contents: `export default ${literal(info)};`, loader: 'js' }));
    },
  };
}

/**
 * Globals the Espruino image names often enough that a local alias pays: each `Uint8Array` (22)
 * becomes a one-letter local once terser has renamed the alias. esbuild's `define` points the
 * global at the alias, and the code before the bundle declares it. Not on XS: there every function
 * that names the alias holds a reference to it, 31 more slots at the peak for 260 bytes of module.
 */
export const ESPRUINO_ALIASES: Record<string, string> = { Uint8Array: 'mm$Uint8Array' };

/** The module that says whether the image checks signatures (false on hash-tier images). */
const TIER_MODULE = join(root, 'firmware/core/tier.ts');

/**
 * Serves firmware/core/tier.ts with the image's own answer: `SIGNATURE_CHECKS` is a constant
 * esbuild inlines, so a hash-tier image drops the signature paths that test it.
 */
function tierPlugin(info: BuildInfo): esbuild.Plugin {
  return {
    name: 'micromine-tier',
    setup(build) {
      build.onLoad({ filter: /tier\.ts$/ }, (args) => args.path !== TIER_MODULE ? undefined
        : { contents: `export const SIGNATURE_CHECKS = ${info.tier === 'sig'};`, loader: 'ts' });
    },
  };
}

/** Redirects imports that resolve to one file onto another (e.g. the Moddable TCP module). */
function redirectPlugin(redirect: Record<string, string>): esbuild.Plugin {
  return {
    name: 'micromine-redirect',
    setup(build) {
      build.onResolve({ filter: /\.ts$/ }, (args) => {
        const target = redirect[join(args.resolveDir, args.path)];
        return target === undefined ? undefined : { path: target };
      });
    },
  };
}

/** Bundles one image; `debug` keeps the device's debug logs. */
export async function bundleCode(spec: BundleSpec, info: BuildInfo, debug: boolean): Promise<BundledCode> {
  // A fixed virtual path: the map's sources are the same wherever the output is written.
  const outfile = join(root, 'dist', info.target, spec.file);
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      entryPoints: [join(root, spec.entry)],
      absWorkingDir: root,
      bundle: true,
      write: false,
      outfile,
      format: spec.format,
      platform: 'neutral',
      target: spec.target,
      supported: spec.supported,
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: spec.useDefineForClassFields } },
      external: spec.external,
      define: { MM_DEBUG: String(debug), ...spec.aliases },
      // Closure Compiler counts columns up to 4,095 only, so its input keeps esbuild's line breaks.
      minifySyntax: true,
      minifyIdentifiers: true,
      minifyWhitespace: spec.closure === null,
      mangleProps,
      charset: 'ascii',
      legalComments: 'none',
      sourcemap: 'external',
      sourcesContent: false,
      banner: { js: (spec.banner ?? '') + Object.entries(spec.aliases ?? {}).map(([global, alias]) => `var ${alias}=${global};`).join('') },
      ...(spec.footer === undefined ? {} : { footer: { js: spec.footer } }),
      plugins: [buildFactsPlugin(info), tierPlugin(info), ...(spec.redirect === undefined ? [] : [redirectPlugin(spec.redirect)])],
      logLevel: 'silent',
    });
  } catch (error) {
    throw bundleError(error);
  }
  const bundled = result.outputFiles.find((file) => file.path === outfile)!.text;
  const bundledMap = result.outputFiles.find((file) => file.path === outfile + '.map')!.text;
  const optimised = spec.closure === null ? { code: bundled, map: bundledMap } : closureOptimise(bundled, bundledMap, spec.ecma, spec.closure.project, spec.file);
  const { code, map } = await compress(optimised.code, optimised.map, spec.ecma, spec.format === 'esm');
  checkInternalNames(code, spec.file);
  const modules = [...bytesPerSource(code, map, posix.join('dist', info.target))].map(([path, bytes]) => ({ path, bytes }));
  modules.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
  return { code, map, modules };
}
