/**
 * Device standing: reputation goes down by `penalty` for every verdict the node proves wrong
 * and up by one for every verdict an audit confirms; below `suspendBelow` the device is
 * suspended (its connection closed, authentication refused from then on). A proven-wrong
 * verdict also voids the unpaid rewards of the unit it was given in: the share and any verdict
 * rewards of that work. Changes are written to the store at once, in the node's lane; the
 * reputation is read from the store the first time a device is seen.
 * @module
 */
import type { Logger } from '../log.ts';
import type { Counter, MetricsRegistry } from '../metrics.ts';
import type { SerialLane } from '../serial.ts';
import type { LedgerStore } from '../store/types.ts';
import type { Unit } from '../scheduler/units.ts';

/** The reputation rules. */
export interface StandingRules {
  /** Points lost per verdict proven wrong. */
  readonly penalty: number;
  /** A device whose reputation falls below this is suspended. */
  readonly suspendBelow: number;
  /** Highest reputation earned by confirmed verdicts. */
  readonly maxReputation: number;
}

/** Defaults: the third wrong verdict of a new device suspends it. */
export const DEFAULT_STANDING_RULES: StandingRules = { penalty: 10, suspendBelow: -25, maxReputation: 100 };

/** Why a verdict was checked by the node. */
export type AuditTrigger = 'disagreement' | 'sample' | 'rejection' | 'ledger' | 'late' | 'probe';

/** See the module comment. */
export class Standing {
  readonly #store: LedgerStore;
  readonly #lane: SerialLane;
  readonly #rules: StandingRules;
  readonly #logger: Logger;
  readonly #onSuspend: (deviceId: string) => void;
  readonly #reputation = new Map<string, number>();
  readonly #suspended = new Set<string>();
  readonly #audits: Counter;
  readonly #wrong: Counter;
  readonly #suspensions: Counter;

  constructor(deps: { store: LedgerStore; lane: SerialLane; rules: StandingRules; metrics: MetricsRegistry; logger: Logger; onSuspend: (deviceId: string) => void }) {
    this.#store = deps.store;
    this.#lane = deps.lane;
    this.#rules = deps.rules;
    this.#logger = deps.logger;
    this.#onSuspend = deps.onSuspend;
    this.#audits = deps.metrics.counter({ name: 'mm_audits_total', help: 'Device verdicts re-checked by the node, by trigger and outcome', labels: ['trigger', 'outcome'] });
    this.#wrong = deps.metrics.counter({ name: 'mm_verdicts_wrong_total', help: 'Device verdicts proven wrong' });
    this.#suspensions = deps.metrics.counter({ name: 'mm_devices_suspended_total', help: 'Devices suspended for wrong verdicts' });
  }

  /** Starts counting a device from its stored reputation (on authentication). */
  know(deviceId: string, reputation: number): void {
    if (!this.#reputation.has(deviceId)) this.#reputation.set(deviceId, reputation);
  }

  /** Whether the device was suspended by this node since it started. */
  isSuspended(deviceId: string): boolean {
    return this.#suspended.has(deviceId);
  }

  /** An audit confirmed a verdict. */
  confirmed(deviceId: string, trigger: AuditTrigger): void {
    this.#audits.inc({ trigger, outcome: 'confirmed' });
    const now = this.#reputation.get(deviceId) ?? 0;
    if (now >= this.#rules.maxReputation) return;
    this.#set(deviceId, now + 1, false);
  }

  /**
   * A verdict was proven wrong: reputation down, the unit's unpaid rewards void, and the device
   * suspended past the threshold. Resolves once the store has it.
   */
  async wrong(deviceId: string, unit: Unit, trigger: AuditTrigger, detail: string): Promise<void> {
    this.#audits.inc({ trigger, outcome: 'wrong' });
    this.#wrong.inc();
    unit.voided = true;
    const reputation = (this.#reputation.get(deviceId) ?? 0) - this.#rules.penalty;
    const suspend = reputation < this.#rules.suspendBelow && !this.#suspended.has(deviceId);
    this.#logger.warn('verdict_wrong', { deviceId, unitId: unit.id, trigger, detail, reputation, suspended: suspend });
    // Through the lane: a block being built must not settle a reward this voids.
    const voided = this.#lane
      .run(() => this.#store.voidRewards(deviceId, `wrong verdict in unit ${unit.id}: ${detail}`, unit.id))
      .catch((error: unknown) => this.#logger.error('rewards_not_voided', { deviceId, unitId: unit.id, error }));
    const written = this.#set(deviceId, reputation, suspend);
    if (suspend) {
      this.#suspended.add(deviceId);
      this.#suspensions.inc();
      this.#onSuspend(deviceId);
    }
    await Promise.all([voided, written]);
  }

  #set(deviceId: string, reputation: number, suspend: boolean): Promise<unknown> {
    this.#reputation.set(deviceId, reputation);
    return this.#lane
      .run(() => this.#store.updateDevice(deviceId, suspend ? { reputation, suspended: true } : { reputation }))
      .catch((error: unknown) => this.#logger.error('standing_not_stored', { deviceId, error }));
  }
}
