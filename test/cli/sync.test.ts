// The command table (tools/cli/commands.ts) is the one source of help and of the flag check; each
// part parses its own flags. These tests keep the two in step both ways, and docs/cli.md with them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { main as buildMain } from '../../tools/build/cli.ts';
import { main as flashMain } from '../../tools/flash/cli.ts';
import { main as lintMain } from '../../tools/lint/cli.ts';
import { main as provisionMain } from '../../tools/provision/cli.ts';
import { COMMANDS, type CommandSpec } from '../../tools/cli/commands.ts';
import { USAGE as NODE_USAGE } from '../../trusted-node/cli.ts';
import { WALLET_USAGE } from '../../trusted-node/wallet/cli.ts';
import { USAGE as SIM_USAGE } from '../../host-sim/cli.ts';

/** Every `--flag` a usage text names, but --help. */
const flagsIn = (text: string): string[] => [...new Set(text.match(/--[a-z][a-z0-9-]*/g) ?? [])].filter((f) => f !== '--help').sort();

/** Every flag of a command and its subcommands in the table. */
const tableFlags = (spec: CommandSpec): string[] => [...new Set([spec, ...(spec.subcommands ?? [])].flatMap((s) => s.flags.map((f) => f.name)))].sort();

/** What `run` writes to stdout (parts that print with process.stdout or console.log). */
async function stdoutOf(run: () => Promise<unknown>): Promise<string> {
  let text = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((text += String(chunk)), true)) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return text;
}

const spec = (name: string): CommandSpec => COMMANDS.find((c) => c.name === name)!;

test('the table has exactly the flags each part parses', async () => {
  const collect = { out: '', err: '' };
  const output = { out: (t: string) => void (collect.out += t), err: (t: string) => void (collect.err += t) };
  await buildMain(['--help'], output);
  const build = collect.out;
  collect.out = '';
  await lintMain(['--help'], output);
  const usages: Record<string, string> = {
    build,
    lint: collect.out,
    sim: SIM_USAGE,
    node: NODE_USAGE,
    wallet: WALLET_USAGE,
    flash: await stdoutOf(() => flashMain(['--help'])),
    provision: await stdoutOf(() => provisionMain(['--help'])),
  };
  for (const [name, usage] of Object.entries(usages)) assert.equal(tableFlags(spec(name)), flagsIn(usage), `${name}: table vs the part's usage`);
});

test('docs/cli.md documents every command, subcommand and flag of the table, and the exit codes', () => {
  const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
  for (const command of COMMANDS) {
    assert.ok(doc.includes(`## micromine ${command.name}`), `docs/cli.md has a section for ${command.name}`);
    const section = doc.slice(doc.indexOf(`## micromine ${command.name}`)).split(/\n## /)[0]!;
    for (const sub of command.subcommands ?? []) assert.ok(section.includes(`micromine ${command.name} ${sub.name}`), `${command.name} ${sub.name} documented`);
    for (const flag of tableFlags(command)) assert.ok(section.includes(`\`${flag}`), `${command.name}: ${flag} documented in its section`);
  }
  for (const code of ['0', '1', '2', '3', '130']) assert.match(doc, new RegExp(`^\\| ${code} \\|`, 'm'));
});

test.run();
