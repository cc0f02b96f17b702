// The bench's measurements: each function measures one part of the system and says how. The
// device figures are counts of the XS engine (deterministic); the simulator's CPU share and the
// node's throughput and latency are wall-clock figures of this machine, so they vary run to run.
import { benchCpuShare } from '../../host-sim/bench.ts';
import { defaultManifestsDir } from '../manifests/index.ts';
import { measure } from '../report/measure.ts';
import type { TargetFigures } from '../report/figures.ts';
import { STANDARD_WORKLOAD } from '../report/workload.ts';
import { runLoad } from '../loadgen/run.ts';

/** One figure of the bench. */
export interface BenchFigure {
  /** a stable key to compare runs by, e.g. `computrons.hashEntry.espruino-esp32` */
  readonly key: string;
  /** what it is, for people */
  readonly label: string;
  readonly value: number | null;
  readonly unit: string;
  /** how it was measured */
  readonly how: string;
  /** true when a larger value is better (rates), false when smaller is (costs, sizes, latency) */
  readonly higherIsBetter: boolean;
}

/** Sizes of the bench's machine-dependent runs. */
export interface BenchScale {
  readonly fleetDevices: number;
  readonly fleetUnits: number;
  readonly loadDevices: number;
  readonly loadMs: number;
}

export const FULL_SCALE: BenchScale = { fleetDevices: 64, fleetUnits: 1, loadDevices: 1_000, loadMs: 10_000 };
export const QUICK_SCALE: BenchScale = { fleetDevices: 8, fleetUnits: 1, loadDevices: 50, loadMs: 2_000 };

const workloadHow = `standard workload (micromine report): one ${STANDARD_WORKLOAD.entries}-entry unit from the simulator's unit server, in the XS engine`;

/** Device figures from the report's measurement, a row per target under each kind of figure. */
export function deviceFigures(targets: readonly TargetFigures[]): BenchFigure[] {
  const value = (t: TargetFigures, name: string): number | null => t.figures.find((f) => f.name === name)?.value ?? null;
  const perSecond = (t: TargetFigures): number | null => {
    const w = t.workload;
    return w === undefined || w.shareMs === 0 || w.shareAttempts === null ? null : Math.round((w.shareAttempts / w.shareMs) * 1000);
  };
  const kinds: { key: string; label: string; unit: string; how: string; higherIsBetter: boolean; of: (t: TargetFigures) => number | null; only?: (t: TargetFigures) => boolean }[] = [
    { key: 'computrons.hashEntry', label: 'computrons per hash-tier entry', unit: 'computrons', how: `(decode + checks) / entries; ${workloadHow}`, higherIsBetter: false, of: (t) => value(t, 'computrons.hashEntry') },
    { key: 'computrons.sigEntry', label: 'computrons per sig-tier entry', unit: 'computrons', how: `(decode + checks + signature) / entries; ${workloadHow}`, higherIsBetter: false, of: (t) => value(t, 'computrons.sigEntry'), only: (t) => t.tier === 'sig' },
    { key: 'computrons.shareAttempt', label: 'computrons per share attempt', unit: 'computrons', how: `share phase / attempts; ${workloadHow}`, higherIsBetter: false, of: (t) => value(t, 'computrons.shareAttempt') },
    { key: 'shareAttemptsPerSecond', label: 'share attempts per virtual second', unit: 'attempts/s', how: 'attempts / device time of the share phase (computrons at the profile\'s rate plus native SHA-256 at its cost)', higherIsBetter: true, of: perSecond },
    { key: 'image.rawBytes', label: 'image bytes (raw)', unit: 'bytes', how: 'micromine build: the image\'s code files, minified', higherIsBetter: false, of: (t) => value(t, 'image.rawBytes') },
    { key: 'image.storedBytes', label: 'image bytes (stored, pretokenised)', unit: 'bytes', how: 'micromine build: the Espruino image as Storage holds it, pretokenised for the profile\'s firmware', higherIsBetter: false, of: (t) => value(t, 'image.storedBytes'), only: (t) => t.runtime === 'espruino' },
    { key: 'image.gzipBytes', label: 'image bytes (gzip -9)', unit: 'bytes', how: 'micromine build: the same files, gzip level 9', higherIsBetter: false, of: (t) => value(t, 'image.gzipBytes') },
  ];
  return kinds.flatMap((kind) => targets.filter((t) => kind.only === undefined || kind.only(t)).map((t) => ({
    key: `${kind.key}.${t.target}`, label: `${kind.label}: ${t.target}`, value: kind.of(t), unit: kind.unit, how: kind.how, higherIsBetter: kind.higherIsBetter,
  })));
}

/** The per-target figures (builds every image and runs the standard workload on each). */
export async function measureDevices(onStep: (note: string) => void): Promise<TargetFigures[]> {
  return measure({ targets: [], manifestsDir: defaultManifestsDir, baseline: {}, onStep: (_done, _total, note) => onStep(note) });
}

/** The simulator's in-engine CPU share over a mixed fleet (the simulator's own bench function). */
export async function simulatorFigures(scale: BenchScale): Promise<BenchFigure[]> {
  const run = await benchCpuShare({ devices: scale.fleetDevices, units: scale.fleetUnits });
  const how = `host-sim benchCpuShare: ${scale.fleetDevices} devices of every profile, ${scale.fleetUnits} unit${scale.fleetUnits === 1 ? '' : 's'} each, seed 1; CPU time of the device host processes against the simulator's main thread (/proc)`;
  return [
    { key: 'sim.engineCpuShare', label: `simulator: share of CPU inside the XS engines (${scale.fleetDevices} devices)`, value: Math.round(run.share * 1000) / 10, unit: '%', how, higherIsBetter: true },
    { key: 'sim.wallSeconds', label: `simulator: wall time of the ${scale.fleetDevices}-device run`, value: Math.round(run.wallMs / 100) / 10, unit: 's', how, higherIsBetter: false },
  ];
}

/** The trusted node under the load generator: durable results per second and latency. */
export async function nodeFigures(scale: BenchScale): Promise<BenchFigure[]> {
  // 15 requests per second each: three requests per result, so 5,000 results per second offered by 1,000 devices (the node's target).
  const load = await runLoad({ devices: scale.loadDevices, durationMs: scale.loadMs, requestsPerSecond: 15 });
  const how = `runLoad: ${scale.loadDevices} simulated devices on loopback TCP, each pacing itself to 15 requests/s (5 results/s), real MACs and shares, node in its own process, ${scale.loadMs / 1000} s window`;
  return [
    { key: 'node.resultsPerSecond', label: 'node: results acknowledged durably per second', value: Math.round(load.resultsPerSecond), unit: 'results/s', how, higherIsBetter: true },
    { key: 'node.p99Ms', label: 'node: submit-to-ack latency, p99', value: Math.round(load.latencyMs.p99 * 10) / 10, unit: 'ms', how, higherIsBetter: false },
    { key: 'node.connected', label: 'node: devices connected at once', value: load.connected, unit: 'devices', how, higherIsBetter: true },
  ];
}
