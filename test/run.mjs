#!/usr/bin/env node
// The project's test command: type-check every TypeScript project (the host one and each
// device project under firmware/, which see only their runtime's types), then run the uvu
// suites under tsx, and refuse a run that executed no test.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
process.chdir(root);
const args = process.argv.slice(2);
const pattern = args.find((a) => !a.startsWith('-')) ?? '\\.test\\.ts$';

if (!args.includes('--no-typecheck')) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const projects = ['tsconfig.json', ...readdirSync('firmware', { recursive: true })
    .map(String).filter((p) => p.endsWith('tsconfig.json')).map((p) => join('firmware', p)).sort()];
  for (const project of projects) {
    const run = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
    if (run.status !== 0) {
      console.error(`type check failed in ${project}`);
      process.exit(1);
    }
  }
}

const uvu = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(root, 'node_modules', 'uvu', 'bin.js'), 'test', pattern, '-i', 'fixtures', '--no-color'],
  { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, FORCE_COLOR: '0' } },
);
process.stdout.write(uvu.stdout ?? '');

const count = (label) => Number((uvu.stdout ?? '').match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'))?.[1] ?? 0);
const total = count('Total');
const passed = count('Passed');
const skipped = count('Skipped');
const failed = total - passed - skipped;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (uvu.status !== 0 || failed > 0) process.exit(1);
if (total === 0) {
  console.error('no test ran: refusing an empty green run');
  process.exit(1);
}
