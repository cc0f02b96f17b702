/**
 * The load generator: a real node in its own process (tools/loadgen/node-process.ts) and a
 * fleet of simulated devices in another (tools/loadgen/fleet-process.ts, device.ts), each
 * registered through the node's admin endpoint with its own random key, speaking the real
 * protocol over loopback TCP:
 * real MACs, real shares at a low difficulty, real durable acks. The node gives them probe
 * units (known-answer work: scheduler/probes.ts), so the figures measure the device path:
 * sessions, result checks, group commit and acks, while blocks settle the rewards every second.
 *
 * `runLoad` returns the figures: results acknowledged durably per second, devices connected at
 * once, submit-to-ack latency percentiles as each device saw them, and what the node's own
 * metrics say (batch sizes, errors).
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FleetProcessConfig, FleetReport } from './fleet-process.ts';
import type { EventLoopReport, NodeProcessConfig } from './node-process.ts';
import type { GcReport } from './pauses.ts';

/** What to run. Unknown names are refused. */
export interface LoadOptions {
  /** Simulated devices, all connected at once (default 1,000). */
  readonly devices?: number;
  /** Measurement window after the warm-up (ms, default 10,000). */
  readonly durationMs?: number;
  /** Time between the last device connecting and the window opening (ms, default 2,000). */
  readonly warmupMs?: number;
  /** Share difficulty of every unit (default 2). */
  readonly difficulty?: number;
  /** Entries per unit (default 1: one pull round trip per result). */
  readonly entriesPerUnit?: number;
  /** Device profile (default `espruino-esp32`, hash tier). */
  readonly profile?: string;
  /**
   * Requests per second each device allows itself, which sets the offered load (a result is
   * `entriesPerUnit + 2` requests: 15 with one entry is 5 results per second per device).
   * Default null: no pacing, each device sends its next request as soon as its answer arrives,
   * which measures what the node sustains.
   */
  readonly requestsPerSecond?: number | null;
  /** Time between blocks in the node (ms, default 1,000). */
  readonly blockIntervalMs?: number;
  /** Extra Node.js flags for the node process, e.g. `['--cpu-prof']` (default none). */
  readonly nodeFlags?: readonly string[];
  /** Extra Node.js flags for the fleet's process, e.g. `['--cpu-prof']` (default none; FLEET_FLAGS always). */
  readonly fleetFlags?: readonly string[];
  /** Write results on the node's writer thread (default true) or on its main thread. */
  readonly commitThread?: boolean;
}

/** The measured figures. */
export interface LoadFigures {
  readonly devices: number;
  /** Devices authenticated and connected when the window closed. */
  readonly connected: number;
  readonly windowMs: number;
  /** Results acknowledged inside the window. */
  readonly results: number;
  readonly resultsPerSecond: number;
  /** Submit-to-ack latency as the devices measured it, ms. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  /** Error answers the devices received, by wire error name. */
  readonly errors: Readonly<Record<string, number>>;
  /** From the node's /metrics: results stored, and the mean results per store transaction. */
  readonly node: {
    readonly resultsStored: number;
    readonly meanBatch: number;
    readonly meanCommitMs: number;
    /** The node's own view: the bucket bound under which 99% of verified submits were durably acked (ms). */
    readonly ackP99Ms: number;
    readonly blocks: number;
    /** Mean time to build, check and durably commit a block, on the node's main thread (ms). */
    readonly meanBlockMs: number;
    /** The node's main-thread event-loop delay inside the window (ms): what a stall costs every session. */
    readonly eventLoopDelayMs: EventLoopReport;
  };
  /** The fleet process's event-loop delay inside the window (ms): a late ack reading inflates latencies. */
  readonly fleetEventLoopDelayMs: Omit<EventLoopReport, 'gc'>;
  /** The fleet process's garbage-collector pauses inside the window. */
  readonly fleetGc: GcReport;
  /**
   * CPU time per acknowledged result inside the window (µs): the node process (and by thread
   * name, as in `cores`), and the fleet process running all the devices. Unlike rates and
   * latencies these do not depend on what else the machine runs.
   */
  readonly cpuPerResultUs: { readonly node: number; readonly nodeThreads: Readonly<Record<string, number>>; readonly devices: number };
  /** Cores used inside the window: the node process (and by thread name), and the fleet's process. */
  readonly cores: { readonly node: number; readonly nodeThreads: Readonly<Record<string, number>>; readonly devices: number };
  /** The machine's 1-minute load average when the window closed (everything running, this run included). */
  readonly loadAverage: number;
}

