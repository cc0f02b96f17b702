// Reading the values of flags for the commands the CLI itself owns (start, report, bench). The
// dispatcher has already refused unknown flags by name (flags.ts); this turns the arguments into
// values and checks each value, naming the flag.
import type { FlagSpec } from './commands.ts';
import { CliError } from './errors.ts';
import { checkFlags } from './flags.ts';

/** Flag values by name without the dashes: a string, a list for repeatable flags, true for a switch. */
export type FlagValues = Record<string, string | string[] | true>;

/** Parses `args` by `flags` (checking them again, so the function stands alone); throws a usage CliError. */
export function readFlags(command: string, flags: readonly FlagSpec[], args: readonly string[]): FlagValues {
  checkFlags([{ name: command, summary: '', synopsis: '', flags, examples: [] }], args);
  const values: FlagValues = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = flags.find((f) => f.name === name)!;
    const key = flag.name.slice(2);
    if (flag.value === undefined) {
      values[key] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i]!;
    if (flag.repeat === true) values[key] = [...((values[key] as string[] | undefined) ?? []), value];
    else values[key] = value;
  }
  return values;
}

/** The integer value of `--name` within [min, max], or `fallback` when absent. */
export function integerFlag(values: FlagValues, name: string, fallback: number, min: number, max: number): number {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,9})$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new CliError('usage', `--${name} expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, `e.g. --${name} ${Math.max(min, Math.min(max, fallback))}`);
  }
  return Number(value);
}

/** The string value of `--name`, or `fallback`. */
export function stringFlag(values: FlagValues, name: string, fallback: string): string {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw new CliError('usage', `--${name} expected a value`, `e.g. --${name} ${fallback}`);
  return value;
}

/** The values of a repeatable `--name` (empty when absent). */
export function listFlag(values: FlagValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : [];
}
