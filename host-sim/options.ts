/**
 * Checks the options of runFleet: unknown names are refused by name, every value is checked
 * and named in the error.
 * @module
 */
import { listTargets } from '../tools/manifests/index.ts';
import type { FleetOptions } from './fleet.ts';

const KNOWN = ['profiles', 'devices', 'units', 'seed', 'faults', 'node', 'nodeAdmin', 'entries', 'horizonMs', 'imagesDir', 'images', 'onProgress', 'onLog', 'onNodeLog', 'onSlice'];

/** The most devices one run may have (each is a process). */
export const MAX_DEVICES = 1024;

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected integer, got ${value === null ? 'null' : typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`"${name}" expected integer from ${min} to ${max}, got ${value}`);
  return value;
}

/** The options with defaults, checked. */
export function checkFleetOptions(options: FleetOptions): { profiles: string[]; devices: number; units: number; seed: number; entries: number; horizonMs: number } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected object, got ${options === null ? 'null' : typeof options}`);
  for (const key of Object.keys(options)) if (!KNOWN.includes(key)) throw new TypeError(`runFleet(): unknown option "${key}"`);
  if (!Array.isArray(options.profiles) || options.profiles.length === 0) throw new TypeError('"profiles" expected a non-empty array of target names');
  const targets = listTargets();
  for (const profile of options.profiles) {
    if (!targets.includes(profile)) throw new RangeError(`"profiles" has an unknown target "${profile}" (known: ${targets.join(', ')})`);
  }
  return {
    profiles: [...options.profiles],
    devices: integer('devices', options.devices, 1, MAX_DEVICES),
    units: integer('units', options.units, 1, 1_000_000),
    seed: integer('seed', options.seed, 0, 2 ** 32 - 1),
    entries: integer('entries', options.entries ?? 0, 0, 65535),
    horizonMs: integer('horizonMs', options.horizonMs ?? 3_600_000, 1, 2 ** 40),
  };
}
