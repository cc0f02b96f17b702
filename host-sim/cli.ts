/**
 * `micromine sim`: runs a fleet and prints its report, or the calibration plan.
 *
 *     micromine sim --profile <p>[,<p>…] --devices N --units M --seed S [--faults] [--node host:port] [--json] [--calibrate]
 *
 * `main(args, terminal?)` returns the exit code: 0 when every device ended well, 1 when a device
 * stopped with a verdict (out of memory, CPU budget, threw, crashed) or a power-cut invariant
 * broke, 2 for a usage error. The unified `micromine` dispatcher calls it.
 * @module
 */
import { listTargets, loadProfile } from '../tools/manifests/index.ts';
import { calibrationPlan, formatCalibration } from './calibrate.ts';
import { SimError } from './errors.ts';
import { runFleet, type FleetOptions } from './fleet.ts';
import { formatReport } from './report.ts';

/** Where the command writes (the shape of the dispatcher's terminal). */
export interface SimTerminal {
  out(text: string): void;
  err(text: string): void;
  /** a person watches: draw a progress bar */
  readonly interactive: boolean;
  readonly color: boolean;
  readonly columns: number;
}

/** The process's streams: a bar only on a terminal, colour only without NO_COLOR. */
export function processTerminal(): SimTerminal {
  const interactive = process.stdout.isTTY === true && process.stderr.isTTY === true;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    interactive,
    color: interactive && (process.env.NO_COLOR === undefined || process.env.NO_COLOR === ''),
    columns: process.stdout.columns ?? 80,
  };
}

export const USAGE = 'usage: micromine sim --profile <p>[,<p>...] --devices N --units M --seed S [--faults] [--node host:port] [--json] [--calibrate]';

const VALUE_FLAGS = ['--profile', '--devices', '--units', '--seed', '--node'] as const;
const SWITCHES = ['--faults', '--json', '--calibrate'] as const;

interface Parsed {
  profile?: string;
  devices?: string;
  units?: string;
  seed?: string;
  node?: string;
  faults: boolean;
  json: boolean;
  calibrate: boolean;
}

function parse(args: string[]): Parsed {
  const parsed: Parsed = { faults: false, json: false, calibrate: false };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if ((SWITCHES as readonly string[]).includes(flag)) {
      if (inline !== undefined) throw new SimError('usage', `${flag} takes no value`, { where: flag });
      parsed[flag.slice(2) as 'faults' | 'json' | 'calibrate'] = true;
    } else if ((VALUE_FLAGS as readonly string[]).includes(flag)) {
      const value = inline ?? args[++index];
      if (value === undefined || value === '') throw new SimError('usage', `${flag} needs a value`, { where: flag });
      const key = flag.slice(2) as 'profile' | 'devices' | 'units' | 'seed' | 'node';
      if (parsed[key] !== undefined) throw new SimError('usage', `${flag} given twice`, { where: flag });
      parsed[key] = value;
    } else if (arg.startsWith('-')) {
      throw new SimError('usage', `unknown flag ${flag}`, { where: flag, hint: `known flags: ${[...VALUE_FLAGS, ...SWITCHES].join(', ')}` });
    } else {
      throw new SimError('usage', `unexpected argument "${arg}"`, { where: arg, hint: USAGE });
    }
  }
  return parsed;
}

function count(flag: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > max) throw new SimError('usage', `expected an integer from 0 to ${max}, got "${text}"`, { where: flag });
  return Number(text);
}

function profiles(text: string | undefined, fallback: string[]): string[] {
  if (text === undefined) return fallback;
  const known = listTargets();
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!known.includes(name)) throw new SimError('usage', `unknown profile "${name}"`, { where: '--profile', hint: `known: ${known.join(', ')}` });
  }
  return names;
}

/** Runs `micromine sim` with `args` (the arguments after `sim`); resolves to the exit code. */
export async function main(args: string[], terminal: SimTerminal = processTerminal()): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(args);
    if (parsed.calibrate) {
      const plan = calibrationPlan(profiles(parsed.profile, listTargets()).map((target) => loadProfile(target)));
      terminal.out(parsed.json ? `${JSON.stringify(plan, null, 2)}\n` : `${formatCalibration(plan)}\n`);
      return 0;
    }
    if (parsed.profile === undefined) throw new SimError('usage', '--profile is required', { where: '--profile', hint: USAGE });
  } catch (error) {
    return failed(error, terminal, 2);
  }
  try {
    const options: FleetOptions = {
      profiles: profiles(parsed.profile, []),
      devices: count('--devices', parsed.devices, 1, 1024),
      units: count('--units', parsed.units, 1, 1_000_000),
      seed: count('--seed', parsed.seed, 1, 2 ** 32 - 1),
      faults: parsed.faults,
      onProgress: progressOf(terminal),
    };
    if (options.devices < 1 || options.units < 1) throw new SimError('usage', 'expected at least one device and one unit', { where: options.devices < 1 ? '--devices' : '--units' });
    if (parsed.node !== undefined) {
      const token = process.env.MICROMINE_ADMIN_TOKEN;
      if (!token) throw new SimError('usage', 'a node started elsewhere needs its admin token in MICROMINE_ADMIN_TOKEN', { where: '--node', hint: 'the token is in <node data dir>/admin.token' });
      const colon = parsed.node.lastIndexOf(':');
      const httpUrl = process.env.MICROMINE_NODE_HTTP ?? `http://${parsed.node.slice(0, colon)}:${Number(parsed.node.slice(colon + 1)) + 1}`;
      options.node = parsed.node;
      options.nodeAdmin = { url: httpUrl, token };
      // Against a node elsewhere the fleet runs at wall-clock pace: stop after ten minutes.
      options.horizonMs = 600_000;
    }
    const report = await runFleet(options);
    terminal.out(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    const broken = report.devices.some((d) => d.verdict !== 'ok' || d.lostAcknowledged > 0 || d.reusedCounters > 0);
    return broken ? 1 : 0;
  } catch (error) {
    return failed(error, terminal, error instanceof SimError && error.code === 'usage' ? 2 : 1);
  }
}

function failed(error: unknown, terminal: SimTerminal, code: number): number {
  if (error instanceof SimError || error instanceof TypeError || error instanceof RangeError) {
    terminal.err(`error: ${error.message}\n`);
    const hint = (error as { hint?: string }).hint;
    if (hint) terminal.err(`hint: ${hint}\n`);
    if (code === 2) terminal.err(`${USAGE}\n`);
    return code;
  }
  terminal.err(`error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return code;
}

/** A bar redrawn on a terminal; otherwise a plain line each time another device finishes. */
function progressOf(terminal: SimTerminal): FleetOptions['onProgress'] {
  let shown = -1;
  let drawnAt = 0;
  return ({ done, devices, virtualMs, acknowledged }) => {
    const note = `${done}/${devices} devices done, ${acknowledged} results acknowledged, ${(virtualMs / 1000).toFixed(1)} s virtual`;
    if (terminal.interactive) {
      const now = Date.now();
      if (now - drawnAt < 100 && done === shown) return;
      drawnAt = now;
      const width = 24;
      const filled = Math.round((done / devices) * width);
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      const painted = terminal.color ? `\u001b[36m${bar}\u001b[39m` : bar;
      terminal.err(`\r\u001b[2Ksim ${painted} ${note}`.slice(0, terminal.columns + 20));
      if (done === devices) terminal.err('\r\u001b[2K');
    } else if (done !== shown) {
      terminal.err(`sim: ${note}\n`);
    }
    shown = done;
  };
}
