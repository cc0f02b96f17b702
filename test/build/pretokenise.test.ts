// The pretokeniser and the detokeniser (tools/build/pretokenise.ts, espruino-tokens.ts): a round
// trip gives the same program token for token, the bytes equal the Espruino IDE's own
// pretokeniser (node_modules/espruino) for the same input, and bad input is named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, BuildError } from '../../tools/build/index.ts';
import {
  FIRST_TOKEN, NULLISH, RAW_INT0, RAW_INT16, RAW_INT8, RAW_STRING16, RAW_STRING8, TOKENS, detokenise, rawStringsFor, tokenCode,
} from '../../tools/build/espruino-tokens.ts';
import { pretokenise, programTokens } from '../../tools/build/pretokenise.ts';
import { idePretokeniser } from './ide-pretokeniser.ts';

const FIXTURE = readFileSync(join(import.meta.dirname, 'fixtures', 'every-token.js'), 'latin1');
const scratch = mkdtempSync(join(tmpdir(), 'micromine-pretokenise-'));
const images = new Map<string, string>();

test.before(async () => {
  const targets = ['espruino-esp32', 'espruino-esp32c3'];
  await build({ targets, outDir: scratch, typecheck: false });
  for (const target of targets) images.set(target, readFileSync(join(scratch, target, 'micromine.js'), 'latin1'));
});
test.after(() => rmSync(scratch, { recursive: true, force: true }));

/** The program as the tests compare it: each token's kind and value (a string by its meaning). */
const meaning = (code: string) => programTokens(code).map((t) => `${t.kind} ${JSON.stringify(t.value)}`);

const inputs = (): [string, string][] => [...images, ['every-token.js', FIXTURE]];

test('pretokenise then detokenise gives the same program, token for token, for both images and the fixture', () => {
  for (const [name, code] of inputs()) {
    for (const strings of [false, true]) {
      const stored = pretokenise(code, { strings, file: name });
      assert.ok(stored.length < code.length, `${name}: smaller`);
      assert.equal(meaning(detokenise(stored)), meaning(code), `${name} (strings ${strings})`);
    }
  }
});

test('the bytes equal the Espruino IDE\'s pretokeniser for the same input, before and after raw strings', () => {
  for (const [version, strings] of [['2v19', false], ['2v20.48', true], ['2v21', true]] as const) {
    const ide = idePretokeniser(version);
    for (const [name, code] of inputs()) {
      const ours = pretokenise(code, { strings, file: name });
      assert.ok(ours === ide(code), `${name} on ${version}: ${ours.length} bytes, the IDE's ${ide(code).length}`);
    }
  }
});

test('the fixture uses every token of the table; catch stays a word, as in the IDE', () => {
  const stored = pretokenise(FIXTURE, { strings: true, file: 'every-token.js' });
  const catchCode = tokenCode('catch')!;
  for (let code = FIRST_TOKEN; code < FIRST_TOKEN + TOKENS.length; code++) {
    const present = stored.includes(String.fromCharCode(code));
    assert.is(present, code !== catchCode, `${TOKENS[code - FIRST_TOKEN]} (${code})`);
  }
  assert.ok(stored.includes('catch('), 'catch written as a word');
  assert.ok(stored.includes(String.fromCharCode(RAW_STRING8, 6) + 'single'), 'a short string as a raw string');
  assert.ok(stored.includes(String.fromCharCode(RAW_STRING16, 1, 1) + '0123'), 'a 257-byte string with a 2-byte length (257 = 0x0101)');
  assert.ok(stored.includes(String.fromCharCode(RAW_STRING8, 15) + 'no substitution'), 'a template without substitutions is a string');
  assert.ok(stored.includes("`a ${a + `b ${b}`} c`"), "a template with substitutions stays text, as written");
  assert.ok(stored.includes('"\\u20ac is kept as text"'), 'a string with a character over 255 stays text');
  const without = pretokenise(FIXTURE, { strings: false, file: 'every-token.js' });
  assert.not.ok(without.includes(String.fromCharCode(RAW_STRING8)) || without.includes(String.fromCharCode(RAW_STRING16)), 'no raw strings before 2v20.48');
});

test('the detokeniser reads what the lexer reads: ??, raw integers, raw strings, and tokens that would join', () => {
  const byte = (text: string) => String.fromCharCode(tokenCode(text)!);
  const stored = `x=a${String.fromCharCode(NULLISH)}b;y=[${String.fromCharCode(RAW_INT0)},${String.fromCharCode(RAW_INT8, 0xfb)},${String.fromCharCode(RAW_INT16, 0x2c, 0x01)},`
    + `${String.fromCharCode(RAW_INT16, 0xd4, 0xfe)}];z=a+${byte('++')}b;${byte('return')} ${String.fromCharCode(RAW_STRING8, 3)}q"\xff`;
  assert.is(detokenise(stored), 'x=a??b;y=[0,(-5),300,(-300)];z=a+ ++b;return "q\\"\\xff"');
  assert.is(detokenise(`${byte('typeof')}a${byte('in')}b`), 'typeof a in b');
});

test('a source the IDE would break is kept correct: operators that would join, a line break that ends a statement', () => {
  const ide = idePretokeniser('2v21');
  const joined = 'var x=a+ +b,y=a- -b;';
  assert.not.equal(meaning(detokenise(ide(joined))), meaning(joined), 'the IDE writes a++b');
  assert.equal(meaning(detokenise(pretokenise(joined, { strings: true, file: 'joined.js' }))), meaning(joined));
  const asi = 'function f(){var a=1\nvar b=2\nreturn a+b}';
  const stored = pretokenise(asi, { strings: true, file: 'asi.js' });
  assert.ok(stored.includes('\n'), 'line breaks kept inside the function');
  assert.equal(meaning(detokenise(stored)), meaning(asi));
});

test('the firmware version decides raw strings: 2v20.48 and later', () => {
  assert.equal(['2v20', '2v20.47', '2v20.48', '2v21', '2v25.10', '3v0'].map(rawStringsFor), [false, false, true, true, true, true]);
});

test('a byte of 128 or more in the source is refused with its line and column', () => {
  try {
    pretokenise('var a=1;\nvar s="caf\xe9";', { strings: true, file: 'dist/espruino-esp32/micromine.js' });
    assert.unreachable('no error');
  } catch (error) {
    assert.instance(error, BuildError);
    const built = error as BuildError;
    assert.is(built.code, 'pretokenise');
    assert.equal(built.location, { file: 'dist/espruino-esp32/micromine.js', line: 2, column: 11 });
    assert.match(built.message, /^dist\/espruino-esp32\/micromine\.js:2:11: character U\+00E9 \(byte >= 128\) cannot be pretokenised/);
    assert.match(built.hint, /emit ASCII only/);
  }
});

test('a stored file the lexer could not read is refused with the offset', () => {
  assert.throws(() => detokenise('a=' + String.fromCharCode(130)), (e: Error) => e instanceof RangeError && /byte 130 at offset 2 is no Espruino token/.test(e.message));
  assert.throws(() => detokenise('a=' + String.fromCharCode(RAW_STRING8, 9) + 'abc'), (e: Error) => e instanceof RangeError && /a raw string of 9 bytes at byte 4 needs 9 more bytes, the file ends after 3/.test(e.message));
  assert.throws(() => detokenise(String.fromCharCode(RAW_INT16, 1)), /a raw integer at byte 1 needs 2 more bytes/);
  assert.throws(() => detokenise('a="\u20ac"'), /character 8364 at byte 3 is not a byte/);
});

test.run();
