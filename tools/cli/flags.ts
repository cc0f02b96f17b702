// The flag check the dispatcher runs before a part sees its arguments: a misspelt flag, a switch
// given a value, a value flag given none, or a stray argument is refused by name with the nearest
// known flag as a hint. The part then parses the same arguments for their values.
import type { CommandSpec, FlagSpec } from './commands.ts';
import { CliError } from './errors.ts';
import { nearest } from './suggest.ts';

/** `--help` and `-h` are understood by every command and subcommand. */
export const HELP_FLAGS: readonly string[] = ['--help', '-h'];

/** The command line of `spec` (`micromine node verify`). */
export const commandLine = (path: readonly CommandSpec[]): string => ['micromine', ...path.map((c) => c.name)].join(' ');

/** The flags a value may be confused with, for hints. */
const names = (flags: readonly FlagSpec[]): string[] => [...flags.map((f) => f.name), '--help'];

/**
 * Checks `args` against the flags of the command at the end of `path`. Throws a usage
 * {@link CliError} naming the first problem; returns normally when every flag is known, has a
 * value exactly when it takes one, and positionals appear only where the command takes them.
 */
export function checkFlags(path: readonly CommandSpec[], args: readonly string[]): void {
  const spec = path[path.length - 1]!;
  const where = commandLine(path);
  const help = `"${where} --help" lists them`;
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (HELP_FLAGS.includes(arg)) continue;
    if (arg === '--') throw new CliError('usage', `"--" is not understood by ${where}`, 'give file names directly');
    if (!arg.startsWith('-') || arg === '-') {
      if (spec.positionals !== undefined) continue;
      const sub = spec.subcommands?.map((s) => s.name) ?? [];
      const guess = nearest(arg, sub);
      throw new CliError('usage', `unexpected argument "${arg}" for ${where}`,
        guess !== undefined ? `did you mean "${where} ${guess}"?` : sub.length > 0 ? `its subcommands are ${sub.join(', ')}; flags start with --` : `${where} takes only flags: ${help}`);
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const flag = spec.flags.find((f) => f.name === name);
    if (flag === undefined) {
      const guess = nearest(name, names(spec.flags));
      throw new CliError('usage', `unknown flag ${name} for ${where}`, guess !== undefined ? `did you mean ${guess}? ${help}` : `${help}`);
    }
    if (seen.has(flag.name) && flag.repeat !== true) throw new CliError('usage', `${flag.name} given twice to ${where}`, 'give it once');
    seen.add(flag.name);
    if (flag.value === undefined) {
      if (name !== arg) throw new CliError('usage', `${flag.name} is a switch and takes no value (got "${arg}")`, `write ${flag.name} alone`);
      continue;
    }
    if (name !== arg) {
      if (arg.length === eq + 1) throw new CliError('usage', `${flag.name} needs a value: ${flag.name} ${flag.value}`, flag.help);
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || (value.startsWith('--') && value.length > 2)) {
      throw new CliError('usage', `${flag.name} needs a value: ${flag.name} ${flag.value}`, flag.help);
    }
    i++;
  }
}
