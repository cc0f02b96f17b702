/**
 * The simulator's targets as functions the bench command calls:
 *
 * - {@link benchCpuShare}: a fleet of mixed profiles, and the share of the simulator's CPU time
 *   spent inside the XS engines (engine processes against the simulator's main thread, both
 *   from /proc, measured in one run; the node's worker thread is not the simulator's);
 * - {@link benchConnections}: how many devices were connected to the node at once;
 * - {@link benchUnitMemory}: per profile, a device's peak live memory while entries stream in, on
 *   a unit of `large` entries against one of `small` (the device streams them: equal or close).
 * @module
 */
import { listTargets } from '../tools/manifests/index.ts';
import { SIM_EPOCH } from './device.ts';
import { runFleet, type FleetOptions } from './fleet.ts';
import type { DeviceReport } from './report.ts';
import { startUnitServer } from './unit-server.ts';

type Common = Pick<FleetOptions, 'imagesDir' | 'onProgress'> & { seed?: number };

/** CPU share inside the engines for a fleet of `devices` devices of `profiles` (default: every target). */
export async function benchCpuShare(options: Common & { devices?: number; units?: number; profiles?: string[] } = {}): Promise<{
  devices: number; engineCpuMs: number; simulatorCpuMs: number; share: number; wallMs: number; computrons: number; ok: number;
}> {
  const report = await runFleet({
    profiles: options.profiles ?? listTargets(), devices: options.devices ?? 64, units: options.units ?? 1, seed: options.seed ?? 1,
    ...(options.imagesDir ? { imagesDir: options.imagesDir } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const { engineCpuMs, simulatorCpuMs, ms } = report.wall;
  return {
    devices: report.totals.devices, engineCpuMs, simulatorCpuMs, share: engineCpuMs / (engineCpuMs + simulatorCpuMs),
    wallMs: ms, computrons: report.totals.computrons, ok: report.totals.ok,
  };
}

/** The most devices connected to the node at once, out of `devices` (default 256). */
export async function benchConnections(options: Common & { devices?: number; profiles?: string[] } = {}): Promise<{ devices: number; peakConnections: number; ok: number; wallMs: number }> {
  const report = await runFleet({
    profiles: options.profiles ?? ['espruino-esp32', 'moddable-esp32', 'espruino-esp32c3', 'moddable-esp32s3'],
    devices: options.devices ?? 256, units: 2, seed: options.seed ?? 1,
    ...(options.imagesDir ? { imagesDir: options.imagesDir } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { devices: report.totals.devices, peakConnections: report.totals.peakConnections, ok: report.totals.ok, wallMs: report.wall.ms };
}

/** One device's memory on one unit: the figure that bounds it on its runtime. */
export interface UnitMemory {
  entries: number;
  /** Moddable: live slots and chunk bytes; Espruino: variables */
  slots?: number;
  chunkBytes?: number;
  variables?: number;
  unitsDone: number;
}

/** Peak memory on a unit of `small` and of `large` entries for each profile, and the largest relative growth. */
export async function benchUnitMemory(options: Common & { profiles?: string[]; small?: number; large?: number } = {}): Promise<{
  profile: string; small: UnitMemory; large: UnitMemory; growth: number;
}[]> {
  const results = [];
  for (const profile of options.profiles ?? listTargets()) {
    const measured: UnitMemory[] = [];
    for (const entries of [options.small ?? 16, options.large ?? 256]) {
      let now = 0;
      const server = await startUnitServer(entries, { clock: () => SIM_EPOCH + now });
      try {
        const report = await runFleet({
          profiles: [profile], devices: 1, units: 1, seed: options.seed ?? 1, node: server, horizonMs: 24 * 3_600_000,
          ...(options.imagesDir ? { imagesDir: options.imagesDir } : {}),
          onProgress: (progress) => { now = progress.virtualMs; options.onProgress?.(progress); },
        });
        measured.push(memoryOf(entries, report.devices[0]!));
      } finally {
        await server.stop();
      }
    }
    const [a, b] = measured as [UnitMemory, UnitMemory];
    const growth = Math.max(...(['slots', 'chunkBytes', 'variables'] as const).filter((k) => a[k] !== undefined).map((k) => (b[k]! - a[k]!) / a[k]!));
    results.push({ profile, small: a, large: b, growth });
  }
  return results;
}

/** The peak while entries stream in (phases decode, checks, signature), where a unit's size could show. */
function memoryOf(entries: number, device: DeviceReport): UnitMemory {
  const streaming = ['decode', 'checks', 'signature'].map((phase) => device.phases[phase]).filter((p) => p !== undefined);
  const peak = (key: 'slots' | 'chunkBytes' | 'variables'): number => Math.max(0, ...streaming.map((p) => p[key] ?? 0));
  return device.runtime === 'espruino'
    ? { entries, variables: peak('variables'), unitsDone: device.unitsDone }
    : { entries, slots: peak('slots'), chunkBytes: peak('chunkBytes'), unitsDone: device.unitsDone };
}
