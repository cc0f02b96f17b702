// JSON.parse in Node 20 does not say where a syntax error is, so on failure a small strict scanner
// walks the text to find the first offending character and reports its line and column.
import { ManifestError } from './errors.ts';

/** Parses `text` as JSON; a syntax error becomes a `bad-json` ManifestError with line and column. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = firstSyntaxError(text);
    const { line, column } = lineColumn(text, offset);
    const found = offset < text.length ? JSON.stringify(text[offset]) : 'end of file';
    throw new ManifestError('bad-json', { file, line, column }, `invalid JSON: unexpected ${found}`, 'fix the JSON syntax at that position (no comments, no trailing commas, double-quoted keys)');
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Offset of the first character that makes `text` invalid JSON (text.length if it ends too early). */
export function firstSyntaxError(text: string): number {
  let at = 0;
  const fail = (): never => { throw at; };
  const space = (): void => { while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++; };
  const expect = (word: string): void => {
    for (const char of word) if (text[at++] !== char) { at--; fail(); }
  };
  const string = (): void => {
    at++;
    while (at < text.length && text[at] !== '"') {
      const char = text[at]!;
      if (char < ' ') fail();
      if (char === '\\') {
        at++;
        if (text[at] === 'u') {
          for (let i = 1; i <= 4; i++) if (!/[0-9a-fA-F]/.test(text[at + i] ?? '')) { at += i; fail(); }
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) fail();
      }
      at++;
    }
    if (at >= text.length) fail();
    at++;
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || match[0] === '-') fail();
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at++; space();
      if (text[at] === '}') { at++; return; }
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        string(); space();
        expect(':');
        value(); space();
        if (text[at] === ',') { at++; continue; }
        expect('}');
        return;
      }
    }
    if (char === '[') {
      at++; space();
      if (text[at] === ']') { at++; return; }
      for (;;) {
        value(); space();
        if (text[at] === ',') { at++; continue; }
        expect(']');
        return;
      }
    }
    if (char === '"') return string();
    if (char === 't') return expect('true');
    if (char === 'f') return expect('false');
    if (char === 'n') return expect('null');
    number();
  };
  try {
    value();
    space();
    return at < text.length ? at : text.length;
  } catch (offset) {
    return Math.min(offset as number, text.length);
  }
}
