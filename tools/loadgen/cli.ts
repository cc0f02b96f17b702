/**
 * `npx tsx tools/loadgen/cli.ts [--devices N] [--duration MS] [--warmup MS] [--difficulty D]
 * [--entries N] [--profile P] [--rate R] [--block-interval MS] [--commit-thread on|off] [--node-flag F]...
 * [--fleet-flag F]...`: runs {@link runLoad} and prints its figures as JSON (`--node-flag=--cpu-prof`
 * profiles the node, `--fleet-flag=--cpu-prof` the simulated devices).
 * @module
 */
import { parseArgs } from 'node:util';
import { runLoad, type LoadOptions } from './run.ts';

const NAMES: Record<string, keyof LoadOptions> = {
  devices: 'devices', duration: 'durationMs', warmup: 'warmupMs', difficulty: 'difficulty', entries: 'entriesPerUnit',
  profile: 'profile', rate: 'requestsPerSecond', 'block-interval': 'blockIntervalMs', 'node-flag': 'nodeFlags', 'fleet-flag': 'fleetFlags',
  'commit-thread': 'commitThread',
};

try {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.keys(NAMES).map((n) => [n, { type: 'string' as const, ...(n.endsWith('-flag') ? { multiple: true } : {}) }])),
    strict: true,
  });
  const options: Record<string, string | number | boolean | string[]> = {};
  for (const [flag, value] of Object.entries(values)) {
    const name = NAMES[flag]!;
    if (Array.isArray(value)) options[name] = value;
    else if (name === 'profile') options[name] = value!;
    else if (name === 'commitThread') {
      if (value !== 'on' && value !== 'off') throw new RangeError(`--commit-thread expected on or off, got ${JSON.stringify(value)}`);
      options[name] = value === 'on';
    }
    else if (/^[1-9][0-9]*$/.test(value!)) options[name] = Number(value);
    else throw new RangeError(`--${flag} expected a positive integer, got ${JSON.stringify(value)}`);
  }
  process.stdout.write(JSON.stringify(await runLoad(options as LoadOptions), null, 2) + '\n');
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
