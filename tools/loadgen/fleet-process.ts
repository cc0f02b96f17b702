/**
 * The simulated devices under load, in a process of their own: `node --import tsx
 * tools/loadgen/fleet-process.ts <config JSON>`. It registers every device with the node through
 * `POST /admin/devices` (a random id and key each), connects them all, and prints one JSON line
 * `{"ready": true}` once every one is authorized. The devices share one pacer, read buffer and
 * digest (device.ts).
 *
 * A line `window <ms>` on stdin opens the measurement window: acks that arrive within the next
 * `<ms>` count, and the process's event-loop delay and garbage-collector pauses are watched from
 * then. `report` prints one JSON line {@link FleetReport}; SIGTERM closes the devices and exits.
 *
 * Its own process, rather than the caller's, so that it starts with the young generation the load
 * generator gives it (run.ts): V8 sizes that only at start-up.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SimDevice, type Ack, type SimIdentity } from './device.ts';
import { createSharedParts } from './shared.ts';
import { watchStalls, type DelayReport, type GcReport } from './pauses.ts';

/** What the load generator tells the fleet process. */
export interface FleetProcessConfig {
  /** The node's device port. */
  readonly port: number;
  /** The node's HTTP base URL, e.g. `http://127.0.0.1:7071`. */
  readonly http: string;
  /** The file holding the node's admin token (kept out of the command line). */
  readonly tokenFile: string;
  readonly devices: number;
  readonly profile: string;
  readonly requestsPerSecond: number | null;
}

/** What the fleet saw inside the window. */
export interface FleetReport {
  /** Results acknowledged inside the window. */
  readonly results: number;
  /** Submit-to-ack latency as the devices measured it, ms. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  /** Devices authenticated and connected when the report was made. */
  readonly connected: number;
  /** Error answers the devices received since they connected, by wire error name. */
  readonly errors: Readonly<Record<string, number>>;
  /** The fleet's event-loop delay (ms): a late ack reading inflates latencies. */
  readonly eventLoopDelayMs: DelayReport;
  /** The fleet's garbage-collector pauses. */
  readonly gc: GcReport;
}

const config = JSON.parse(process.argv[2] ?? '{}') as FleetProcessConfig;
const token = readFileSync(config.tokenFile, 'utf8').trim();
const owner = randomBytes(32).toString('hex');
const tier = config.profile.startsWith('moddable-') ? 'sig' : 'hash';

let window = { from: Infinity, to: Infinity };
/** Latencies of the acks inside the window, ms. */
const latencies: number[] = [];
const onAck = (ack: Ack): void => {
  if (ack.ackedAt >= window.from && ack.ackedAt < window.to) latencies.push(ack.ackedAt - ack.sentAt);
};

const shared = createSharedParts();
const fleet: SimDevice[] = [];
for (let i = 0; i < config.devices; i++) {
  const identity: SimIdentity = { id: randomBytes(8).toString('hex'), key: new Uint8Array(randomBytes(32)), profile: config.profile, tier };
  fleet.push(new SimDevice(identity, { port: config.port, onAck, requestsPerSecond: config.requestsPerSecond, keep: false, shared }));
}
await inBatches(fleet, 50, (device) => register(device.identity));
await inBatches(fleet, 50, (device) => device.connect());

let stalls = watchStalls();
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, argument] = line.split(' ');
  if (command === 'window') {
    const from = performance.now();
    window = { from, to: from + Number(argument) };
    stalls();
    stalls = watchStalls();
  } else if (command === 'report') {
    process.stdout.write(JSON.stringify(report(stalls())) + '\n');
  }
});
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
process.once('SIGTERM', () => {
  void Promise.all(fleet.map((d) => d.close())).then(() => process.exit(0));
});

function report({ delay, gc }: { delay: DelayReport; gc: GcReport }): FleetReport {
  const sorted = latencies.slice().sort((a, b) => a - b);
  const errors: Record<string, number> = {};
  for (const device of fleet) for (const error of device.errors) errors[error] = (errors[error] ?? 0) + 1;
  return {
    results: sorted.length,
    latencyMs: { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: round2(sorted.at(-1) ?? 0) },
    connected: fleet.filter((d) => d.authorized && !d.closed).length,
    errors,
    eventLoopDelayMs: delay,
    gc,
  };
}

async function register(identity: SimIdentity): Promise<void> {
  const response = await fetch(`${config.http}/admin/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ id: identity.id, key: Buffer.from(identity.key).toString('hex'), profile: identity.profile, tier: identity.tier, owner }),
  });
  if (response.status !== 201) throw new Error(`registering device ${identity.id} failed: ${response.status} ${await response.text()}`);
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return round2(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
