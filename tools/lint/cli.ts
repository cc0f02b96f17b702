// `micromine lint --runtime espruino|xs [--json] FILE…`: exit 0 when clean, 1 with findings,
// 2 for a usage or input error. The unified CLI dispatcher calls main with the arguments after `lint`.
import { LintError } from './errors.ts';
import { lintFile } from './lint.ts';
import type { Finding, Runtime } from './types.ts';

/** Where main writes; defaults to the process streams. */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const usage = 'usage: micromine lint --runtime espruino|xs [--json] [--global NAME]… FILE…\n' +
  'example: micromine lint --runtime espruino dist/espruino-esp32/app.js';

const processOutput: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

interface Parsed {
  runtime: Runtime;
  json: boolean;
  globals: string[];
  files: string[];
}

function parse(args: readonly string[]): Parsed | string {
  let runtime: string | undefined;
  let json = false;
  const globals: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (name === '--runtime') runtime = value();
    else if (name === '--global') { const g = value(); if (g) globals.push(g); else return '--global needs a name'; }
    else if (name === '--json') json = true;
    else if (name.startsWith('-') && name !== '-') return `unknown flag ${name}`;
    else files.push(arg);
  }
  if (runtime !== 'espruino' && runtime !== 'xs') return runtime === undefined ? 'missing --runtime' : `--runtime expected espruino or xs, got ${runtime}`;
  if (files.length === 0) return 'no FILE given';
  return { runtime, json, globals, files };
}

const at = (p: { file: string; line: number; column: number }): string => `${p.file}:${p.line}:${p.column}`;

/** One finding per line: `file:line:col feature — message (source file:line:col) hint`. */
export function formatFinding(finding: Finding): string {
  const source = finding.source ? ` (source ${at(finding.source)})` : '';
  return `${at(finding.emitted)} ${finding.feature} — ${finding.message}${source} ${finding.hint}`;
}

/** Runs the lint command; resolves to the exit code. */
export async function main(args: string[], output: Output = processOutput): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    output.out(usage + '\n');
    return 0;
  }
  const parsed = parse(args);
  if (typeof parsed === 'string') {
    output.err(`micromine lint: ${parsed}\n${usage}\n`);
    return 2;
  }
  const findings: Finding[] = [];
  const errors: { file: string; code: string; message: string; hint: string }[] = [];
  for (const file of parsed.files) {
    try {
      findings.push(...lintFile(file, { runtime: parsed.runtime, globals: parsed.globals }));
    } catch (error) {
      if (!(error instanceof LintError)) throw error;
      errors.push({ file, code: error.code, message: error.message, hint: error.hint });
    }
  }
  if (parsed.json) {
    output.out(JSON.stringify({ runtime: parsed.runtime, findings, errors }, null, 2) + '\n');
  } else {
    for (const finding of findings) output.out(formatFinding(finding) + '\n');
    for (const error of errors) output.err(`${error.message} (${error.hint})\n`);
    if (findings.length > 0) output.err(`${findings.length} finding${findings.length === 1 ? '' : 's'} for ${parsed.runtime}\n`);
  }
  if (errors.length > 0) return 2;
  return findings.length > 0 ? 1 : 0;
}
