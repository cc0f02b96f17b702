/**
 * The pretokeniser: the form the Espruino image takes in Storage. Reserved words and
 * multi-character operators become the single bytes the firmware's lexer reads directly
 * (espruino-tokens.ts), whitespace and comments go, and for firmware that reads them
 * (`rawStringsFor`) string literals become raw length-prefixed string tokens. The output follows
 * the Espruino IDE's "Pretokenise code before upload" byte for byte, except where that would
 * change the program: `catch` stays a word (as in the IDE: a firmware issue), two operators that
 * would join are kept apart by a space (`a+ +b`), line breaks inside brackets are kept when one
 * ended a statement, and integers are left as text (raw integer tokens lex faster but make this
 * image larger: docs/build.md).
 *
 * Every output is read back through the detokeniser and must be the same program as the input,
 * token for token and node for node, or the build fails: what is flashed is what was linted.
 * @module
 */
import { parse, tokenizer, type Options, type Token } from 'acorn';
import { RAW_STRING16, RAW_STRING8, detokenise, tokenCode } from './espruino-tokens.ts';
import { BuildError, at, type BuildLocation } from './errors.ts';

/** Options of {@link pretokenise}. */
export interface PretokeniseOptions {
  /** Write string literals as raw string tokens (Espruino 2v20.48 or later). */
  strings: boolean;
  /** The file named in errors. */
  file: string;
}

/** One token of a program: a string literal is a `string` with its value, however it was written. */
export interface ProgramToken {
  kind: 'string' | 'number' | 'word' | 'regexp' | 'template' | 'punctuation';
  /** The source text (a template with substitutions whole, as the IDE keeps it). */
  text: string;
  /** The cooked value of a string, the value of a number, the text otherwise. */
  value: string | number;
  start: number;
  end: number;
}

const ACORN: Options = { ecmaVersion: 2020, sourceType: 'script' };

function locate(code: string, offset: number, file: string): BuildLocation {
  const before = code.slice(0, offset).split('\n');
  return { file, line: before.length, column: before[before.length - 1]!.length + 1 };
}

/**
 * The tokens of `code` as Espruino's lexer sees them: a template literal is one token (a plain
 * string when it has no substitution, since it means one), everything else as acorn reads it.
 */
export function programTokens(code: string): ProgramToken[] {
  const tokens: ProgramToken[] = [];
  const reader = tokenizer(code, ACORN);
  for (let token = reader.getToken(); token.type.label !== 'eof'; token = reader.getToken()) {
    const value = (token as Token & { value: unknown }).value;
    if (token.type.label === '`') {
      let end: Token;
      let depth = 0;
      let substitutions = false;
      let cooked = '';
      do {
        end = reader.getToken();
        const label = end.type.label;
        if (label === '${' || label === '{') depth++;
        if (label === '}') depth--;
        if (label === '${') substitutions = true;
        if (label === 'template' && depth === 0) cooked += String((end as Token & { value: unknown }).value);
      } while (depth > 0 || end.type.label !== '`');
      const text = code.slice(token.start, end.end);
      tokens.push(substitutions
        ? { kind: 'template', text, value: text, start: token.start, end: end.end }
        : { kind: 'string', text, value: cooked, start: token.start, end: end.end });
      continue;
    }
    const text = code.slice(token.start, token.end);
    const { label, keyword } = token.type;
    const kind = label === 'string' ? 'string' : label === 'num' ? 'number' : label === 'regexp' ? 'regexp'
      : keyword !== undefined || label === 'name' ? 'word' : 'punctuation';
    tokens.push({ kind, text, value: kind === 'string' ? String(value) : kind === 'number' ? Number(value) : text, start: token.start, end: token.end });
  }
  return tokens;
}

const OPENING = new Set(['(', '{', '[']);
const CLOSING = new Set([')', '}', ']']);
// `catch` as a token byte trips Espruino's parser (espruino/Espruino#1868); the IDE keeps it a word too.
const KEPT_AS_WORD = new Set(['catch']);

/** True when text `after` written straight after text `before` would lex differently. */
function joins(before: ProgramToken, after: ProgramToken): boolean {
  const wordy = (t: ProgramToken) => t.kind === 'word' || t.kind === 'number';
  if (wordy(before) && wordy(after)) return true;
  const last = before.text[before.text.length - 1]!;
  const first = after.text[0]!;
  return (last === '+' && first === '+') || (last === '-' && first === '-') || (last === '/' && (first === '/' || first === '*'))
    || (before.kind === 'number' && /^\d+$/.test(before.text) && first === '.');
}

