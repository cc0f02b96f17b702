// `micromine build [--target T]… [--json] [--check] [--tcp ecma-419|socket] [--debug]`: exit 0 when the
// images are built (and, with --check, within budget), 1 for a build error or an overrun, 2 for
// a usage or input error (unknown target, bad manifest), 3 when dist/ cannot be written. The unified CLI dispatcher calls main with the arguments after `build`.
import { build } from './build.ts';
import { BuildError } from './errors.ts';
import type { BuildOptions } from './options.ts';
import { describeOverrun } from './report.ts';

/** Where main writes; defaults to the process streams. */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processOutput: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

const usage = 'usage: micromine build [--target T]… [--json] [--check] [--tcp ecma-419|socket] [--debug]\n' +
  '  no --target builds every target in manifests/profiles; --check fails when an image exceeds its budget;\n' +
  '  --debug keeps the device\'s debug logs'

/** The build options the arguments ask for, or the usage problem. */
function parse(args: readonly string[]): BuildOptions | string {
  const options: BuildOptions & { targets: string[] } = { targets: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = (): string | undefined => (eq < 0 ? args[++i] : arg.slice(eq + 1));
    if (name === '--target') {
      const target = value();
      if (target === undefined || target === '' || target.startsWith('-')) return '--target needs a target name';
      options.targets.push(target);
    } else if (name === '--tcp') {
      const tcp = value();
      if (tcp !== 'ecma-419' && tcp !== 'socket') return `--tcp expected ecma-419 or socket, got ${tcp ?? 'nothing'}`;
      options.tcp = tcp;
    } else if (name === '--json' && eq < 0) options.json = true;
    else if (name === '--check' && eq < 0) options.check = true;
    else if (name === '--debug' && eq < 0) options.debug = true;
    else if (name.startsWith('-')) return `unknown flag ${name}`;
    else return `unexpected argument ${arg} (targets are given with --target)`;
  }
  return options;
}

/** The exit code of a build error: input errors are 2, an unwritable output 3, the rest 1 (docs/cli.md). */
function exitCodeOf(error: BuildError): number {
  if (error.code === 'unknown-target' || error.code === 'manifest' || error.code === 'bad-option' || error.code === 'unknown-option') return 2;
  return error.code === 'io' ? 3 : 1;
}

/** Runs the build command; resolves to the exit code. */
export async function main(args: string[], output: Output = processOutput): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    output.out(usage + '\n');
    return 0;
  }
  const options = parse(args);
  if (typeof options === 'string') {
    output.err(`micromine build: ${options}\n${usage}\n`);
    return 2;
  }
  try {
    const report = await build(options);
    output.out(report.text);
    if (!report.ok) for (const o of report.overruns) output.err(`micromine build: over budget: ${describeOverrun(o)}\n`);
    return report.ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    if (options.json) output.out(JSON.stringify({ ok: false, error: { code: error.code, message: error.message, location: error.location, hint: error.hint } }, null, 2) + '\n');
    else output.err(`micromine build: error [${error.code}] ${error.message}\n  hint: ${error.hint}\n`);
    return exitCodeOf(error);
  }
}
