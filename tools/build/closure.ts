// Google Closure Compiler's ADVANCED mode between esbuild and terser, for the Espruino image
// (Espruino's own Web IDE offers Closure as its minifier). Closure renames every property it is
// not told to keep (esbuild renames only the listed internal ones, mangle.ts), moves class methods
// out to plain functions, inlines small functions and drops members nothing reads; terser then
// compresses what it leaves. Closure keeps what its externs name: here every name the image may
// share with code outside it (the public names of mangle.ts, every word of the runtime
// declarations, every string in the bundle, which a quoted access or a JSON shape may use as a
// key, every property the bundle names on `globalThis`), so it renames only what the image alone
// spells. Its source map points at esbuild's output and is composed with esbuild's here, so lint
// findings and bytes per module still name the TypeScript sources (docs/build.md).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parse, type Node } from 'acorn';
import { ancestor, base, simple, type RecursiveVisitors } from 'acorn-walk';
import { TraceMap, decodedMappings, encodedMap, traceSegment, type SourceMapSegment } from '@jridgewell/trace-mapping';
import { BuildError, at } from './errors.ts';
import { PUBLIC_PROPERTIES, declarationFiles, declarationText, declaredWords, stringLiterals } from './mangle.ts';

/** The code and its source map (JSON). */
export interface Optimised {
  code: string;
  map: string;
}

/** The package's own command line: it runs the native compiler where there is one, else the Java one. */
const CLOSURE_CLI = createRequire(import.meta.url).resolve('google-closure-compiler/cli.js');

/** Globals the runtime declarations of `project` declare (`declare function setTimeout`, `declare const E`...). */
function declaredGlobals(project: string): Set<string> {
  const globals = new Set<string>();
  for (const file of declarationFiles([project])) {
    for (const match of declarationText(file).matchAll(/\bdeclare\s+(?:function|const|let|var)\s+([A-Za-z_$][\w$]*)/g)) globals.add(match[1]!);
  }
  return globals;
}

/** Properties `code` reads or writes on `globalThis`: the image's own globals (its API, the simulator's phase hook). */
function globalProperties(code: string): Set<string> {
  const names = new Set<string>();
  simple(parse(code, { ecmaVersion: 'latest', sourceType: 'script' }), {
    MemberExpression: (node) => {
      if (node.object.type === 'Identifier' && node.object.name === 'globalThis' && node.property.type === 'Identifier' && !node.computed) names.add(node.property.name);
    },
  });
  return names;
}

/**
 * Closure's externs for `code`, whose entry is type-checked by `project` (a tsconfig.json path
 * relative to the root; the device projects it builds on have no ambient declarations): the
 * names Closure must neither rename nor remove. Properties are declared on `Object.prototype`,
 * which keeps the name on every object; the runtime's globals as variables (ECMAScript's own come
 * with Closure's built-in externs).
 */
export function closureExterns(code: string, project: string): string {
  const identifier = /^[A-Za-z_$][\w$]*$/;
  const properties = new Set([...PUBLIC_PROPERTIES, ...declaredWords([project]), ...[...stringLiterals(code)].filter((s) => identifier.test(s)), ...globalProperties(code)]);
  return [
    '/** @externs */',
    ...[...properties].sort().map((name) => `/** @type {?} */ Object.prototype.${name};`),
    ...[...declaredGlobals(project)].sort().map((name) => `/** @type {?} */ var ${name};`),
    '',
  ].join('\n');
}

/** The annotation that keeps Closure from inlining the function it precedes. */
const NO_INLINE = '/** @noinline */ ';

/** Walks a function's own body: nested functions are other functions. */
const OWN_BODY: RecursiveVisitors<unknown> = { ...base, FunctionDeclaration: () => {}, FunctionExpression: () => {}, ArrowFunctionExpression: () => {} };

/** Statements an early `return` may sit in for Closure to fold it into a conditional before inlining. */
const FOLDABLE = new Set(['BlockStatement', 'IfStatement']);

/**
 * True when `fn` returns from inside a loop, a `switch` or a `try`: Closure folds the returns of
 * if/else chains into one conditional, but inlines such a function as a labelled block.
 */
function returnsFromWithin(fn: Node & { body: Node }): boolean {
  if (fn.body.type !== 'BlockStatement') return false;
  let within = false;
  ancestor(fn.body, {
    ReturnStatement: (_node, _state, ancestors) => {
      // ancestors[0] is the body itself, the last the return.
      within ||= ancestors.slice(1, -1).some((node) => !FOLDABLE.has(node.type));
    },
  }, OWN_BODY);
  return within;
}

/** The code with NO_INLINE inserted, and the columns of each line (0-based) where it was, ascending. */
interface Marked {
  code: string;
  inserted: Map<number, number[]>;
}

