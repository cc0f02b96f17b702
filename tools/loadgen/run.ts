/**
 * The load generator: a real node in its own process (tools/loadgen/node-process.ts) and a
 * fleet of simulated devices in this one (tools/loadgen/device.ts), each registered through the
 * node's admin endpoint with its own random key, speaking the real protocol over loopback TCP:
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
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { watchGc, type GcReport } from './pauses.ts';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSharedParts, SimDevice, type Ack, type SimIdentity } from './device.ts';
import type { EventLoopReport, NodeProcessConfig } from './node-process.ts';

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
  /** The load generator's own event-loop delay inside the window (ms): a late ack reading inflates latencies. */
  readonly fleetEventLoopDelayMs: Omit<EventLoopReport, 'gc'>;
  /** The load generator's own garbage-collector pauses inside the window. */
  readonly fleetGc: GcReport;
  /**
   * CPU time per acknowledged result inside the window (µs): the node process (and by thread
   * name, as in `cores`), and this process running all the devices. Unlike rates and latencies
   * these do not depend on what else the machine runs.
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
  commitThread: true,
};

const NODE_PROCESS = fileURLToPath(new URL('./node-process.ts', import.meta.url));
/** The project root: `--import tsx` resolves from the working directory. */
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the load; see the module comment. Rejects naming an unknown or bad option. */
export async function runLoad(options: LoadOptions = {}): Promise<LoadFigures> {
  for (const name of Object.keys(options)) if (!(name in DEFAULTS)) throw new TypeError(`unknown load option "${name}" (known: ${Object.keys(DEFAULTS).join(', ')})`);
  const o = { ...DEFAULTS, ...options };
  for (const [name, value] of Object.entries(o)) {
    if (name === 'profile' || name === 'nodeFlags' || name === 'commitThread' || (name === 'requestsPerSecond' && value === null)) continue;
    if (!(Number.isSafeInteger(value) && (value as number) > 0)) throw new RangeError(`"${name}" expected a positive integer, got ${value}`);
  }
  const root = mkdtempSync(join(tmpdir(), 'mm-load-'));
  const dataDir = join(root, 'node');
  const node = await startNodeProcess(o.nodeFlags, {
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
  });
  const fleet: SimDevice[] = [];
  try {
    const base = `http://127.0.0.1:${node.httpPort}`;
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    const owner = randomBytes(32).toString('hex');
    const tier = o.profile.startsWith('moddable-') ? 'sig' : 'hash';
    let window: { from: number; to: number } = { from: Infinity, to: Infinity };
    const inWindow: Ack[] = [];
    const onAck = (ack: Ack): void => {
      if (ack.ackedAt >= window.from && ack.ackedAt < window.to) inWindow.push(ack);
    };
    const shared = createSharedParts();
    for (let i = 0; i < o.devices; i++) {
      const identity: SimIdentity = { id: randomBytes(8).toString('hex'), key: new Uint8Array(randomBytes(32)), profile: o.profile, tier };
      fleet.push(new SimDevice(identity, { port: node.port, onAck, requestsPerSecond: o.requestsPerSecond, keep: false, shared }));
    }
    await inBatches(fleet, 50, (device) => register(base, token, device.identity, owner));
    await inBatches(fleet, 50, (device) => device.connect());
    await sleep(o.warmupMs);
    const from = performance.now();
    const cpuBefore = { node: node.cpuMs(), threads: node.threadCpuMs(), devices: process.cpuUsage() };
    node.openWindow();
    const fleetDelay = monitorEventLoopDelay({ resolution: 1 });
    fleetDelay.enable();
    const fleetGc = watchGc();
    window = { from, to: from + o.durationMs };
    await sleep(o.durationMs);
    fleetDelay.disable();
    const fleetGcReport = fleetGc();
    const cpu = { node: node.cpuMs() - cpuBefore.node, devices: cpuMs(process.cpuUsage(cpuBefore.devices)) };
    const threads = node.threadCpuMs();
    const threadMs: Record<string, number> = {};
    for (const [name, ms] of Object.entries(threads)) if (ms > (cpuBefore.threads[name] ?? 0)) threadMs[name] = ms - (cpuBefore.threads[name] ?? 0);
    const loadAverage = round2(loadavg()[0]!);
    const eventLoop = await node.eventLoop();
    const connected = fleet.filter((d) => d.authorized && !d.closed).length;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const perResult = (ms: number): number => Math.round((ms * 1000) / Math.max(1, inWindow.length));
    const latencies = inWindow.map((a) => a.ackedAt - a.sentAt).sort((a, b) => a - b);
    const errors: Record<string, number> = {};
    for (const device of fleet) for (const error of device.errors) errors[error] = (errors[error] ?? 0) + 1;
    return {
      devices: o.devices,
      connected,
      windowMs: o.durationMs,
      results: inWindow.length,
      resultsPerSecond: Math.round((inWindow.length * 1000) / o.durationMs),
      latencyMs: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99), max: round2(latencies.at(-1) ?? 0) },
      errors,
      node: {
        resultsStored: series(metrics, 'mm_device_results_total{outcome="stored"}'),
        meanBatch: round2(series(metrics, 'mm_result_batch_size_sum') / Math.max(1, series(metrics, 'mm_result_batch_size_count'))),
        meanCommitMs: round2((1000 * series(metrics, 'mm_result_commit_seconds_sum')) / Math.max(1, series(metrics, 'mm_result_commit_seconds_count'))),
        ackP99Ms: histogramQuantile(metrics, 'mm_result_ack_seconds', 0.99) * 1000,
        blocks: series(metrics, 'mm_blocks_committed_total'),
        meanBlockMs: round2((1000 * series(metrics, 'mm_block_commit_seconds_sum')) / Math.max(1, series(metrics, 'mm_block_commit_seconds_count'))),
        eventLoopDelayMs: eventLoop,
      },
      fleetEventLoopDelayMs: { p50: nsToMs(fleetDelay.percentile(50)), p99: nsToMs(fleetDelay.percentile(99)), max: nsToMs(fleetDelay.max) },
      fleetGc: fleetGcReport,
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
    await Promise.all(fleet.map((d) => d.close()));
    await node.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

interface NodeProcess {
  readonly port: number;
  readonly httpPort: number;
  /** CPU time the process used so far (user + system, ms), from /proc. */
  cpuMs(): number;
  /** CPU time per thread name (ms): the main thread is `main`, the others as the kernel names them. */
  threadCpuMs(): Record<string, number>;
  /** Starts a new event-loop delay histogram in the node. */
  openWindow(): void;
  /** The node's event-loop delay since {@link openWindow}. */
  eventLoop(): Promise<EventLoopReport>;
  stop(): Promise<void>;
}

async function startNodeProcess(flags: readonly string[], config: NodeProcessConfig): Promise<NodeProcess> {
  const child: ChildProcess = spawn(process.execPath, [...flags, '--import', 'tsx', NODE_PROCESS, JSON.stringify(config)], { cwd: PROJECT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const nextLine = (): Promise<string> => new Promise((resolve, reject) => {
    const gone = (code: number | null, signal: string | null): void => reject(new Error(`the node process exited (${code ?? signal})`));
    child.once('exit', gone);
    lines.once('line', (line) => {
      child.off('exit', gone);
      resolve(line);
    });
  });
  const ready = JSON.parse(await nextLine()) as { port: number; httpPort: number };
  return {
    port: ready.port,
    httpPort: ready.httpPort,
    cpuMs: () => processCpuMs(child.pid!),
    threadCpuMs: () => threadCpuMs(child.pid!),
    openWindow: () => void child.stdin!.write('window\n'),
    async eventLoop() {
      const line = nextLine();
      child.stdin!.write('report\n');
      return JSON.parse(await line) as EventLoopReport;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function register(base: string, token: string, identity: SimIdentity, owner: string): Promise<void> {
  const response = await fetch(`${base}/admin/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ id: identity.id, key: Buffer.from(identity.key).toString('hex'), profile: identity.profile, tier: identity.tier, owner }),
  });
  if (response.status !== 201) throw new Error(`registering device ${identity.id} failed: ${response.status} ${await response.text()}`);
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
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

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return round2(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
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

function nsToMs(ns: number): number {
  return round2(ns / 1e6);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
