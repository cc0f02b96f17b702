/**
 * Fleets: N devices of the given profiles running their images against a trusted node, in
 * virtual time. One event queue orders everything (events.ts); each event runs in its device's
 * engine, and what the device does (timers, bytes for the node) becomes new events. After a
 * delivery that wrote to the node the fleet waits for the node's answer before going on, so the
 * node sees the fleet's requests in virtual-time order and a run depends only on its seed.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceConfig, DeviceProfile } from '../protocol/device-config.ts';
import { SIM_EPOCH, SimDevice, type DeviceEvent, type DeviceSlice, type Effects } from './device.ts';
import { EventQueue } from './events.ts';
import { DEFAULT_FAULT_RATES, noFaults, planFaults, type FaultKind, type FaultPlan, type FaultRates } from './faults.ts';
import { DIST_DIR, loadImage, type SimImage } from './image.ts';
import { Link, type LinkSink } from './network.ts';
import { SWEEP_MS, remoteNode, startLocalNode, type SimNode } from './node.ts';
import { simProfile } from './profile.ts';
import { Random } from './random.ts';
import type { FleetReport } from './report.ts';
import { deviceReport, faultReport, lostAcknowledged, provision, toHex, totals, type Member } from './member.ts';
import { checkFleetOptions } from './options.ts';
import { engineCpuMs, mainThreadCpuMs } from './cpu.ts';

/** Options of {@link runFleet}. */
export interface FleetOptions {
  /** targets, assigned to devices in turn */
  profiles: string[];
  devices: number;
  /** units each device completes (results the node acknowledged) before the run ends */
  units: number;
  seed: number;
  /** true for the default rates of docs/simulator.md, or rates of one's own */
  faults?: boolean | Partial<FaultRates>;
  /** `host:port` of a node elsewhere (needs `nodeAdmin`), or a node of one's own (bench's unit
   * server); else one is started in-process */
  node?: string | SimNode;
  nodeAdmin?: { url: string; token: string };
  /** most entries in a unit (default: what the profiles allow, capped by the node's senders) */
  entries?: number;
  /** virtual time after which the run stops (default one hour) */
  horizonMs?: number;
  /** where the built images are (default the project's dist/); each target in `<dir>/<target>/` */
  imagesDir?: string;
  /** images by target, instead of reading them (tests use deliberately bad ones) */
  images?: Record<string, SimImage>;
  /** told after every event; `done` of `devices` devices finished */
  onProgress?: (progress: { done: number; devices: number; virtualMs: number; acknowledged: number }) => void;
  /** each device's log lines */
  onLog?: (device: string, text: string) => void;
  /** each slice a device ran (a delivery or its boot), with the device's name and target */
  onSlice?: (device: string, target: string, slice: DeviceSlice) => void;
  /** the in-process node's JSON log lines */
  onNodeLog?: (line: string) => void;
}

type FleetEvent =
  | { type: 'boot'; epoch: number }
  /** `armed` tells a timer's arming apart from a later re-arming of the same id */
  | { type: 'device'; epoch: number; event: DeviceEvent; armed?: number }
  | { type: 'tick' }
  | { type: 'disconnect' }
  | { type: 'slow' }
  | { type: 'node-restart' };