/**
 * Marks every function that returns from within a loop, a `switch` or a `try` as not to be
 * inlined. Closure inlines such a function as a labelled block left by `break`
 * (`a:{...break a;...}`), and Espruino has no labels: the lint would refuse the image. The
 * annotation goes where Closure reads a declaration's JSDoc (the function declaration, the method,
 * the `var` of a function value).
 */
function markNoInline(code: string): Marked {
  const at = new Set<number>();
  const mark = (fn: Node & { body: Node }, ancestors: Node[]) => {
    if (!returnsFromWithin(fn)) return;
    const parent = ancestors.at(-2);
    const declaration = ancestors.at(-3) as (Node & { declarations?: unknown[] }) | undefined;
    if (fn.type === 'FunctionDeclaration') at.add(fn.start);
    else if (parent?.type === 'MethodDefinition') at.add(parent.start);
    else if (parent?.type === 'VariableDeclarator' && declaration?.declarations?.length === 1) at.add(declaration.start);
  };
  ancestor(parse(code, { ecmaVersion: 'latest', sourceType: 'script' }), {
    FunctionDeclaration: mark, FunctionExpression: mark, ArrowFunctionExpression: mark,
  });
  const lineStarts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const inserted = new Map<number, number[]>();
  let line = 0;
  let marked = '';
  let copied = 0;
  for (const offset of [...at].sort((a, b) => a - b)) {
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    inserted.set(line, [...(inserted.get(line) ?? []), offset - lineStarts[line]!]);
    marked += code.slice(copied, offset) + NO_INLINE;
    copied = offset;
  }
  return { code: marked + code.slice(copied), inserted };
}

/** The column in the unmarked code of `column` in the marked code, on a line where NO_INLINE went in at `columns`. */
function unmarkedColumn(columns: number[] | undefined, column: number): number {
  let shift = 0;
  for (const insertedAt of columns ?? []) {
    const start = insertedAt + shift;
    if (column < start) break;
    if (column < start + NO_INLINE.length) return insertedAt;
    shift += NO_INLINE.length;
  }
  return column - shift;
}

/**
 * Composes `outer` (optimised code to the marked bundle) with `inner` (bundle to sources):
 * optimised code to sources.
 */
function composeMaps(outer: string, inner: string, inserted: Map<number, number[]>, file: string): string {
  const innerTrace = new TraceMap(inner);
  const sources: string[] = [];
  const sourceIndex = new Map<string, number>();
  const mappings = decodedMappings(new TraceMap(outer)).map((line) => line.map((segment): SourceMapSegment => {
    if (segment.length === 1) return [segment[0]];
    const traced = traceSegment(innerTrace, segment[2], unmarkedColumn(inserted.get(segment[2]), segment[3]));
    if (traced === null || traced.length === 1) return [segment[0]];
    const source = innerTrace.resolvedSources[traced[1]]!;
    if (!sourceIndex.has(source)) sourceIndex.set(source, sources.push(innerTrace.sources[traced[1]]!) - 1);
    return [segment[0], sourceIndex.get(source)!, traced[2], traced[3]];
  }));
  return JSON.stringify(encodedMap(new TraceMap({ version: 3, file, sources, names: [], mappings })));
}

/**
 * Optimises the bundled `code` (source map `map`) with Closure's ADVANCED mode, writing at most
 * `ecma`; `project` is the tsconfig.json of its entry (closureExterns). `file` names the image in
 * errors. Throws a BuildError with Closure's own message when it refuses the code.
 */
export function closureOptimise(code: string, map: string, ecma: 2015 | 2020, project: string, file: string): Optimised {
  const marked = markNoInline(code);
  const input = JSON.stringify([{ path: 'externs.js', src: closureExterns(code, project) }, { path: file, src: marked.code }]);
  const run = spawnSync(process.execPath, [
    CLOSURE_CLI,
    '--compilation_level=ADVANCED',
    // Only ECMAScript's externs: the runtime's APIs are the project's own declarations, above.
    '--env=CUSTOM',
    `--language_out=ECMASCRIPT_${ecma}`,
    // No helpers or polyfills of Closure's own, and no 'use strict' the bundle did not have.
    '--rewrite_polyfills=false',
    '--inject_libraries=false',
    '--emit_use_strict=false',
    '--json_streams=BOTH',
    '--create_source_map=%outname%.map',
  ], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) {
    const location = { file };
    throw new BuildError('bundle-error', location, at(location, `Closure Compiler refused the bundle: ${(run.stderr || run.error?.message || '').trim()}`),
      'rewrite the source Closure names, or keep a name it renamed by adding it to PUBLIC_PROPERTIES (tools/build/mangle.ts)');
  }
  const [output] = JSON.parse(run.stdout) as { src: string; source_map: string }[];
  if (output === undefined) throw new Error('Closure Compiler returned no code');
  return { code: output.src, map: composeMaps(output.source_map, map, marked.inserted, file) };
}
