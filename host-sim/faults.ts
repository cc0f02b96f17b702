/**
 * Faults, drawn from the run's seed: message loss and delay, disconnects, a node restart, power
 * cuts at random points, a slow CPU, and corrupted flash writes. The plan is fixed before the run
 * starts (from the seed alone); the fleet applies it and counts what each fault did.
 * @module
 */
import type { Random } from './random.ts';

/** The kinds of fault, as the report names them. */
export type FaultKind = 'message-loss' | 'message-delay' | 'disconnect' | 'node-restart' | 'power-cut' | 'slow-cpu' | 'flash-corruption';

/** Every kind, in report order. */
export const FAULT_KINDS: readonly FaultKind[] = ['message-loss', 'message-delay', 'disconnect', 'node-restart', 'power-cut', 'slow-cpu', 'flash-corruption'];

/** How likely each fault is. */
export interface FaultRates {
  /** chance that one line (either way) is lost */
  loss: number;
  /** chance that one line is delayed, and the most it is delayed by (ms) */
  delay: number;
  maxDelayMs: number;
  /** chance that a device's connection is cut once during the run */
  disconnect: number;
  /** whether the node restarts once (in-process node only) */
  nodeRestart: boolean;
  /** chance that a device loses power once, at a random delivery */
  powerCut: number;
  /** chance that a device's CPU slows down (to 25-50% of its rate) */
  slowCpu: number;
  /** chance that one of a device's flash writes is torn */
  flashCorruption: number;
}

/** The rates of `--faults`. */
export const DEFAULT_FAULT_RATES: FaultRates = {
  loss: 0.01, delay: 0.05, maxDelayMs: 2000, disconnect: 0.3, nodeRestart: true, powerCut: 0.4, slowCpu: 0.2, flashCorruption: 0.25,
};

/** What happens to one device. */
export interface DeviceFaults {
  /** virtual time of a connection cut, or -1 */
  disconnectAt: number;
  /** the delivery during which power is cut (at its first flash write, else at its end), or -1 */
  powerCutAt: number;
  /** how long the device stays off (virtual ms) */
  offMs: number;
  /** virtual time the CPU slows down from, and the factor, or -1 */
  slowAt: number;
  slowFactor: number;
  /** the flash write that is torn (1-based), or -1 */
  corruptWrite: number;
}

/** The plan of a run. */
export interface FaultPlan {
  rates: FaultRates;
  devices: DeviceFaults[];
  /** virtual time of the node restart, or -1 */
  nodeRestartAt: number;
  /** per device, the generator its line faults draw from (its lines come in a fixed order) */
  lines: Random[];
}

/** No faults at all. */
export function noFaults(devices: number, random: Random): FaultPlan {
  const none: DeviceFaults = { disconnectAt: -1, powerCutAt: -1, offMs: 0, slowAt: -1, slowFactor: 1, corruptWrite: -1 };
  return { rates: { ...DEFAULT_FAULT_RATES, loss: 0, delay: 0, disconnect: 0, nodeRestart: false, powerCut: 0, slowCpu: 0, flashCorruption: 0 }, devices: Array.from({ length: devices }, () => ({ ...none })), nodeRestartAt: -1, lines: [] };
}

/** Draws the plan for `devices` devices over `horizonMs` of virtual time. */
export function planFaults(devices: number, horizonMs: number, rates: FaultRates, random: Random): FaultPlan {
  const draw = random.fork('faults');
  const within = (): number => draw.int(2000, Math.max(2001, Math.floor(horizonMs / 4)));
  return {
    rates,
    devices: Array.from({ length: devices }, () => {
      const disconnect = draw.next() < rates.disconnect;
      const cut = draw.next() < rates.powerCut;
      const slow = draw.next() < rates.slowCpu;
      const corrupt = draw.next() < rates.flashCorruption;
      return {
        disconnectAt: disconnect ? within() : -1,
        powerCutAt: cut ? draw.int(4, 40) : -1,
        offMs: draw.int(500, 3000),
        slowAt: slow ? within() : -1,
        slowFactor: 0.25 + draw.next() / 4,
        corruptWrite: corrupt ? draw.int(2, 12) : -1,
      };
    }),
    nodeRestartAt: rates.nodeRestart ? within() : -1,
    lines: Array.from({ length: devices }, (_, index) => draw.fork(`lines ${index}`)),
  };
}
