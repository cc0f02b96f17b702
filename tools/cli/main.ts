// The `micromine` dispatcher: finds the command (and subcommand), answers --help from the command
// table, refuses unknown commands and flags by name with the nearest known one, then hands the
// arguments after the command's name to the part that owns it (each part's `main(args)`).
import { readFileSync } from 'node:fs';
import { COMMANDS, type CommandSpec } from './commands.ts';
import { CliError, EXIT } from './errors.ts';
import { HELP_FLAGS, checkFlags, commandLine } from './flags.ts';
import { commandHelp, topHelp } from './help.ts';
import { nearest } from './suggest.ts';
import { paint, processTerminal, type Terminal } from './terminal.ts';

const version = (): string => JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** Prints `error` as the CLI's one line and a hint; returns its exit code. */
export function reportError(error: unknown, terminal: Terminal): number {
  if (error instanceof CliError) {
    terminal.err(`${paint(terminal, 'red', 'error:')} ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  terminal.err(`${paint(terminal, 'red', 'error:')} internal error, please report it with this text:\n${text}\n`);
  return EXIT.failed;
}

function findCommand(name: string): CommandSpec {
  const spec = COMMANDS.find((c) => c.name === name);
  if (spec !== undefined) return spec;
  const known = COMMANDS.map((c) => c.name);
  const guess = nearest(name, known);
  throw new CliError('usage', `unknown command "${name}"`, guess !== undefined ? `did you mean "micromine ${guess}"? "micromine --help" lists the commands` : `the commands are ${known.join(', ')}`);
}

/** The command and subcommand `args` name, and the arguments after the subcommand. */
function resolve(args: readonly string[]): { path: CommandSpec[]; rest: string[] } {
  const command = findCommand(args[0]!);
  const path = [command];
  let rest = args.slice(1);
  const first = rest[0];
  const subcommands = command.subcommands ?? [];
  const sub = subcommands.find((s) => s.name === first);
  if (sub !== undefined) {
    path.push(sub);
    rest = rest.slice(1);
  } else if (subcommands.length > 0 && command.defaultRun !== true && !rest.some((a) => HELP_FLAGS.includes(a))) {
    const names = subcommands.map((s) => s.name);
    if (first === undefined || first.startsWith('-')) throw new CliError('usage', `${commandLine(path)} needs a subcommand: ${names.join(', ')}`, `"${commandLine(path)} --help" describes them`);
    const guess = nearest(first, names);
    throw new CliError('usage', `unknown subcommand "${first}" for ${commandLine(path)}`, guess !== undefined ? `did you mean "${commandLine(path)} ${guess}"?` : `its subcommands are ${names.join(', ')}`);
  }
  return { path, rest };
}

/** Runs `micromine` with `args` (without the program name); resolves to the exit code. */
export async function run(args: readonly string[], terminal: Terminal = processTerminal()): Promise<number> {
  try {
    const first = args[0];
    if (first === undefined) {
      terminal.err(topHelp(terminal));
      return EXIT.usage;
    }
    if (HELP_FLAGS.includes(first)) {
      terminal.out(topHelp(terminal));
      return EXIT.ok;
    }
    if (first === '--version' || first === '-v') {
      terminal.out(`micromine ${version()}\n`);
      return EXIT.ok;
    }
    if (first === 'help') {
      if (args.length === 1) terminal.out(topHelp(terminal));
      else terminal.out(commandHelp(resolve(args.slice(1)).path, terminal));
      return EXIT.ok;
    }
    if (first.startsWith('-')) {
      const guess = nearest(first, ['--help', '--version']);
      throw new CliError('usage', `unknown flag ${first} before the command`, guess !== undefined ? `did you mean ${guess}?` : 'write "micromine <command> [flags]"; "micromine --help" lists the commands');
    }
    const { path, rest } = resolve(args);
    if (rest.some((a) => HELP_FLAGS.includes(a)) || (path.length === 1 && args.length > 1 && HELP_FLAGS.includes(args[1]!))) {
      terminal.out(commandHelp(path, terminal));
      return EXIT.ok;
    }
    checkFlags(path, rest);
    return await path[0]!.run!(args.slice(1), terminal);
  } catch (error) {
    return reportError(error, terminal);
  }
}
