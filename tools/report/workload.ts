// The standard workload: one device of a target, alone in its own fleet (so its figures never
// depend on which other targets are measured), runs a fixed number of units against the
// simulator's in-process trusted node, with a fixed seed. Everything it measures is a count of
// the engine (computrons, slots, chunk bytes, variables), so the figures repeat exactly.
import { join } from 'node:path';
import { runFleet } from '../../host-sim/fleet.ts';
import { loadImage } from '../../host-sim/image.ts';
import type { DeviceReport } from '../../host-sim/report.ts';
import type { Runtime, Tier } from '../manifests/index.ts';
import type { FigureName, Workload } from './figures.ts';

/** The workload every target runs: the figures (and the baseline) are only comparable under it. */
export const STANDARD_WORKLOAD = { units: 4, entries: 8, seed: 1 } as const;

/** What the workload measured on one target: figures by name, or why it could not. */
export interface WorkloadFigures {
  readonly figures: Partial<Record<FigureName, number>>;
  readonly workload?: Workload;
  readonly problem?: string;
}

/** Entries judged and share attempts made, as the simulator counts them per device. */
interface DeviceCounts {
  entries: number;
  sigEntries: number;
  shareAttempts: number;
}

/**
 * The device's work counts, when the simulator's report carries them (`counts`); undefined
 * otherwise, and the per-entry and per-attempt figures are then reported as not measured.
 */
function countsOf(device: DeviceReport): DeviceCounts | undefined {
  const counts = (device as DeviceReport & { counts?: Partial<DeviceCounts> }).counts;
  if (counts === undefined || typeof counts.entries !== 'number' || typeof counts.shareAttempts !== 'number') return undefined;
  return { entries: counts.entries, sigEntries: counts.sigEntries ?? 0, shareAttempts: counts.shareAttempts };
}

const phase = (device: DeviceReport, name: string): number => device.phases[name]?.computrons ?? 0;

/** The figures of one device's run. */
export function figuresOfDevice(device: DeviceReport, runtime: Runtime, tier: Tier): WorkloadFigures {
  if (device.verdict !== 'ok') return { figures: {}, problem: `the device stopped: ${device.verdict} in ${device.verdictPhase}: ${device.verdictMessage}` };
  const figures: Partial<Record<FigureName, number>> = {};
  if (runtime === 'xs') {
    if (device.memory.slots !== undefined) figures['ram.slots'] = device.memory.slots.peak;
    if (device.memory.chunkBytes !== undefined) figures['ram.chunkBytes'] = device.memory.chunkBytes.peak;
  } else if (device.memory.variables !== undefined) figures['ram.variables'] = device.memory.variables.peak;
  const work = Object.entries(device.phases).filter(([name]) => name !== 'boot' && name !== 'idle').reduce((sum, [, cost]) => sum + cost.computrons, 0);
  if (device.unitsDone > 0) figures['computrons.unit'] = Math.round(work / device.unitsDone);
  const counts = countsOf(device);
  if (counts === undefined) return { figures, problem: 'the simulator\'s report does not count entries and share attempts, so per-entry and per-attempt figures are missing' };
  // An entry's own work is its decoding and checks; a sig-tier entry adds one signature check.
  const hashEntry = (phase(device, 'decode') + phase(device, 'checks')) / counts.entries;
  if (counts.entries > 0) figures['computrons.hashEntry'] = Math.round(hashEntry);
  if (tier === 'sig' && counts.sigEntries > 0) figures['computrons.sigEntry'] = Math.round(hashEntry + phase(device, 'signature') / counts.sigEntries);
  if (counts.shareAttempts > 0) figures['computrons.shareAttempt'] = Math.round(phase(device, 'share') / counts.shareAttempts);
  return { figures, workload: { units: device.unitsDone, entries: counts.entries, shareAttempts: counts.shareAttempts, shareMs: device.phases.share?.ms ?? 0 } };
}

/** Runs the standard workload on `target`'s image in `distDir/<target>/` and returns its figures. */
export async function measureWorkload(target: string, runtime: Runtime, tier: Tier, distDir: string): Promise<WorkloadFigures> {
  const report = await runFleet({
    profiles: [target], devices: 1, units: STANDARD_WORKLOAD.units, entries: STANDARD_WORKLOAD.entries, seed: STANDARD_WORKLOAD.seed,
    images: { [target]: loadImage(target, runtime, join(distDir, target)) },
  });
  const device = report.devices[0];
  if (device === undefined) return { figures: {}, problem: 'the fleet reported no device' };
  return figuresOfDevice(device, runtime, tier);
}
