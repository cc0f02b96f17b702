// The micromine executable as a user runs it: help, examples, errors naming the wrong command or
// flag with the nearest known one, and the documented exit codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../tools/cli/commands.ts';
import { EXIT } from '../../tools/cli/errors.ts';
import { nearest } from '../../tools/cli/suggest.ts';
import { colorAllowed, memoryTerminal, paint, progress } from '../../tools/cli/terminal.ts';

const BIN = fileURLToPath(new URL('../../tools/cli/bin.js', import.meta.url));

/** Runs the real bin as a user would (no terminal, NO_COLOR unset). */
function micromine(...args: string[]): { code: number; out: string; err: string } {
  const env = { ...process.env };
  delete env.NO_COLOR;
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: run.status ?? -1, out: run.stdout, err: run.stderr };
}

test('--help lists every command and the exit codes; no command at all is a usage error', () => {
  const help = micromine('--help');
  assert.is(help.code, EXIT.ok);
  for (const command of COMMANDS) assert.match(help.out, new RegExp(`^  ${command.name} +\\S`, 'm'));
  assert.match(help.out, /exit codes:[\s\S]*2 +usage or input error/);
  assert.not.match(help.out, /\u001b\[/, 'no colour when stdout is not a terminal');
  const bare = micromine();
  assert.is(bare.code, EXIT.usage);
  assert.match(bare.err, /usage: micromine <command>/);
});

test('each command\'s --help has its flags and a real example', () => {
  for (const command of COMMANDS) {
    const help = micromine(command.name, '--help');
    assert.is(help.code, EXIT.ok, command.name);
    assert.match(help.out, new RegExp(`^usage: micromine ${command.name}`, 'm'));
    assert.match(help.out, /examples:\n {2}(micromine|npm) /);
    for (const flag of command.flags) assert.ok(help.out.includes(flag.name), `${command.name} --help shows ${flag.name}`);
  }
  const sub = micromine('help', 'node', 'verify');
  assert.is(sub.code, EXIT.ok);
  assert.match(sub.out, /usage: micromine node verify \[--data DIR\] \[--json\]/);
});

test('an unknown command is refused by name with the nearest one', () => {
  const run = micromine('biuld', '--check');
  assert.is(run.code, EXIT.usage);
  assert.equal(run.err.split('\n').slice(0, 2), ['error: unknown command "biuld"', 'hint: did you mean "micromine build"? "micromine --help" lists the commands']);
  assert.is(run.out, '');
});

test('an unknown flag is refused by name before any work, with the nearest flag', () => {
  const run = micromine('report', '--chek');
  assert.is(run.code, EXIT.usage);
  assert.match(run.err, /^error: unknown flag --chek for micromine report\nhint: did you mean --check\?/);
  const prefix = micromine('report', '--update');
  assert.match(prefix.err, /did you mean --update-baseline\?/);
  const far = micromine('build', '--frobnicate');
  assert.match(far.err, /^error: unknown flag --frobnicate for micromine build\nhint: "micromine build --help" lists them/);
});

test('values: a switch given one, a flag without one, a repeated single flag', () => {
  assert.match(micromine('build', '--check=yes').err, /--check is a switch and takes no value/);
  assert.match(micromine('start', '--blocks').err, /--blocks needs a value: --blocks N/);
  assert.match(micromine('start', '--data', 'a', '--data', 'b').err, /--data given twice/);
  const range = micromine('start', '--blocks', '0', '--data', '/nonexistent/never-created');
  assert.is(range.code, EXIT.usage);
  assert.match(range.err, /--blocks expected an integer from 1 to 100, got "0"/);
});

test('subcommands: missing, misspelt, and a stray argument', () => {
  const none = micromine('wallet');
  assert.is(none.code, EXIT.usage);
  assert.match(none.err, /micromine wallet needs a subcommand: new, address, balance, transfer/);
  assert.match(micromine('wallet', 'tranfser').err, /did you mean "micromine wallet transfer"\?/);
  assert.match(micromine('node', 'verfy').err, /unexpected argument "verfy" for micromine node\nhint: did you mean "micromine node verify"\?/);
  assert.match(micromine('wallet', 'balance', '--node', 'http://x').err, /unknown flag --node for micromine wallet balance\nhint: did you mean --node-http\?/);
});

test('a part\'s own refusal keeps its exit code: lint without files is a usage error', () => {
  const run = micromine('lint', '--runtime', 'xs');
  assert.is(run.code, EXIT.usage);
  assert.match(run.err, /no FILE given/);
});

test('--version prints the package version', () => {
  const run = micromine('--version');
  assert.is(run.code, EXIT.ok);
  assert.match(run.out, /^micromine \d+\.\d+\.\d+\n$/);
});

test('nearest: typos, transpositions and prefixes; nothing for a far name', () => {
  assert.is(nearest('--jsno', ['--json', '--check']), '--json');
  assert.is(nearest('biuld', ['build', 'bench']), 'build');
  assert.is(nearest('--update', ['--update-baseline', '--out']), '--update-baseline');
  assert.is(nearest('xyz', ['build', 'bench']), undefined);
});

test('colour: only on a terminal and never with NO_COLOR set (empty NO_COLOR does not count)', () => {
  assert.is(colorAllowed({}, true), true);
  assert.is(colorAllowed({ NO_COLOR: '1' }, true), false);
  assert.is(colorAllowed({ NO_COLOR: '' }, true), true);
  assert.is(colorAllowed({}, false), false);
  assert.is(paint({ color: false }, 'red', 'x'), 'x');
  assert.is(paint({ color: true }, 'red', 'x'), '\u001b[31mx\u001b[39m');
});

test('progress: plain lines when not on a terminal, one per step and a few within a long step', () => {
  const terminal = memoryTerminal();
  let now = 0;
  const bar = progress(terminal, 'job', 3, 1_000, () => now);
  bar.update(0, 'first');
  bar.update(0, 'first, still');
  now = 1_500;
  bar.update(0, 'first, later');
  bar.update(1, 'second');
  bar.finish('done');
  assert.equal(terminal.stderr.split('\n'), ['job: [0/3] first', 'job: [0/3] first, later', 'job: [1/3] second', 'job: [3/3] done', '']);
  assert.throws(() => progress(terminal, 'x', 0), /"total" expected a positive integer, got 0/);
});

test.run();
