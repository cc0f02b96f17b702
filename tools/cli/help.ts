// Help text, generated from the command table so that help, the flag check and docs/cli.md can
// never disagree.
import { COMMANDS, type CommandSpec, type FlagSpec } from './commands.ts';
import { EXIT } from './errors.ts';
import { commandLine } from './flags.ts';
import { paint, type Terminal } from './terminal.ts';

const pad = (rows: [string, string][], indent = '  '): string[] => {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd());
};

/** The left column of a flag: `--target T` (repeatable flags say so on the right). */
export const flagColumn = (flag: FlagSpec): string => (flag.value === undefined ? flag.name : `${flag.name} ${flag.value}`);

/** What each common exit code means, one line each. */
export const EXIT_LINES: readonly [number, string][] = [
  [EXIT.ok, 'done, and every check passed'],
  [EXIT.failed, 'a check or the work failed (a finding, a figure over budget, a rejected transfer, an inconsistent chain)'],
  [EXIT.usage, 'usage or input error (unknown command or flag, bad value, missing or unreadable input, unknown profile)'],
  [EXIT.environment, 'the machine is not ready (port in use, data directory not ours or in use, engine or toolchain missing, node unreachable)'],
  [EXIT.interrupted, 'stopped by Ctrl-C'],
];

/** `micromine --help`. */
export function topHelp(terminal: Pick<Terminal, 'color'>): string {
  const bold = (text: string): string => paint(terminal, 'bold', text);
  return [
    `${bold('micromine')}: micro mining for ESP32-class appliances`,
    '',
    `${bold('usage:')} micromine <command> [flags]     (micromine <command> --help for its flags and examples)`,
    '',
    bold('commands:'),
    ...pad(COMMANDS.map((c) => [c.name, c.summary])),
    '',
    bold('examples:'),
    '  npm start                      the main job, under a minute (same as micromine start)',
    '  micromine build --check        build the images and fail on a byte budget overrun',
    '  micromine report --check       what CI runs after npm test',
    '',
    bold('exit codes:'),
    ...pad(EXIT_LINES.map(([code, text]) => [String(code), text])),
    '',
    'NO_COLOR=1 turns colour off; progress bars are drawn only when stdout is a terminal. Docs: docs/cli.md',
    '',
  ].join('\n');
}

/** `micromine <command> [<subcommand>] --help`. */
export function commandHelp(path: readonly CommandSpec[], terminal: Pick<Terminal, 'color'>): string {
  const spec = path[path.length - 1]!;
  const bold = (text: string): string => paint(terminal, 'bold', text);
  const lines = [`${bold(commandLine(path))}: ${spec.summary}`, '', `${bold('usage:')} micromine ${spec.synopsis}`];
  if (spec.positionals !== undefined) lines.push(`       ${spec.positionals}: the files to work on`);
  if (spec.subcommands !== undefined) {
    lines.push('', bold('subcommands:'), ...pad(spec.subcommands.map((s) => [s.name, s.summary])));
    lines.push(`  (${commandLine(path)} <subcommand> --help for its flags)`);
  }
  if (spec.flags.length > 0) {
    lines.push('', bold('flags:'), ...pad(spec.flags.map((f) => [flagColumn(f), f.help + (f.repeat ? ' (repeatable)' : '')])));
  }
  lines.push('', bold('examples:'));
  for (const example of spec.examples) lines.push(`  ${example.command}`, `      ${example.does}`);
  const exits = [...(spec.exits ?? []), ...(path.length > 1 ? path[0]!.exits ?? [] : [])];
  lines.push('', `${bold('exit codes:')} 0 ok, 1 failed, 2 usage or input error, 3 machine not ready, 130 interrupted`);
  for (const exit of exits) lines.push(`  ${exit}`);
  return lines.join('\n') + '\n';
}
