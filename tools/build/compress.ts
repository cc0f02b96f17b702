// The last minification pass: terser's compressor over esbuild's bundle (after Closure Compiler
// on Espruino, closure.ts). esbuild bundles, lowers, renames properties and minifies; terser then
// takes out what the minifiers before it leave (single-use functions inlined, conditionals and
// declarations merged, unused inner bindings dropped). Its source map is composed with the one it
// is given, so findings and the bytes per source module still point at the TypeScript sources.
import { posix } from 'node:path';
import { TraceMap, decodedMappings } from '@jridgewell/trace-mapping';
import { minify } from 'terser';

/** The code and its source map (JSON). */
export interface Compressed {
  code: string;
  map: string;
}

/**
 * Compresses `code`, whose source map is `map`. `ecma` is the newest syntax terser may write (it
 * never writes newer than its input; 2015 keeps it within what Espruino runs: the lint checks
 * the result anyway); `module` says whether the code is an ES module.
 */
export async function compress(code: string, map: string, ecma: 2015 | 2020, module: boolean): Promise<Compressed> {
  const output = await minify(code, {
    ecma,
    module,
    // unsafe_arrows: a function expression that uses neither `this` nor `arguments` becomes an
    // arrow; the images construct nothing with `new` on a plain function, and both runtimes run arrows.
    compress: { passes: 3, unsafe_arrows: true },
    mangle: true,
    format: { ascii_only: true, comments: false },
    sourceMap: { content: map },
  });
  if (output.code === undefined || output.map === undefined) throw new Error('terser returned no code or no source map');
  return { code: output.code, map: typeof output.map === 'string' ? output.map : JSON.stringify(output.map) };
}

/**
 * Bytes of `code` per source, from its source map: a mapped span (up to the next mapping on its
 * line) counts for its source, everything else (line breaks, unmapped glue) for `(bundle)`.
 * Sources are named relative to the project: `dir` is the code's directory relative to it.
 */
export function bytesPerSource(code: string, map: string, dir: string): Map<string, number> {
  const trace = new TraceMap(map);
  const names = trace.sources.map((source) => (source === null ? '(bundle)' : source.includes(':') ? source : posix.normalize(posix.join(dir, source))));
  const counts = new Map<string, number>();
  const add = (name: string, bytes: number) => {
    if (bytes > 0) counts.set(name, (counts.get(name) ?? 0) + bytes);
  };
  const lines = code.split('\n');
  const mappings = decodedMappings(trace);
  lines.forEach((line, index) => {
    const segments = mappings[index] ?? [];
    let column = 0;
    let owner = '(bundle)';
    for (const segment of segments) {
      add(owner, segment[0] - column);
      column = segment[0];
      owner = segment.length > 1 ? names[segment[1]!]! : '(bundle)';
    }
    add(owner, line.length - column);
    if (index < lines.length - 1) add('(bundle)', 1);
  });
  return counts;
}
