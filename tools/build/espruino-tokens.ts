/**
 * Espruino's token bytes, and the detokeniser. The numbering is a fact of the firmware's lexer
 * (the `LEX_TYPES` enum read by jslex.c): 128-137 are the lexer's own token kinds (identifier,
 * number, string...), then one byte per multi-character operator from 138, one per reserved
 * word from 163 (`if` ... `of`), `??` at 208 after ten spare codes, and five raw literals: a
 * string of at most 255 bytes (1-byte length) or 65,535 bytes (2-byte length, little-endian),
 * the integer 0, a signed 8-bit and a signed 16-bit integer. A byte of 128 or more outside a raw
 * literal's payload is read by the lexer as that token; the bytes of a raw literal are data.
 *
 * `detokenise` does what the lexer does with such a file and writes it back as plain JavaScript,
 * so an engine without Espruino's lexer (the simulator's XS) runs the program a board would.
 * @module
 */
import { isEspruinoAtLeast } from '../manifests/espruino-version.ts';

/** The first operator code (`==`); codes 128-137 are the lexer's own token kinds. */
export const FIRST_TOKEN = 138;

/** Operators (codes 138-162) then reserved words (163-198), in the firmware's order. */
export const TOKENS: readonly string[] = [
  '==', '===', '!=', '!==', '<=', '<<', '<<=', '>=', '>>', '>>>', '>>=', '>>>=', '+=', '-=', '++', '--',
  '*=', '/=', '%=', '&=', '&&', '|=', '||', '^=', '=>',
  'if', 'else', 'do', 'while', 'for', 'break', 'continue', 'function', 'return', 'var', 'let', 'const',
  'this', 'throw', 'try', 'catch', 'finally', 'true', 'false', 'null', 'undefined', 'new', 'in',
  'instanceof', 'switch', 'case', 'default', 'delete', 'typeof', 'void', 'debugger', 'class',
  'extends', 'super', 'static', 'of',
];

/** `??`: ten codes after the last reserved word (`of`, 198), the gap left for words the firmware may add. */
export const NULLISH = FIRST_TOKEN + TOKENS.length - 1 + 10;
/** Raw literals: a string with a 1-byte or 2-byte length, then 0, an int8 and an int16. */
export const RAW_STRING8 = NULLISH + 1;
export const RAW_STRING16 = NULLISH + 2;
export const RAW_INT0 = NULLISH + 3;
export const RAW_INT8 = NULLISH + 4;
export const RAW_INT16 = NULLISH + 5;

/** The first firmware whose lexer reads raw string tokens (a cutting-edge build before 2v21). */
export const RAW_STRINGS_SINCE = '2v20.48';

/** Whether images for Espruino `firmware` carry string literals as raw string tokens. */
export function rawStringsFor(firmware: string): boolean {
  return isEspruinoAtLeast(firmware, RAW_STRINGS_SINCE);
}

/** The code of an operator or reserved word, or undefined. */
export function tokenCode(text: string): number | undefined {
  const index = TOKENS.indexOf(text);
  return index < 0 ? undefined : FIRST_TOKEN + index;
}

const WORD = /[A-Za-z0-9_$]/;
const OPERATOR = /[=!<>+\-*/%&|^?.]/;

/** True when `before` then `after` written together would lex as one token where two were meant. */
function wouldJoin(before: string, after: string): boolean {
  return (WORD.test(before) && WORD.test(after)) || (OPERATOR.test(before) && OPERATOR.test(after));
}

/** A raw string's bytes as a JavaScript string literal: printable ASCII as is, the rest escaped. */
function stringLiteral(bytes: string): string {
  let out = '"';
  for (const char of bytes) {
    const code = char.charCodeAt(0);
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else out += `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}

function needBytes(stored: string, offset: number, count: number, what: string): void {
  if (offset + count > stored.length) {
    throw new RangeError(`stored image: ${what} at byte ${offset} needs ${count} more byte${count === 1 ? '' : 's'}, the file ends after ${stored.length - offset}`);
  }
}

/**
 * Reads a stored Espruino file (a byte string: one character per byte) as the firmware's lexer
 * does and returns the same program as plain ASCII JavaScript: token bytes become their text,
 * raw strings escaped string literals, raw integers decimals (a negative one in parentheses, the
 * single literal it is to the lexer). Spaces go only where two tokens would otherwise join.
 * Throws a RangeError naming the offset for a character over 255, a byte of 128 or more that is
 * no token, or a raw literal cut short. The text around the tokens must be ASCII, as the
 * pretokeniser guarantees (it refuses sources with bytes of 128 or more).
 */
export function detokenise(stored: string): string {
  let out = '';
  let afterToken = false;
  // Text that was text in the file keeps its own spacing; a space goes only next to a token's text.
  const emit = (text: string, fromToken = true) => {
    if ((fromToken || afterToken) && out.length > 0 && wouldJoin(out[out.length - 1]!, text[0]!)) out += ' ';
    out += text;
    afterToken = fromToken;
  };
  for (let i = 0; i < stored.length; i++) {
    const code = stored.charCodeAt(i);
    if (code < 128) {
      emit(stored[i]!, false);
      continue;
    }
    if (code > 255) throw new RangeError(`stored image: character ${code} at byte ${i} is not a byte (expected a byte string)`);
    if (code >= FIRST_TOKEN && code < FIRST_TOKEN + TOKENS.length) emit(TOKENS[code - FIRST_TOKEN]!);
    else if (code === NULLISH) emit('??');
    else if (code === RAW_STRING8 || code === RAW_STRING16) {
      const head = code === RAW_STRING8 ? 1 : 2;
      needBytes(stored, i + 1, head, 'a raw string length');
      const length = stored.charCodeAt(i + 1) | (head === 2 ? stored.charCodeAt(i + 2) << 8 : 0);
      needBytes(stored, i + 1 + head, length, `a raw string of ${length} bytes`);
      emit(stringLiteral(stored.slice(i + 1 + head, i + 1 + head + length)));
      i += head + length;
    } else if (code === RAW_INT0) emit('0');
    else if (code === RAW_INT8 || code === RAW_INT16) {
      const size = code === RAW_INT8 ? 1 : 2;
      needBytes(stored, i + 1, size, 'a raw integer');
      const unsigned = size === 1 ? stored.charCodeAt(i + 1) : stored.charCodeAt(i + 1) | (stored.charCodeAt(i + 2) << 8);
      const value = size === 1 ? (unsigned << 24) >> 24 : (unsigned << 16) >> 16;
      emit(value < 0 ? `(${value})` : String(value));
      i += size;
    } else {
      throw new RangeError(`stored image: byte ${code} at offset ${i} is no Espruino token (tokens are ${FIRST_TOKEN}-${FIRST_TOKEN + TOKENS.length - 1} and ${NULLISH}-${RAW_INT16})`);
    }
  }
  return out;
}
