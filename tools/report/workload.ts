// The standard workload: one device of a target, alone, works one unit of a fixed size from the
// simulator's unit server (host-sim/unit-server.ts: transfers with 16-level state proofs, every
// third with a wrong nonce, signature checks for sig-tier devices, share difficulty 4, all from
// fixed keys), on the simulator's virtual clock. Its figures never depend on which other targets
// are measured, and everything it measures is a count of the engine (computrons, slots, chunk
// bytes, variables), so they repeat exactly.
import { SIM_EPOCH } from '../../host-sim/device.ts';
import { runFleet } from '../../host-sim/fleet.ts';
import type { DeviceReport } from '../../host-sim/report.ts';
import { startUnitServer } from '../../host-sim/unit-server.ts';
import { loadProfile, type Profile, type Runtime, type Tier } from '../manifests/index.ts';
import type { FigureName, Workload } from './figures.ts';

/** The workload every target runs: the figures (and the baseline) are only comparable under it. */
export const STANDARD_WORKLOAD = { units: 1, entries: 16, seed: 1 } as const;

/** What the workload measured on one target: figures by name, or why it could not. */
export interface WorkloadFigures {
  readonly figures: Partial<Record<FigureName, number>>;
  readonly workload?: Workload;
  readonly problem?: string;
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

/** The figures of one device's run on `profile`, which judged `entries` entries. */
export function figuresOfDevice(device: DeviceReport, profile: Profile, entries: number): WorkloadFigures {
  if (device.verdict !== 'ok') return { figures: {}, problem: `the device stopped: ${device.verdict} in ${device.verdictPhase}: ${device.verdictMessage}` };
  if (device.unitsDone === 0) return { figures: {}, problem: 'the device finished no unit' };
  const figures: Partial<Record<FigureName, number>> = {};
  if (profile.runtime === 'xs') {
    if (device.memory.slots !== undefined) figures['ram.slots'] = device.memory.slots.peak;
    if (device.memory.chunkBytes !== undefined) figures['ram.chunkBytes'] = device.memory.chunkBytes.peak;
  } else if (device.memory.variables !== undefined) figures['ram.variables'] = device.memory.variables.peak;
  figures['computrons.unit'] = Math.round(workComputrons(device) / device.unitsDone);
  // An entry's own work is its decoding and checks; on the sig tier, with its signature check
  // (entries refused before it, e.g. for their nonce, are in the average as on a real unit).
  const entryWork = phase(device, 'decode') + phase(device, 'checks');
  figures['computrons.hashEntry'] = Math.round(entryWork / entries);
  if (profile.tier === 'sig') figures['computrons.sigEntry'] = Math.round((entryWork + phase(device, 'signature')) / entries);
  const attempts = shareAttemptsOf(device, profile);
  if (attempts !== undefined && attempts > 0) figures['computrons.shareAttempt'] = Math.round(phase(device, 'share') / attempts);
  return {
    figures,
    workload: { units: device.unitsDone, entries, shareAttempts: attempts ?? null, shareMs: device.phases.share?.ms ?? 0 },
    ...(attempts === undefined ? { problem: 'the share phase holds native work besides share attempts, so the per-attempt figure is missing' } : {}),
  };
}

/** Runs the standard workload on `target`'s image in `distDir/<target>/` and returns its figures. */
export async function measureWorkload(target: string, _runtime: Runtime, _tier: Tier, distDir: string): Promise<WorkloadFigures> {
  let now = 0;
  const server = await startUnitServer(STANDARD_WORKLOAD.entries, { clock: () => SIM_EPOCH + now });
  try {
    const report = await runFleet({
      profiles: [target], devices: 1, units: STANDARD_WORKLOAD.units, seed: STANDARD_WORKLOAD.seed, node: server, imagesDir: distDir,
      // The unit server answers on the fleet's clock; a day of device time is ample for one unit.
      horizonMs: 24 * 3_600_000, onProgress: (progress) => void (now = progress.virtualMs),
    });
    const device = report.devices[0];
    if (device === undefined) return { figures: {}, problem: 'the fleet reported no device' };
    return figuresOfDevice(device, loadProfile(target), STANDARD_WORKLOAD.entries * device.unitsDone);
  } finally {
    await server.stop();
  }
}
