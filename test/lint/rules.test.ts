// Each fixture ends with `// expect: <rule> <line>:<column>` lines; the lint must report exactly
// those findings (right rule, right place, nothing else).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { espruinoRules, lintCode, LintError, xsRules } from '../../tools/lint/index.ts';
import type { Runtime } from '../../tools/lint/index.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

function expected(code: string): string[] {
  return [...code.matchAll(/^\/\/ expect: (\S+) (\d+:\d+)$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
}

function check(runtime: Runtime, rules: Record<string, unknown>): void {
  const dir = join(fixtures, runtime);
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  test(`${runtime}: every rule has a fixture`, () => {
    assert.equal(files.map((f) => f.slice(0, -3)).sort(), Object.keys(rules).sort());
  });
  for (const file of files) {
    test(`${runtime}: ${file} is caught with the right rule and location`, () => {
      const code = readFileSync(join(dir, file), 'utf8');
      const want = expected(code);
      assert.ok(want.length > 0, 'fixture declares its findings');
      for (const line of want) assert.is(line.split(' ')[0], file.slice(0, -3), 'a fixture only holds its own rule');
      const findings = lintCode(code, { runtime, file });
      assert.equal(findings.map((f) => `${f.rule} ${f.emitted.line}:${f.emitted.column}`).sort(), want);
      for (const finding of findings) {
        assert.is(finding.emitted.file, file);
        assert.ok(finding.message.length > 10 && finding.hint.length > 10, `${finding.feature} has a message and a hint`);
        assert.is(finding.source, undefined, 'no source map, no source position');
      }
    });
  }
}

check('espruino', espruinoRules);
check('xs', xsRules);

test('code Espruino runs passes clean', () => {
  assert.equal(lintCode(readFileSync(join(fixtures, 'clean-espruino.js'), 'utf8'), { runtime: 'espruino', file: 'clean-espruino.js' }), []);
});

test('modern code with Moddable modules passes clean for XS but not for Espruino', () => {
  const code = readFileSync(join(fixtures, 'clean-xs.js'), 'utf8');
  assert.equal(lintCode(code, { runtime: 'xs', file: 'clean-xs.js' }), []);
  const rules = new Set(lintCode(code, { runtime: 'espruino', file: 'clean-xs.js' }).map((f) => f.rule));
  for (const rule of ['modules', 'bigint', 'exponent', 'private-members', 'async-await', 'destructuring', 'spread-rest', 'default-parameters', 'nullish-coalescing', 'optional-chaining', 'missing-global', 'missing-static']) {
    assert.ok(rules.has(rule), `espruino flags ${rule}`);
  }
});

test('globals the host provides are not reported', () => {
  const code = 'setTimeout(run, 1); var list = Array.from(x); var m = new Map();';
  assert.equal(lintCode(code, { runtime: 'xs', file: 'a.js', globals: ['setTimeout'] }), []);
  assert.equal(lintCode(code, { runtime: 'espruino', file: 'a.js', globals: ['Array.from', 'Map'] }), []);
});

test('the finding text names the API and its replacement', () => {
  const [finding] = lintCode('var b = new TextEncoder();', { runtime: 'espruino', file: 'a.js' });
  assert.is(finding!.message, 'Espruino has no global TextEncoder');
  assert.match(finding!.hint, /charCodeAt/);
  const [timer] = lintCode('setInterval(f, 5);', { runtime: 'xs', file: 'b.js' });
  assert.match(timer!.hint, /import Timer from "timer"/);
});

function lintError(run: () => unknown, code: string, message: RegExp): LintError {
  try { run(); } catch (error) {
    assert.instance(error, LintError);
    assert.is((error as LintError).code, code);
    assert.match((error as LintError).message, message);
    return error as LintError;
  }
  throw new Error(`expected a ${code} error`);
}

test('bad options are rejected by name', () => {
  lintError(() => lintCode('1', { runtime: 'espruino', file: 'a.js', target: 'x' } as never), 'unknown-option', /unknown option "target"/);
  lintError(() => lintCode('1', { runtime: 'node' as Runtime, file: 'a.js' }), 'bad-option', /"runtime" expected "espruino" \| "xs", got "node"/);
  lintError(() => lintCode('1', { runtime: 'xs', file: '' }), 'bad-option', /"file"/);
  lintError(() => lintCode('1', { runtime: 'xs', file: 'a.js', globals: 'Map' as never }), 'bad-option', /"globals"/);
});

test('unparsable code is an input error with its location', () => {
  const error = lintError(() => lintCode('var a = 1;\nvar b = ;', { runtime: 'espruino', file: 'broken.js' }), 'parse-error', /^broken\.js:2:9: cannot parse: Unexpected token/);
  assert.equal([error.location?.line, error.location?.column], [2, 9]);
});

test('sloppy scripts parse too', () => {
  const findings = lintCode('with (o) { x = 010; }\nvar m = new Map();', { runtime: 'espruino', file: 'old.js' });
  assert.equal(findings.map((f) => f.feature), ['Map']);
});

test.run();
