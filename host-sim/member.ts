/**
 * A device as the fleet keeps it (its engine, flash, timers, links and what the wire showed),
 * provisioning its flash, and the report built from it at the end of a run.
 * @module
 */
import { encodeEspruinoConfig, encodeModdablePreferences, type DeviceConfig } from '../protocol/device-config.ts';
import type { SimDevice } from './device.ts';
import type { FaultKind } from './faults.ts';
import { Flash } from './flash.ts';
import type { Link } from './network.ts';
import type { SimNode } from './node.ts';
import type { SimProfile } from './profile.ts';
import type { DeviceReport, FaultReport, FleetReport } from './report.ts';

/** One device of a fleet. */
export interface Member {
  index: number;
  name: string;
  config: DeviceConfig;
  profile: SimProfile;
  device: SimDevice;
  flash: Flash;
  epoch: number;
  /** armed timers: id -> the arming that is current */
  timers: Map<number, number>;
  links: Map<number, Link>;
  acknowledged: Set<number>;
  sent: Map<number, string>;
  reused: number;
  errors: Map<string, { method: string; code: number; message: string; count: number }>;
  garbage: number;
  connects: number;
  /** acknowledged its units: the device is switched off and its report is final */
  done: boolean;
  retired: boolean;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Writes the configuration provisioning would write into a fresh flash file. */
export function provision(path: string, profile: SimProfile, config: DeviceConfig): Flash {
  const manifest = profile.manifest;
  const capacity = manifest.runtime === 'xs' ? manifest.flash.preference.nvsBytes.value : manifest.flash.storageBytes;
  const flash = new Flash(path, capacity);
  if (profile.runtime === 'xs') {
    for (const entry of encodeModdablePreferences(config)) {
      const value = entry.value;
      flash.put(Flash.preferenceName(entry.domain, entry.key), value instanceof Uint8Array ? { type: 'bytes', value: toHex(value) }
        : typeof value === 'string' ? { type: 'string', value } : typeof value === 'number' ? { type: 'integer', value } : { type: 'boolean', value });
    }
  } else {
    flash.put(Flash.storageName('mm.cfg'), { type: 'string', value: encodeEspruinoConfig(config) });
  }
  flash.writes = 0;
  return flash;
}

/** Acknowledged results the node does not have (in-process node only; a remote one is not asked). */
export async function lostAcknowledged(node: SimNode, members: Member[]): Promise<number[]> {
  return Promise.all(members.map(async (member) => {
    let lost = 0;
    for (const counter of member.acknowledged) if ((await node.hasResult(member.config.id, counter)) === false) lost++;
    return lost;
  }));
}

export function deviceReport(member: Member, lost: number): DeviceReport {
  const device = member.device;
  const verdict = device.verdict;
  const xs = member.profile.runtime === 'xs';
  return {
    name: member.name,
    id: member.config.id,
    profile: member.profile.target,
    runtime: member.profile.runtime,
    verdict: verdict.kind === 'running' ? 'ok' : verdict.kind,
    verdictPhase: verdict.kind === 'running' ? '' : verdict.phase,
    verdictMessage: verdict.kind === 'running' ? '' : verdict.message,
    memory: xs
      ? {
        slots: { peak: device.peaks.slots, limit: device.limits.slots }, chunkBytes: { peak: device.peaks.chunks, limit: device.limits.chunks }, stackSlots: { peak: device.peaks.stack, limit: device.limits.stack },
        ...(member.profile.creation.static > 0 ? { staticBytes: { peak: device.peaks.allocated, limit: member.profile.creation.static } } : {}),
      }
      : { variables: { peak: device.peaks.variables, limit: device.limits.variables } },
    phases: Object.fromEntries(Object.entries(device.phases).map(([name, cost]) => {
      const memory = device.memoryByPhase[name];
      const peak = memory === undefined ? {} : xs ? { slots: memory.slots, chunkBytes: memory.chunks } : { variables: memory.variables };
      return [name, { computrons: cost.computrons, ms: round(cost.ms), ...peak }];
    })),
    computrons: device.computrons,
    longestSliceMs: { peak: round(device.longestSlice.ms), limit: member.profile.sliceMs, phase: device.longestSlice.phase },
    virtualMs: round(device.clock),
    unitsDone: member.acknowledged.size,
    resultsAcknowledged: member.acknowledged.size,
    lastCounter: Math.max(0, ...member.sent.keys()),
    boots: device.boots,
    connects: member.connects,
    errors: [...member.errors.values()].sort((a, b) => a.code - b.code),
    garbageLines: member.garbage,
    lostAcknowledged: lost,
    reusedCounters: member.reused,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function totals(members: Member[]): Omit<FleetReport['totals'], 'peakConnections'> {
  const ok = members.filter((m) => m.device.verdict.kind === 'running').length;
  return {
    devices: members.length,
    ok,
    failed: members.length - ok,
    unitsDone: members.reduce((sum, m) => sum + m.acknowledged.size, 0),
    resultsAcknowledged: members.reduce((sum, m) => sum + m.acknowledged.size, 0),
    computrons: members.reduce((sum, m) => sum + m.device.computrons, 0),
    virtualMs: round(Math.max(0, ...members.map((m) => m.device.clock))),
    errors: members.reduce((sum, m) => sum + [...m.errors.values()].reduce((s, e) => s + e.count, 0), 0),
  };
}

export function faultReport(counts: Map<FaultKind, number>, members: Member[], restarts: number): Partial<Record<FaultKind, FaultReport>> {
  const out: Partial<Record<FaultKind, FaultReport>> = {};
  const sum = (pick: (m: Member) => number): number => members.reduce((total, m) => total + pick(m), 0);
  const effects: Record<FaultKind, () => string> = {
    'message-loss': () => `lines dropped; devices reconnected ${sum((m) => Math.max(0, m.connects - m.device.boots))} times in all`,
    'message-delay': () => 'lines delivered late',
    disconnect: () => `connections cut; ${sum((m) => m.connects)} connects in all`,
    'node-restart': () => `node restarted ${restarts} times; every connection dropped and came back`,
    'power-cut': () => `devices rebooted from flash ${sum((m) => m.device.boots - 1)} times; counters reused ${sum((m) => m.reused)}`,
    'slow-cpu': () => 'CPU rate cut to 25-50% from a random time',
    'flash-corruption': () => `flash writes torn: ${sum((m) => m.flash.corrupted)}`,
  };
  for (const [kind, count] of counts) out[kind] = { count, effect: effects[kind]() };
  return out;
}
