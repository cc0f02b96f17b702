// The standard workload: one device of a target, alone in its own fleet (so its figures never
// depend on which other targets are measured), runs a fixed number of units against the
// simulator's in-process trusted node, with a fixed seed. Everything it measures is a count of
// the engine (computrons, slots, chunk bytes, variables), so the figures repeat exactly.
import { join } from 'node:path';
import { runFleet } from '../../host-sim/fleet.ts';
import { loadImage } from '../../host-sim/image.ts';
import type { DeviceReport } from '../../host-sim/report.ts';
import { loadProfile, type Profile, type Runtime, type Tier } from '../manifests/index.ts';
import type { FigureName, Workload } from './figures.ts';

/** The workload every target runs: the figures (and the baseline) are only comparable under it. */
export const STANDARD_WORKLOAD = { units: 4, entries: 8, seed: 1 } as const;

/** What the workload measured on one target: figures by name, or why it could not. */
export interface WorkloadFigures {
  readonly figures: Partial<Record<FigureName, number>>;
  readonly workload?: Workload;
  readonly problem?: string;
}

/** Entries judged (and of those, signatures checked), as a simulator report may count them. */
interface EntryCounts {
  entries: number;
  sigEntries: number;
}

/**
 * Entries judged per device, when the simulator's report carries them (`counts`); undefined
 * otherwise, and the per-entry figures are then reported as not measured.
 */
function entryCountsOf(device: DeviceReport): EntryCounts | undefined {
  const counts = (device as DeviceReport & { counts?: Partial<EntryCounts> }).counts;
  if (counts === undefined || typeof counts.entries !== 'number') return undefined;
  return { entries: counts.entries, sigEntries: counts.sigEntries ?? 0 };
}

/**
 * Share attempts, from the share phase's device time: each attempt is one native SHA-256 of 36
 * bytes (one block, docs/protocol.md), which the simulator charges `usPerCall + usPerBlock`
 * (docs/manifests.md) on top of the phase's computrons at the profile's rate. The report rounds
 * phase times to 1 µs, far below one attempt's cost, so the count is exact; a result that is not
 * a whole number means the phase holds other native work, and the figure is left unmeasured.
 */
export function shareAttemptsOf(device: DeviceReport, profile: Profile): number | undefined {
  const share = device.phases.share;
  const sha256 = profile.digests.SHA256;
  if (share === undefined || sha256 === undefined) return share === undefined ? 0 : undefined;
  const nativeUs = (share.ms - share.computrons / profile.cpu.computronsPerMs.value) * 1000;
  const attempts = nativeUs / (sha256.usPerCall.value + sha256.usPerBlock.value);
  return Math.abs(attempts - Math.round(attempts)) < 0.05 ? Math.round(attempts) : undefined;
}

const phase = (device: DeviceReport, name: string): number => device.phases[name]?.computrons ?? 0;

/** The computrons of a device's work: every phase but booting and idling. */
export function workComputrons(device: DeviceReport): number {
  return Object.entries(device.phases).filter(([name]) => name !== 'boot' && name !== 'idle').reduce((sum, [, cost]) => sum + cost.computrons, 0);
}

/** The figures of one device's run on `profile`. */
export function figuresOfDevice(device: DeviceReport, profile: Profile): WorkloadFigures {
  if (device.verdict !== 'ok') return { figures: {}, problem: `the device stopped: ${device.verdict} in ${device.verdictPhase}: ${device.verdictMessage}` };
  const figures: Partial<Record<FigureName, number>> = {};
  if (profile.runtime === 'xs') {
    if (device.memory.slots !== undefined) figures['ram.slots'] = device.memory.slots.peak;
    if (device.memory.chunkBytes !== undefined) figures['ram.chunkBytes'] = device.memory.chunkBytes.peak;
  } else if (device.memory.variables !== undefined) figures['ram.variables'] = device.memory.variables.peak;
  if (device.unitsDone > 0) figures['computrons.unit'] = Math.round(workComputrons(device) / device.unitsDone);
  const attempts = shareAttemptsOf(device, profile);
  if (attempts !== undefined && attempts > 0) figures['computrons.shareAttempt'] = Math.round(phase(device, 'share') / attempts);
  const counts = entryCountsOf(device);
  if (counts !== undefined && counts.entries > 0) {
    // An entry's own work is its decoding and checks; a sig-tier entry adds one signature check.
    const hashEntry = (phase(device, 'decode') + phase(device, 'checks')) / counts.entries;
    figures['computrons.hashEntry'] = Math.round(hashEntry);
    if (profile.tier === 'sig' && counts.sigEntries > 0) figures['computrons.sigEntry'] = Math.round(hashEntry + phase(device, 'signature') / counts.sigEntries);
  }
  const missing = [
    ...(counts === undefined ? ['the simulator\'s report does not count the entries a device judged, so the per-entry figures are missing'] : []),
    ...(attempts === undefined ? ['the share phase holds native work besides share attempts, so the per-attempt figure is missing'] : []),
  ];
  return {
    figures,
    workload: { units: device.unitsDone, entries: counts?.entries ?? null, shareAttempts: attempts ?? null, shareMs: device.phases.share?.ms ?? 0 },
    ...(missing.length > 0 ? { problem: missing.join('; ') } : {}),
  };
}

/** Runs the standard workload on `target`'s image in `distDir/<target>/` and returns its figures. */
export async function measureWorkload(target: string, runtime: Runtime, _tier: Tier, distDir: string): Promise<WorkloadFigures> {
  const report = await runFleet({
    profiles: [target], devices: 1, units: STANDARD_WORKLOAD.units, entries: STANDARD_WORKLOAD.entries, seed: STANDARD_WORKLOAD.seed,
    images: { [target]: loadImage(target, runtime, join(distDir, target)) },
  });
  const device = report.devices[0];
  if (device === undefined) return { figures: {}, problem: 'the fleet reported no device' };
  return figuresOfDevice(device, loadProfile(target));
}
