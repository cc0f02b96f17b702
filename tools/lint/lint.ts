// The language lint: parse emitted code, run the target runtime's rules, and give each finding its
// emitted position and, through a source map, its source position.
import { existsSync, readFileSync } from 'node:fs';
import { LintError } from './errors.ts';
import { espruinoRules, checkEspruino } from './rules-espruino.ts';
import type { RuleText } from './rules-espruino.ts';
import { checkXs, xsRules } from './rules-xs.ts';
import { analyse, parseProgram, ParseError } from './scope.ts';
import { decodeDataUrl, findSourceMap, originalPosition, sourceMappingUrl, toTraceMap } from './sourcemap.ts';
import type { SourceMapInput } from './sourcemap.ts';
import type { Finding, Hit, Runtime } from './types.ts';
import type { TraceMap } from '@jridgewell/trace-mapping';

/** Options of lintCode. */
export interface LintOptions {
  /** The runtime the code must run on. */
  runtime: Runtime;
  /** The file name findings report (the code need not exist on disk). */
  file: string;
  /** A source map (object, JSON text or TraceMap); without one, an inline data-URL map is used if present. */
  sourceMap?: SourceMapInput;
  /** Globals (or `Object.method` statics) the target's host provides after all, e.g. `setTimeout` on a host that installs it. */
  globals?: readonly string[];
}

const optionNames = ['runtime', 'file', 'sourceMap', 'globals'];
const runtimes: Record<Runtime, { rules: Record<string, RuleText>; check: typeof checkXs }> = {
  espruino: { rules: espruinoRules, check: checkEspruino },
  xs: { rules: xsRules, check: checkXs },
};

function checkOptions(options: LintOptions): void {
  if (typeof options !== 'object' || options === null) throw new LintError('bad-option', 'options must be an object', 'pass { runtime, file }');
  for (const key of Object.keys(options)) {
    if (!optionNames.includes(key)) throw new LintError('unknown-option', `unknown option "${key}"`, `use one of: ${optionNames.join(', ')}`);
  }
  if (!Object.hasOwn(runtimes, options.runtime)) {
    throw new LintError('bad-option', `"runtime" expected "espruino" | "xs", got ${JSON.stringify(options.runtime)}`, 'set runtime to "espruino" or "xs"');
  }
  if (typeof options.file !== 'string' || options.file === '') throw new LintError('bad-option', '"file" expected a non-empty string', 'name the file the code came from');
  if (options.globals !== undefined && (!Array.isArray(options.globals) || options.globals.some((g) => typeof g !== 'string'))) {
    throw new LintError('bad-option', '"globals" expected an array of strings', 'list names like "setTimeout" or "Array.from"');
  }
}

/** Lints `code` for `options.runtime`; findings are sorted by emitted position. */
export function lintCode(code: string, options: LintOptions): Finding[] {
  checkOptions(options);
  const { runtime, file } = options;
  let program;
  try {
    program = parseProgram(code);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new LintError('parse-error', `cannot parse: ${error.message}`, 'lint the emitted JavaScript, not TypeScript or a partial file', { file, line: error.line, column: error.column });
  }
  const map = mapFor(code, options);
  const { rules, check } = runtimes[runtime];
  const hits = check(analyse(program), new Set(options.globals ?? []));
  return hits.map((hit) => toFinding(hit, rules, file, map)).sort((a, b) => a.emitted.line - b.emitted.line || a.emitted.column - b.emitted.column);
}

function mapFor(code: string, options: LintOptions): TraceMap | undefined {
  if (options.sourceMap !== undefined) return toTraceMap(options.sourceMap, options.file);
  const inline = decodeDataUrl(sourceMappingUrl(code) ?? '');
  return inline === undefined ? undefined : toTraceMap(inline, options.file);
}

function toFinding(hit: Hit, rules: Record<string, RuleText>, file: string, map: TraceMap | undefined): Finding {
  const start = hit.at.loc!.start;
  const emitted = { file, line: start.line, column: start.column + 1 + (hit.offset ?? 0) };
  const rule = rules[hit.rule]!;
  const finding: Finding = { rule: hit.rule, feature: hit.feature, message: hit.message ?? rule.message, hint: hit.hint ?? rule.hint, emitted };
  const source = map && originalPosition(map, emitted.line, emitted.column);
  if (source) finding.source = source;
  return finding;
}

/** Lints a file on disk; its source map is found inline, through its sourceMappingURL, or as `<file>.map`. */
export function lintFile(file: string, options: Omit<LintOptions, 'file'>): Finding[] {
  if (!existsSync(file)) throw new LintError('missing-file', `${file}: file not found`, 'check the path');
  const code = readFileSync(file, 'utf8');
  const sourceMap = options.sourceMap ?? findSourceMap(code, file);
  return lintCode(code, { ...options, file, ...(sourceMap ? { sourceMap } : {}) });
}
