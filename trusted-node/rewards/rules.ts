/**
 * The reward and difficulty rules, as pure integer functions so that anyone can recompute what
 * a device earned (docs/node.md writes the same formulas out):
 *
 * - **speed level** `L = floor(log2(speed))`, where `speed = floor(2^d · 1000 / t)` is the
 *   device's measured hash rate: a share at difficulty `d` takes 2^d attempts on average and the
 *   unit took `t` ms from assignment to submit (at least 1). `L = 0` below 2 hashes/s.
 * - **reward** for a correct verdict or a share: `floor(base · (4 + L) / 4)`. It grows with the
 *   logarithm of speed: a device 1,024 times faster (ten levels up) earns (14 + L) / (4 + L)
 *   times more per verdict, 1.8 times at 256 H/s, so a small device is worth running and a fast
 *   one cannot crowd it out.
 * - **hourly cap**: what a device is credited within one clock hour (`floor(time / 3600000)`)
 *   never passes the cap; a reward that would is cut to what is left.
 * - **variable difficulty** toward a target time per share `T`: after each share taking `t` ms,
 *   `d` rises by 2 when `4t < T`, by 1 when `2t < T`, falls by 2 when `t > 4T`, by 1 when
 *   `t > 2T`, and stays within [min, max].
 * @module
 */
import { MAX_DIFFICULTY } from '../../firmware/core/layout.ts';

/** Milliseconds in the cap's accounting period. */
export const HOUR_MS = 3_600_000;

/** The parameters of the rules. */
export interface RewardRules {
  /** Base units per correct verdict at speed level 0. */
  readonly verdictReward: bigint;
  /** Base units per share at speed level 0. */
  readonly shareReward: bigint;
  /** Most base units one device is credited per clock hour. */
  readonly hourlyCap: bigint;
  /** Time per share that variable difficulty steers toward (ms). */
  readonly targetShareMs: number;
  /** Difficulty of a device's first unit. */
  readonly initialDifficulty: number;
  readonly minDifficulty: number;
  readonly maxDifficulty: number;
}

/** Defaults: a share every 30 s, difficulty 8 to start (256 attempts: well under a second on any target). */
export const DEFAULT_REWARD_RULES: RewardRules = {
  verdictReward: 100n,
  shareReward: 400n,
  hourlyCap: 1_000_000n,
  targetShareMs: 30_000,
  initialDifficulty: 8,
  minDifficulty: 1,
  maxDifficulty: 24,
};

/** The device's speed level: floor(log2(hashes per second)) measured from one share, 0 below 2 H/s. */
export function speedLevel(difficulty: number, durationMs: number): number {
  const speed = Math.floor((2 ** difficulty * 1000) / Math.max(1, Math.floor(durationMs)));
  let level = 0;
  while (2 ** (level + 1) <= speed) level++;
  return level;
}

/** A reward at a speed level: floor(base · (4 + level) / 4). */
export function scaledReward(base: bigint, level: number): bigint {
  return (base * BigInt(4 + level)) / 4n;
}

/** The clock hour a time (ms since the epoch) falls in: the cap's accounting period. */
export function hourOf(time: number): number {
  return Math.floor(time / HOUR_MS);
}

/** What may still be credited: `amount`, cut so that `creditedThisHour` never passes `cap`. */
export function underCap(amount: bigint, creditedThisHour: bigint, cap: bigint): bigint {
  const left = cap - creditedThisHour;
  return left <= 0n ? 0n : amount < left ? amount : left;
}

/** The difficulty after a share that took `durationMs` at `difficulty` (see the module comment). */
export function nextDifficulty(difficulty: number, durationMs: number, rules: RewardRules): number {
  const t = Math.max(1, durationMs);
  const target = rules.targetShareMs;
  const step = 4 * t < target ? 2 : 2 * t < target ? 1 : t > 4 * target ? -2 : t > 2 * target ? -1 : 0;
  return Math.min(rules.maxDifficulty, Math.max(rules.minDifficulty, difficulty + step));
}

/** Checks a complete set of rules; throws RangeError naming the first bad field. */
export function checkRewardRules(rules: RewardRules): RewardRules {
  for (const name of ['verdictReward', 'shareReward', 'hourlyCap'] as const) {
    const value = rules[name];
    if (typeof value !== 'bigint' || value < 0n || value >= 1n << 64n) throw new RangeError(`"rewards.${name}" expected a u64 bigint, got ${String(value)}`);
  }
  if (!(Number.isSafeInteger(rules.targetShareMs) && rules.targetShareMs > 0)) {
    throw new RangeError(`"rewards.targetShareMs" expected a positive integer, got ${rules.targetShareMs}`);
  }
  for (const name of ['initialDifficulty', 'minDifficulty', 'maxDifficulty'] as const) {
    const value = rules[name];
    if (!(Number.isInteger(value) && value >= 0 && value <= MAX_DIFFICULTY)) throw new RangeError(`"rewards.${name}" expected 0-${MAX_DIFFICULTY}, got ${value}`);
  }
  if (rules.minDifficulty > rules.maxDifficulty) throw new RangeError(`"rewards.minDifficulty" ${rules.minDifficulty} is above "rewards.maxDifficulty" ${rules.maxDifficulty}`);
  if (rules.initialDifficulty < rules.minDifficulty || rules.initialDifficulty > rules.maxDifficulty) {
    throw new RangeError(`"rewards.initialDifficulty" expected ${rules.minDifficulty}-${rules.maxDifficulty}, got ${rules.initialDifficulty}`);
  }
  return rules;
}
