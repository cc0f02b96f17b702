/**
 * Crediting rewards under the hourly cap. The cap is kept per device and clock hour in memory,
 * seeded from the store the first time a device is seen in an hour (so a restart does not
 * reset it). A share reward is granted before its result is stored and written in the result's
 * own transaction; verdict rewards are credited when consensus settles, batched into one store
 * transaction per turn of the event loop, written in the node's lane. Either way a reward row is then paid exactly once, by
 * the block whose credits include it (the store refuses to settle a paid or voided reward).
 * @module
 */
import type { Logger } from '../log.ts';
import type { Counter, CounterSeries, MetricsRegistry } from '../metrics.ts';
import type { SerialLane } from '../serial.ts';
import type { LedgerStore, NewReward, RewardKind } from '../store/types.ts';
import { hourOf, scaledReward, underCap, type RewardRules } from './rules.ts';

/** Where a verdict reward is owed: the device, its owner's account, and the unit (voidable as a whole). */
export interface VerdictCredit {
  readonly deviceId: string;
  readonly account: Uint8Array;
  /** The device's speed level when consensus settled. */
  readonly level: number;
  readonly unit: { readonly id: number; readonly voided: boolean };
}

interface HourUse {
  readonly hour: number;
  used: bigint;
}

/** A device's hour being counted: its use as loaded from the store, and once loaded, the use itself (so a grant needs no turn). */
interface HourEntry {
  readonly hour: number;
  readonly use: Promise<HourUse>;
  loaded: HourUse | null;
}

/** See the module comment. */
export class RewardBook {
  readonly #store: LedgerStore;
  readonly #lane: SerialLane;
  readonly #rules: RewardRules;
  readonly #now: () => number;
  readonly #logger: Logger;
  /** `mm_rewards_credited_total` by kind, bound once (counted per result). */
  readonly #credited: { readonly [kind in RewardKind]: CounterSeries };
  readonly #capped: Counter;
  /** Per device, the hour being counted and what it used (loaded from the store once per hour). */
  readonly #hours = new Map<string, HourEntry>();
  #pending: { credit: VerdictCredit; reward: NewReward }[] = [];

  constructor(store: LedgerStore, lane: SerialLane, rules: RewardRules, now: () => number, metrics: MetricsRegistry, logger: Logger) {
    this.#store = store;
    this.#lane = lane;
    this.#rules = rules;
    this.#now = now;
    this.#logger = logger;
    const credited = metrics.counter({ name: 'mm_rewards_credited_total', help: 'Base units credited to devices, by kind', labels: ['kind'] });
    this.#credited = { verdict: credited.series({ kind: 'verdict' }), share: credited.series({ kind: 'share' }) };
    this.#capped = metrics.counter({ name: 'mm_rewards_capped_total', help: 'Base units not credited because a device reached its hourly cap', labels: ['kind'] });
  }

  /**
   * The share reward of a result at speed `level`, cut to what the device's hourly cap leaves,
   * as a reward to store with the result; null when the cap leaves nothing. Until the result
   * is stored, the amount counts against the cap: {@link refund} it if the store refuses. A
   * promise only while the device's use of the hour is being loaded (its first result of the hour).
   */
  share(deviceId: string, account: Uint8Array, unitId: number, level: number): NewReward | null | Promise<NewReward | null> {
    const granted = this.#grant(deviceId, 'share', scaledReward(this.#rules.shareReward, level));
    const reward = (amount: bigint): NewReward | null => (amount === 0n ? null : { deviceId, account, kind: 'share', amount, unitId, createdAt: this.#now() });
    return typeof granted === 'bigint' ? reward(granted) : granted.then(reward);
  }

  /** Gives back a share reward whose result was not stored. */
  async refund(reward: NewReward): Promise<void> {
    const entry = this.#hours.get(reward.deviceId);
    if (entry !== undefined && entry.hour === hourOf(reward.createdAt)) (await entry.use).used -= reward.amount;
  }

  /** Counts a share reward as credited once its result is durable. */
  stored(reward: NewReward): void {
    this.#credited[reward.kind].inc(Number(reward.amount));
  }

  /** Credits a correct verdict's reward (batched; skipped if its unit is voided by then). */
  async verdict(credit: VerdictCredit): Promise<void> {
    if (credit.unit.voided) return;
    const amount = await this.#grant(credit.deviceId, 'verdict', scaledReward(this.#rules.verdictReward, credit.level));
    if (amount === 0n) return;
    if (this.#pending.length === 0) setImmediate(() => void this.#flush());
    this.#pending.push({ credit, reward: { deviceId: credit.deviceId, account: credit.account, kind: 'verdict', amount, unitId: credit.unit.id, createdAt: this.#now() } });
  }

  /** Resolves once every verdict reward queued so far is written. */
  async idle(): Promise<void> {
    while (this.#pending.length > 0) await this.#flush();
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.filter((p) => !p.credit.unit.voided);
    this.#pending = [];
    if (batch.length === 0) return;
    try {
      await this.#lane.run(() => this.#store.creditRewards(batch.map((p) => p.reward)));
      for (const p of batch) this.#credited.verdict.inc(Number(p.reward.amount));
    } catch (error) {
      this.#logger.error('rewards_not_credited', { count: batch.length, error });
    }
  }

  /** Takes up to `amount` from the device's cap for the current hour; a promise while that hour's use is loading. */
  #grant(deviceId: string, kind: 'share' | 'verdict', amount: bigint): bigint | Promise<bigint> {
    const hour = hourOf(this.#now());
    let entry = this.#hours.get(deviceId);
    if (entry === undefined || entry.hour !== hour) {
      const loading: HourEntry = {
        hour, loaded: null,
        use: this.#store.rewardedInHour(deviceId, hour).then((used) => (loading.loaded = { hour, used })),
      };
      this.#hours.set(deviceId, (entry = loading));
    }
    if (entry.loaded !== null) return this.#take(entry.loaded, kind, amount);
    return entry.use.then((use) => this.#take(use, kind, amount));
  }

  #take(use: HourUse, kind: 'share' | 'verdict', amount: bigint): bigint {
    const granted = underCap(amount, use.used, this.#rules.hourlyCap);
    use.used += granted;
    if (granted < amount) this.#capped.inc({ kind }, Number(amount - granted));
    return granted;
  }
}