/** Runs a fleet to completion and returns its report. Bad options throw, naming the option. */
export async function runFleet(options: FleetOptions): Promise<FleetReport> {
  const checked = checkFleetOptions(options);
  const random = new Random(checked.seed);
  const profiles = new Map(checked.profiles.map((target) => [target, simProfile(target)]));
  const images = new Map([...profiles].map(([target, profile]) => [target, options.images?.[target] ?? loadImage(target, profile.runtime, join(options.imagesDir ?? DIST_DIR, target))]));
  const horizon = checked.horizonMs;
  const plan: FaultPlan = options.faults
    ? planFaults(checked.devices, horizon, { ...DEFAULT_FAULT_RATES, ...(options.faults === true ? {} : options.faults), ...(options.node ? { nodeRestart: false } : {}) }, random)
    : noFaults(checked.devices, random);
  const faultCounts = new Map<FaultKind, number>();
  const countFault = (kind: FaultKind): void => void faultCounts.set(kind, (faultCounts.get(kind) ?? 0) + 1);

  const queue = new EventQueue<FleetEvent>();
  let now = 0;
  let armings = 0;
  let waiting: (() => void)[] = [];
  const opening: Promise<void>[] = [];
  let connected = 0;
  let peakConnections = 0;
  const members: Member[] = [];

  const sink: LinkSink = {
    now: () => now,
    deliver: (device, time, event) => queue.push(time, device, { type: 'device', epoch: members[device]!.epoch, event }),
    fault: (device) => {
      const rates = plan.rates;
      const lines = plan.lines[device];
      if (lines === undefined) return 0;
      if (lines.next() < rates.loss) {
        countFault('message-loss');
        return -1;
      }
      if (lines.next() < rates.delay) {
        countFault('message-delay');
        return lines.int(1, rates.maxDelayMs);
      }
      return 0;
    },
    submitted: (device, counter, result) => {
      const member = members[device]!;
      const before = member.sent.get(counter);
      if (before !== undefined && before !== result) member.reused++;
      member.sent.set(counter, result);
    },
    acknowledged: (device, counter) => {
      const member = members[device]!;
      member.acknowledged.add(counter);
      if (member.acknowledged.size >= checked.units) member.done = true;
    },
    nodeError: (device, method, code, message) => {
      const errors = members[device]!.errors;
      const key = `${method} ${code}`;
      const entry = errors.get(key) ?? { method, code, message, count: 0 };
      entry.count++;
      errors.set(key, entry);
    },
    garbage: (device, line) => {
      const member = members[device]!;
      member.garbage++;
      const shown = line.length > 60 ? `${line.slice(0, 60)}...` : line;
      void member.device.halt({ kind: 'garbage', phase: member.device.phase, message: `sent a line that is not mm/1 JSON-RPC: ${JSON.stringify(shown)}` });
    },
    connected: (delta) => {
      connected += delta;
      peakConnections = Math.max(peakConnections, connected);
    },
    activity: () => {
      for (const wake of waiting.splice(0)) wake();
    },
  };

  const flashDir = mkdtempSync(join(tmpdir(), 'mm-sim-flash-'));
  const senders = Math.max(16, checked.entries || 64);
  const local = options.node ? undefined : await startLocalNode({ seed: checked.seed, senders, maxEntries: checked.entries || senders, epoch: SIM_EPOCH, ...(options.onNodeLog ? { onLog: options.onNodeLog } : {}) });
  const node: SimNode = local ?? (typeof options.node === 'string' ? remoteNode(options.node, options.nodeAdmin ?? { url: '', token: '' }) : options.node!);
  const advance = (time: number): void => {
    now = Math.max(now, time);
    local?.setTime(now);
  };
  const started = Date.now();
  const cpuBefore = mainThreadCpuMs();
  const engineBefore = engineCpuMs();
  try {
    const identities = random.fork('identities');
    for (let index = 0; index < checked.devices; index++) {
      const target = checked.profiles[index % checked.profiles.length]!;
      const profile = profiles.get(target)!;
      const config: DeviceConfig = { node: `${node.host}:${node.port}`, id: toHex(identities.bytes(8)), key: identities.bytes(32), profile: target as DeviceProfile, tier: profile.tier };
      await node.register({ id: config.id, key: config.key, profile: target, tier: profile.tier });
      const flash = provision(join(flashDir, `${config.id}.json`), profile, config);
      flash.corruptAt = plan.devices[index]!.corruptWrite;
      const name = `d${String(index).padStart(3, '0')}`;
      const device = new SimDevice({ name, profile, image: images.get(target)!, flash, seed: checked.seed + index, onLog: (text) => options.onLog?.(name, text), onSlice: (slice) => options.onSlice?.(name, target, slice) });
      members.push({
        index, name, config, profile, device, flash, epoch: 0, timers: new Map(), links: new Map(), acknowledged: new Set(), sent: new Map(),
        reused: 0, errors: new Map(), garbage: 0, connects: 0, done: false, retired: false,
      });
      queue.push(identities.int(0, 1000), index, { type: 'boot', epoch: 0 });
      const faults = plan.devices[index]!;
      if (faults.disconnectAt >= 0) queue.push(faults.disconnectAt, index, { type: 'disconnect' });
      if (faults.slowAt >= 0) queue.push(faults.slowAt, index, { type: 'slow' });
    }
    if (plan.nodeRestartAt >= 0) queue.push(plan.nodeRestartAt, -1, { type: 'node-restart' });
    queue.push(0, -1, { type: 'tick' });

    const apply = async (member: Member, effects: Effects | undefined): Promise<void> => {
      if (effects === undefined) return;
      const at = member.device.clock;
      for (const id of effects.cleared) member.timers.delete(id);
      for (const [id, due] of effects.armed) {
        const armed = ++armings;
        member.timers.set(id, armed);
        queue.push(due, member.index, { type: 'device', epoch: member.epoch, event: { kind: 'timer', id }, armed });
      }
      for (const [socket, host, port] of effects.opens) {
        const link = new Link(member.index, socket, member.profile.latencyMs, sink);
        member.links.set(socket, link);
        member.connects++;
        // On loopback each device has an address of its own, as boards on a LAN do, so that the
        // node's per-address limits see a fleet and not one flooding peer.
        opening.push(link.open(host, port, at, host.startsWith('127.') ? loopbackAddress(member.index) : undefined));
      }
      for (const [socket, text] of effects.writes) member.links.get(socket)?.write(text, at);
      for (const socket of effects.closes) member.links.get(socket)?.close();
      // Only traffic can make the node act; a delivery that armed timers alone needs no wait.
      if (effects.writes.length + effects.opens.length + effects.closes.length > 0) await settle(members, opening, node, (wake) => waiting.push(wake));
    };

    const powerCut = async (member: Member): Promise<void> => {
      countFault('power-cut');
      await member.device.powerOff();
      for (const link of member.links.values()) link.cut();
      member.links.clear();
      member.timers.clear();
      member.epoch++;
      queue.push(member.device.clock + plan.devices[member.index]!.offMs, member.index, { type: 'boot', epoch: member.epoch });
      await settle(members, opening, node, (wake) => waiting.push(wake));
    };

    // A device that has its units is switched off, so that a run does not outlast its slowest device.
    const retire = async (): Promise<void> => {
      for (const member of members) {
        if (!member.done || member.retired) continue;
        member.retired = true;
        member.epoch++;
        member.timers.clear();
        for (const link of member.links.values()) link.cut();
        await member.device.powerOff();
      }
    };

    let next: ReturnType<typeof queue.pop>;
    while ((next = queue.pop()) !== undefined) {
      if (next.time > horizon || members.every((m) => m.done || m.device.verdict.kind !== 'running')) break;
      // A node elsewhere keeps its own clock: virtual time may not run ahead of the wall clock.
      if (typeof options.node === 'string') await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + next!.time - Date.now())));
      advance(next.time);
      const { event } = next;
      if (next.device < 0) {
        if (event.type === 'tick') {
          await node.tick();
          await settle(members, opening, node, (wake) => waiting.push(wake));
          queue.push(now + SWEEP_MS, -1, { type: 'tick' });
        } else if (event.type === 'node-restart') {
          countFault('node-restart');
          await node.restart();
          await settle(members, opening, node, (wake) => waiting.push(wake));
        }
        continue;
      }
      const member = members[next.device]!;
      const device = member.device;
      if (event.type === 'disconnect') {
        if (member.links.size > 0) countFault('disconnect');
        for (const link of member.links.values()) link.cut();
        await settle(members, opening, node, (wake) => waiting.push(wake));
        continue;
      }
      if (event.type === 'slow') {
        countFault('slow-cpu');
        device.cpuFactor = plan.devices[member.index]!.slowFactor;
        continue;
      }
      if (event.type !== 'boot' && event.type !== 'device') continue;
      if (event.epoch !== member.epoch || (event.type === 'device' && !device.running)) continue;
      if (event.type === 'device' && event.event.kind === 'timer' && member.timers.get(event.event.id) !== event.armed) continue;
      if (device.clock > next.time) {
        // Busy: the event waits for the device, in order.
        queue.push(device.clock, next.device, event);
        continue;
      }
      if (event.type === 'boot') {
        await apply(member, await device.boot(next.time));
        continue;
      }
      if (event.event.kind === 'timer') member.timers.delete(event.event.id);
      const cutHere = plan.devices[member.index]!.powerCutAt === device.deliveries + 1 && device.boots === 1;
      if (cutHere) device.cutAtNextWrite = true;
      const effects = await device.deliver(event.event, next.time);
      if (cutHere) {
        device.cutAtNextWrite = false;
        await powerCut(member);
        continue;
      }
      await apply(member, effects);
      if (!device.running) for (const link of member.links.values()) link.cut();
      await retire();
      options.onProgress?.({ done: members.filter((m) => m.done || m.device.verdict.kind !== 'running').length, devices: members.length, virtualMs: now, acknowledged: members.reduce((sum, m) => sum + m.acknowledged.size, 0) });
    }
    for (const member of members) await member.device.close();
    for (const member of members) for (const link of member.links.values()) link.cut();
    const view = await node.view();
    const lost = await lostAcknowledged(node, members);
    const wallMs = Date.now() - started;
    const simulatorCpuMs = mainThreadCpuMs() - cpuBefore;
    return {
      seed: checked.seed,
      profiles: checked.profiles,
      devices: members.map((member, index) => deviceReport(member, lost[index]!)),
      totals: { ...totals(members), peakConnections },
      node: view,
      faults: faultReport(faultCounts, members, view.restarts),
      wall: { ms: wallMs, engineCpuMs: engineCpuMs() - engineBefore, simulatorCpuMs },
    };
  } finally {
    for (const member of members) await member.device.close();
    await node.stop();
    rmSync(flashDir, { recursive: true, force: true });
  }
}

/** Waits until every request written is answered (or its link ended), then lets the node finish. */
async function settle(members: Member[], opening: Promise<void>[], node: SimNode, onActivity: (wake: () => void) => void): Promise<void> {
  await Promise.all(opening.splice(0));
  const deadline = Date.now() + 10_000;
  while (members.some((m) => [...m.links.values()].some((link) => link.busy)) && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 50);
      onActivity(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  await node.idle();
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** 127.0.1.2, 127.0.1.3, ...: one loopback address per device (Linux routes all of 127/8 to lo). */
function loopbackAddress(index: number): string {
  return `127.0.${1 + Math.floor(index / 250)}.${2 + (index % 250)}`;
}

