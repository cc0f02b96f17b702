/**
 * The report of a run: per device, fleet totals, the node's view and the faults. The same seed
 * gives the same report apart from `wall` (wall time and CPU, which depend on the machine).
 * @module
 */
import type { FaultKind } from './faults.ts';
import type { NodeView } from './node.ts';

/** A figure against its limit. */
export interface Measured {
  peak: number;
  limit: number;
}

/** One device. */
export interface DeviceReport {
  name: string;
  id: string;
  profile: string;
  runtime: 'xs' | 'espruino';
  /** `ok`, or why the device stopped: `out-of-memory`, `cpu-budget`, `threw`, `crashed` */
  verdict: string;
  /** the phase the device was in when it stopped, and the engine's message */
  verdictPhase: string;
  verdictMessage: string;
  /** live after each delivery (the stack: highest during one); `staticBytes` for one-block creations (ESP32-C3) */
  memory: { slots?: Measured; chunkBytes?: Measured; stackSlots?: Measured; staticBytes?: Measured; variables?: Measured };
  /** computrons and virtual ms per phase (decode, checks, signature, share, mac, io, boot), and the
   * highest live memory after a delivery that ended in the phase */
  phases: Record<string, { computrons: number; ms: number; slots?: number; chunkBytes?: number; variables?: number }>;
  computrons: number;
  /** the longest delivery on the device's clock against the profile's slice bound */
  longestSliceMs: Measured & { phase: string };
  virtualMs: number;
  unitsDone: number;
  resultsAcknowledged: number;
  /** highest result counter sent */
  lastCounter: number;
  boots: number;
  connects: number;
  errors: { method: string; code: number; message: string; count: number }[];
  /** lines that were not JSON-RPC */
  garbageLines: number;
  /** power-cut invariants: acknowledged results the node no longer has, counters sent twice with different results */
  lostAcknowledged: number;
  reusedCounters: number;
}

/** One kind of fault: how often it struck and what it did. */
export interface FaultReport {
  count: number;
  effect: string;
}

/** A run. */
export interface FleetReport {
  seed: number;
  profiles: string[];
  devices: DeviceReport[];
  totals: {
    devices: number;
    ok: number;
    failed: number;
    unitsDone: number;
    resultsAcknowledged: number;
    computrons: number;
    virtualMs: number;
    errors: number;
    /** most connections open at once */
    peakConnections: number;
  };
  node: NodeView;
  faults: Partial<Record<FaultKind, FaultReport>>;
  /** machine-dependent figures, left out of comparisons */
  wall: { ms: number; engineCpuMs: number; simulatorCpuMs: number };
}

const PHASE_ORDER = ['boot', 'decode', 'checks', 'signature', 'share', 'mac', 'io', 'idle'];

function pct(measured: Measured | undefined): string {
  if (!measured || measured.limit === 0) return '-';
  return `${measured.peak}/${measured.limit} (${Math.round((100 * measured.peak) / measured.limit)}%)`;
}

/** The report as text for a terminal or a log. */
export function formatReport(report: FleetReport): string {
  const lines: string[] = [];
  lines.push(`micromine sim: ${report.totals.devices} devices (${report.profiles.join(', ')}), seed ${report.seed}`);
  for (const device of report.devices) {
    const verdict = device.verdict === 'ok' ? 'ok' : `${device.verdict.toUpperCase()} in ${device.verdictPhase}: ${device.verdictMessage}`;
    lines.push('');
    lines.push(`${device.name} ${device.id} ${device.profile}: ${verdict}`);
    const memory = device.runtime === 'espruino'
      ? `variables ${pct(device.memory.variables)}`
      : `slots ${pct(device.memory.slots)}, chunk bytes ${pct(device.memory.chunkBytes)}, stack ${pct(device.memory.stackSlots)}${device.memory.staticBytes ? `, static block ${pct(device.memory.staticBytes)}` : ''}`;
    lines.push(`  memory: ${memory}`);
    lines.push(`  units ${device.unitsDone}, results acknowledged ${device.resultsAcknowledged}, last counter ${device.lastCounter}, boots ${device.boots}, connects ${device.connects}`);
    lines.push(`  cpu: ${device.computrons} computrons, ${device.virtualMs.toFixed(0)} virtual ms; longest slice ${device.longestSliceMs.peak.toFixed(1)} ms (${device.longestSliceMs.phase}) against ${device.longestSliceMs.limit} ms`);
    const phases = Object.entries(device.phases).sort(([a], [b]) => PHASE_ORDER.indexOf(a) - PHASE_ORDER.indexOf(b));
    lines.push(`  phases: ${phases.map(([name, cost]) => `${name} ${cost.computrons}c/${cost.ms.toFixed(1)}ms`).join(', ')}`);
    if (device.errors.length > 0) lines.push(`  node errors: ${device.errors.map((e) => `${e.method} ${e.code} ${e.message} x${e.count}`).join('; ')}`);
    if (device.garbageLines > 0) lines.push(`  garbage lines sent: ${device.garbageLines}`);
    if (device.lostAcknowledged || device.reusedCounters) lines.push(`  INVARIANT BROKEN: ${device.lostAcknowledged} acknowledged results lost, ${device.reusedCounters} counters reused`);
  }
  const t = report.totals;
  lines.push('');
  lines.push(`fleet: ${t.ok}/${t.devices} ok, ${t.failed} stopped; units ${t.unitsDone}, results acknowledged ${t.resultsAcknowledged}, ${t.computrons} computrons, node errors ${t.errors}, at most ${t.peakConnections} connected at once`);
  const n = report.node;
  lines.push(`node: ${n.blocks} blocks, ${n.transactionsCommitted} transactions committed, ${n.accepted} accepted and ${n.rejected} rejected by consensus, ${n.resultsStored} results stored, ${n.restarts} restarts`);
  const faults = Object.entries(report.faults);
  if (faults.length > 0) {
    lines.push('faults:');
    for (const [kind, fault] of faults) lines.push(`  ${kind}: ${fault!.count} (${fault!.effect})`);
  }
  lines.push(`wall: ${(report.wall.ms / 1000).toFixed(1)} s; CPU ${report.wall.engineCpuMs.toFixed(0)} ms in the engines, ${report.wall.simulatorCpuMs.toFixed(0)} ms in the simulator`);
  return lines.join('\n');
}

/** The report without its machine-dependent part, for comparing runs. */
export function comparable(report: FleetReport): Omit<FleetReport, 'wall'> {
  const { wall: _wall, ...rest } = report;
  return rest;
}