const DEFAULTS: Required<LoadOptions> = {
  devices: 1_000, durationMs: 10_000, warmupMs: 2_000, difficulty: 2, entriesPerUnit: 1, profile: 'espruino-esp32', requestsPerSecond: null, blockIntervalMs: 1_000,
  nodeFlags: [],
  fleetFlags: [],
  commitThread: true,
};

/**
 * Flags the fleet process always gets: a young generation of 64 MiB semi-spaces instead of V8's
 * 16. A thousand devices allocate about 14 KB per result and keep their units in flight for a
 * few hundred milliseconds; with the default, a scavenge every 0.2 s copied those units and
 * promoted many into the old generation (majors followed), each pause stalling every
 * connection at once (docs/node.md, Load generator).
 */
export const FLEET_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

const NODE_PROCESS = fileURLToPath(new URL('./node-process.ts', import.meta.url));
const FLEET_PROCESS = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));
/** The project root: `--import tsx` resolves from the working directory. */
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the load; see the module comment. Rejects naming an unknown or bad option. */
export async function runLoad(options: LoadOptions = {}): Promise<LoadFigures> {
  for (const name of Object.keys(options)) if (!(name in DEFAULTS)) throw new TypeError(`unknown load option "${name}" (known: ${Object.keys(DEFAULTS).join(', ')})`);
  const o = { ...DEFAULTS, ...options };
  for (const [name, value] of Object.entries(o)) {
    if (name === 'profile' || name === 'nodeFlags' || name === 'fleetFlags' || name === 'commitThread' || (name === 'requestsPerSecond' && value === null)) continue;
    if (!(Number.isSafeInteger(value) && (value as number) > 0)) throw new RangeError(`"${name}" expected a positive integer, got ${value}`);
  }
  const root = mkdtempSync(join(tmpdir(), 'mm-load-'));
  const dataDir = join(root, 'node');
  const nodeConfig: NodeProcessConfig = {
    dataDir,
    blockIntervalMs: o.blockIntervalMs,
    devices: {
      scheduling: { probes: true, maxEntries: o.entriesPerUnit },
      commit: { thread: o.commitThread },
      rewards: { initialDifficulty: o.difficulty, minDifficulty: o.difficulty, maxDifficulty: o.difficulty },
      limits: {
        maxConnections: o.devices + 100, maxConnectionsPerAddress: o.devices + 100, connectsPerSecondPerAddress: o.devices,
        linesPerSecondPerAddress: 1_000_000,
      },
    },
  };
  const node = await startChild('node', NODE_PROCESS, o.nodeFlags, nodeConfig);
  let fleet: Child | null = null;
  try {
    const { port, httpPort } = JSON.parse(node.ready) as { port: number; httpPort: number };
    const base = `http://127.0.0.1:${httpPort}`;
    const fleetConfig: FleetProcessConfig = {
      port, http: base, tokenFile: join(dataDir, 'admin.token'), devices: o.devices, profile: o.profile, requestsPerSecond: o.requestsPerSecond,
    };
    fleet = await startChild('fleet', FLEET_PROCESS, [...FLEET_FLAGS, ...o.fleetFlags], fleetConfig);
    await sleep(o.warmupMs);
    const cpuBefore = { node: processCpuMs(node.pid), threads: threadCpuMs(node.pid), devices: processCpuMs(fleet.pid) };
    node.send('window');
    fleet.send(`window ${o.durationMs}`);
    await sleep(o.durationMs);
    const cpu = { node: processCpuMs(node.pid) - cpuBefore.node, devices: processCpuMs(fleet.pid) - cpuBefore.devices };
    const threads = threadCpuMs(node.pid);
    const threadMs: Record<string, number> = {};
    for (const [name, ms] of Object.entries(threads)) if (ms > (cpuBefore.threads[name] ?? 0)) threadMs[name] = ms - (cpuBefore.threads[name] ?? 0);
    const loadAverage = round2(loadavg()[0]!);
    const seen = JSON.parse(await fleet.ask('report')) as FleetReport;
    const eventLoop = JSON.parse(await node.ask('report')) as EventLoopReport;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const perResult = (ms: number): number => Math.round((ms * 1000) / Math.max(1, seen.results));
    return {
      devices: o.devices,
      connected: seen.connected,
      windowMs: o.durationMs,
      results: seen.results,
      resultsPerSecond: Math.round((seen.results * 1000) / o.durationMs),
      latencyMs: seen.latencyMs,
      errors: seen.errors,
      node: {
        resultsStored: series(metrics, 'mm_device_results_total{outcome="stored"}'),
        meanBatch: round2(series(metrics, 'mm_result_batch_size_sum') / Math.max(1, series(metrics, 'mm_result_batch_size_count'))),
        meanCommitMs: round2((1000 * series(metrics, 'mm_result_commit_seconds_sum')) / Math.max(1, series(metrics, 'mm_result_commit_seconds_count'))),
        ackP99Ms: histogramQuantile(metrics, 'mm_result_ack_seconds', 0.99) * 1000,
        blocks: series(metrics, 'mm_blocks_committed_total'),
        meanBlockMs: round2((1000 * series(metrics, 'mm_block_commit_seconds_sum')) / Math.max(1, series(metrics, 'mm_block_commit_seconds_count'))),
        eventLoopDelayMs: eventLoop,
      },
      fleetEventLoopDelayMs: seen.eventLoopDelayMs,
      fleetGc: seen.gc,
      cpuPerResultUs: {
        node: perResult(cpu.node),
        nodeThreads: Object.fromEntries(Object.entries(threadMs).map(([name, ms]) => [name, perResult(ms)])),
        devices: perResult(cpu.devices),
      },
      cores: {
        node: round2(cpu.node / o.durationMs),
        nodeThreads: Object.fromEntries(Object.entries(threadMs).map(([name, ms]) => [name, round2(ms / o.durationMs)])),
        devices: round2(cpu.devices / o.durationMs),
      },
      loadAverage,
    };
  } finally {
    // The devices leave first, so that the node sees them go rather than its own shutdown.
    await fleet?.stop();
    await node.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** A load-generator process that answers JSON lines (node-process.ts, fleet-process.ts). */
interface Child {
  readonly pid: number;
  /** Its first line, printed once it is ready. */
  readonly ready: string;
  /** Writes a command line on its stdin. */
  send(command: string): void;
  /** Writes a command line and resolves with the line it answers. */
  ask(command: string): Promise<string>;
  /** Ends it with SIGTERM and resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts `file` under tsx with `flags` and `config` (JSON) and resolves once it printed its ready line; rejects if it exits first. */
async function startChild(name: string, file: string, flags: readonly string[], config: object): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, [...flags, '--import', 'tsx', file, JSON.stringify(config)], { cwd: PROJECT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const nextLine = (): Promise<string> => new Promise((resolve, reject) => {
    const gone = (code: number | null, signal: string | null): void => reject(new Error(`the ${name} process exited (${code ?? signal})`));
    child.once('exit', gone);
    lines.once('line', (line) => {
      child.off('exit', gone);
      resolve(line);
    });
  });
  const ready = await nextLine();
  return {
    pid: child.pid!,
    ready,
    send: (command) => void child.stdin!.write(command + '\n'),
    ask(command) {
      const line = nextLine();
      child.stdin!.write(command + '\n');
      return line;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** User plus system CPU time of a process in ms (Linux /proc; fields 14 and 15 in clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** The same per thread, summed by thread name; the main thread is `main`. */
function threadCpuMs(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    byName[name] = (byName[name] ?? 0) + statCpuMs(stat);
  }
  return byName;
}

function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function series(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

/** The smallest bucket bound of a Prometheus histogram holding the `q` quantile (Infinity past the last). */
function histogramQuantile(metrics: string, name: string, q: number): number {
  const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))].map((m) => [Number(m[1] === '+Inf' ? Infinity : m[1]), Number(m[2])] as const);
  const total = buckets.at(-1)?.[1] ?? 0;
  return buckets.find(([, count]) => count >= q * total)?.[0] ?? 0;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
