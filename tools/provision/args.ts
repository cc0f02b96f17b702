/**
 * Command-line option parsing shared by `micromine provision` and `micromine flash`, on Node's
 * `util.parseArgs` in strict mode: unknown options and stray positionals are refused by name.
 * @module
 */
import { parseArgs } from 'node:util';
import { ToolError } from './errors.ts';

/** Option declarations: each long name is a string-valued or a boolean flag. */
export type OptionSpec = Readonly<Record<string, 'string' | 'boolean'>>;

/** Parsed values: strings for string options, booleans for flags; absent options are undefined. */
export type OptionValues<S extends OptionSpec> = {
  [K in keyof S]?: S[K] extends 'string' ? string : boolean;
};

/** Parses `args` against `spec`; throws a `usage` ToolError naming the offending argument. */
export function parseOptions<S extends OptionSpec>(command: string, args: readonly string[], spec: S): OptionValues<S> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of Object.keys(spec)) options[name] = { type: spec[name] };
  const known = Object.keys(spec).map((name) => '--' + name).join(', ');
  try {
    const parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
    return parsed.values as OptionValues<S>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const quoted = /'([^']+)'/.exec((error as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new ToolError('usage', `unknown option "${quoted}" for ${command}`, { where: quoted, hint: `known options: ${known}` });
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new ToolError('usage', `unexpected argument "${quoted}" for ${command}`, { where: quoted, hint: `${command} takes only options: ${known}` });
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = quoted.split(' ')[0];
      throw new ToolError('usage', `option ${name} needs a value`, { where: name, hint: `write ${name} <value> or ${name}=<value>` });
    }
    throw error;
  }
}

/** The value of a required string option, or a `usage` error naming it. */
export function required(command: string, name: string, value: string | undefined, hint: string): string {
  if (value === undefined || value === '') throw new ToolError('usage', `${command} needs --${name}`, { where: '--' + name, hint });
  return value;
}