function rawString(value: string): string | undefined {
  if (value.length === 0 || value.length > 0xffff) return undefined;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return undefined;
  const length = value.length;
  return length < 256
    ? String.fromCharCode(RAW_STRING8, length) + value
    : String.fromCharCode(RAW_STRING16, length & 0xff, length >> 8) + value;
}

/** Refuses a character that is no ASCII: in the stored form every byte of 128 or more is a token. */
function checkAscii(code: string, file: string): void {
  for (let i = 0; i < code.length; i++) {
    const char = code.charCodeAt(i);
    if (char < 0x80) continue;
    const location = locate(code, i, file);
    throw new BuildError('pretokenise', location,
      at(location, `character U+${char.toString(16).toUpperCase().padStart(4, '0')} (byte >= 128) cannot be pretokenised: in Storage every byte of 128 or more is an Espruino token`),
      'emit ASCII only: write the character as an escape (\\xNN or \\uNNNN) in the source, or keep esbuild\'s default charset');
  }
}

/**
 * The structure of a program without positions or spellings (what the parser makes of it); a
 * template without substitutions is the string it means, as the IDE writes it.
 */
function shape(code: string): string {
  return JSON.stringify(parse(code, ACORN), (key, value) => {
    if (key === 'start' || key === 'end' || key === 'raw' || key === 'directive') return undefined;
    if (value?.type === 'TemplateLiteral' && value.expressions.length === 0) return { type: 'Literal', value: value.quasis[0].value.cooked };
    return value;
  });
}

/** Why `stored` does not read back, through the lexer's rules, as the program `code`; undefined when it does. */
function readBackProblem(code: string, stored: string): { offset: number; detail: string } | undefined {
  const source = programTokens(code);
  const text = detokenise(stored);
  const back = programTokens(text);
  const differs = source.findIndex((t, i) => back[i]?.kind !== t.kind || back[i]?.value !== t.value);
  if (differs >= 0 || back.length !== source.length) {
    const index = differs >= 0 ? differs : Math.min(source.length, back.length);
    const expected = source[index];
    const found = back[index];
    return { offset: expected?.start ?? code.length, detail: `expected ${expected === undefined ? 'the end' : JSON.stringify(expected.text)}, read ${found === undefined ? 'the end' : JSON.stringify(found.text)}` };
  }
  try {
    if (shape(code) === shape(text)) return undefined;
  } catch (error) {
    return { offset: 0, detail: `it does not parse (${(error as Error).message})` };
  }
  return { offset: 0, detail: 'same tokens, different statements' };
}

/**
 * Pretokenises the JavaScript `code` (ASCII; a minified Espruino image) into the byte string
 * that goes to Storage. Throws a BuildError with the line and column for a character of 128 or
 * more, or when the output would not read back as the same program.
 */
export function pretokenise(code: string, options: PretokeniseOptions): string {
  checkAscii(code, options.file);
  const tokens = programTokens(code);
  // The IDE keeps line breaks at the top level only; where a dropped one ended a statement
  // (automatic semicolon insertion), every line break is kept instead.
  const compact = write(code, tokens, options.strings, 'top-level');
  if (readBackProblem(code, compact) === undefined) return compact;
  const stored = write(code, tokens, options.strings, 'all');
  const problem = readBackProblem(code, stored);
  if (problem === undefined) return stored;
  const location = locate(code, problem.offset, options.file);
  throw new BuildError('pretokenise', location, at(location, `the pretokenised image reads back as a different program: ${problem.detail}`),
    'the pretokeniser missed a case: set the profile\'s "firmware" before 2v20.48 to rule out raw strings, and report the input');
}

function write(code: string, tokens: ProgramToken[], strings: boolean, lines: 'top-level' | 'all'): string {
  let out = '';
  let depth = 0;
  let lastEnd = 0;
  let previous: ProgramToken | undefined;
  let previousWasByte = false;
  for (const token of tokens) {
    if (OPENING.has(token.text)) depth++;
    if ((depth === 0 || lines === 'all') && code.slice(lastEnd, token.start).includes('\n')) out += '\n';
    if (CLOSING.has(token.text)) depth--;
    lastEnd = token.end;
    const raw = strings && token.kind === 'string' ? rawString(token.value as string) : undefined;
    const byte = (token.kind === 'word' || token.kind === 'punctuation') && !KEPT_AS_WORD.has(token.text) ? tokenCode(token.text) : undefined;
    if (raw !== undefined) out += raw;
    else if (byte !== undefined) out += String.fromCharCode(byte);
    else {
      if (previous !== undefined && !previousWasByte && joins(previous, token)) out += ' ';
      out += token.text;
    }
    previousWasByte = raw !== undefined || byte !== undefined;
    previous = token;
  }
  return out;
}
