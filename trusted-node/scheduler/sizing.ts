/**
 * How big a unit a device gets and how long it has, from its profile and budget in manifests/
 * (the same files the build and the simulator read):
 *
 * - **entries** = `floor(budget.computrons.unit / cost per entry)`, the cost per entry being
 *   `computrons.sigEntry` for a unit with signature checks and `computrons.hashEntry` otherwise;
 *   at least 1, at most 65,535 and at most the operator's cap.
 * - **deadline** = `4 · slices · sliceMs + (entries + 2) · (latency + jitter) + slack`, at least
 *   the minimum, where `slices = ceil(work / (rate · sliceMs))` is how many of the profile's
 *   slices the work takes, `work = entries · cost per entry + 2^difficulty · computrons.shareAttempt`
 *   (computrons), `rate = cpu.computronsPerMs`, `latency = network.latencyMs`, `jitter` the
 *   operator's allowance for how much later than that a round trip arrives on average (one round
 *   trip per pull plus the notify and the submit) and `slack` the operator's allowance once per
 *   unit for the few lines held up for seconds. Of the factor 4, 2 is the appliance's own share
 *   of the CPU (the device yields as long as it worked after every slice) and 2 is margin.
 *   Jitter adds up over the round trips, so its allowance is per round trip; its spread grows
 *   more slowly, and weighs most on short units, so that allowance is per unit.
 *
 * Profiles and budgets are read once per target and kept: they do not change while a node runs.
 * @module
 */
import { MAX_ENTRIES } from '../../firmware/core/layout.ts';
import { loadBudget, loadProfile, type Budget, type Profile } from '../../tools/manifests/index.ts';

/** The size and deadline of one unit. */
export interface UnitPlan {
  readonly entries: number;
  readonly deadlineMs: number;
}

/** Operator limits on top of what the profile allows. */
export interface SizingLimits {
  /** Most entries in any unit (default 65,535: the profile decides). */
  readonly maxEntries: number;
  /** Shortest deadline given (ms). */
  readonly minDeadlineMs: number;
  /** Allowance per round trip for a network slower than the profile's latency (ms, 0 or more). */
  readonly jitterMs: number;
  /** Allowance once per unit for lines held up for seconds (ms, 0 or more). */
  readonly networkSlackMs: number;
}

/** The largest deadline a header can carry. */
const MAX_DEADLINE_MS = 0xffffffff;

/**
 * Plans a unit for a device of `profile`/`budget` doing signature checks or not, at `difficulty`.
 * With `available`, the unit holds no more entries than that, and its deadline is for what it holds.
 */
export function planUnit(profile: Profile, budget: Budget, signatures: boolean, difficulty: number, limits: SizingLimits, available = MAX_ENTRIES): UnitPlan {
  const perEntry = signatures ? budget.computrons.sigEntry : budget.computrons.hashEntry;
  if (perEntry === undefined) throw new RangeError(`target ${profile.target} has no "computrons.sigEntry": it cannot do signature checks`);
  const entries = Math.max(1, Math.min(MAX_ENTRIES, available, limits.maxEntries, Math.floor(budget.computrons.unit / perEntry)));
  const work = entries * perEntry + 2 ** difficulty * budget.computrons.shareAttempt;
  const slices = Math.ceil(work / (profile.cpu.computronsPerMs.value * profile.sliceMs));
  const networkMs = (entries + 2) * (profile.network.latencyMs.value + limits.jitterMs) + limits.networkSlackMs;
  const deadlineMs = Math.min(MAX_DEADLINE_MS, Math.max(limits.minDeadlineMs, Math.ceil(4 * slices * profile.sliceMs + networkMs)));
  return { entries, deadlineMs };
}

/** Reads each target's profile and budget once. */
export class ProfileCatalog {
  readonly #loaded = new Map<string, { profile: Profile; budget: Budget }>();

  /** The profile and budget of `target`; throws the manifests' error naming file and field. */
  get(target: string): { profile: Profile; budget: Budget } {
    let entry = this.#loaded.get(target);
    if (entry === undefined) {
      entry = { profile: loadProfile(target), budget: loadBudget(target) };
      this.#loaded.set(target, entry);
    }
    return entry;
  }
}
