// The pure rules: reward formulas, variable difficulty, unit sizing from the manifests, and the
// device server's option checking.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBudget, loadProfile } from '../../tools/manifests/index.ts';
import { resolveOptions } from '../../trusted-node/devices/options.ts';
import { seededRandom } from '../../trusted-node/consensus/audit.ts';
import { DEFAULT_REWARD_RULES, hourOf, nextDifficulty, scaledReward, speedLevel, underCap } from '../../trusted-node/rewards/rules.ts';
import { planUnit } from '../../trusted-node/scheduler/sizing.ts';

test('speed level is floor(log2(2^d * 1000 / ms)); rewards grow by a quarter of the base per level', () => {
  assert.is(speedLevel(8, 1000), 8, '256 H/s');
  assert.is(speedLevel(8, 1001), 7, 'just under 256 H/s');
  assert.is(speedLevel(16, 1000), 16);
  assert.is(speedLevel(0, 5000), 0, 'below 2 H/s');
  assert.is(speedLevel(4, 0), 13, 'a zero duration counts as 1 ms: 16,000 H/s');
  assert.is(scaledReward(400n, 0), 400n);
  assert.is(scaledReward(400n, 13), 1700n);
  assert.is(scaledReward(101n, 1), 126n, 'floor(101 * 5 / 4)');
  // A device 1,024 times faster earns (4 + 18) / (4 + 8) = 1.83 times more per verdict.
  assert.is(scaledReward(1200n, speedLevel(18, 1000)) * 12n, scaledReward(1200n, speedLevel(8, 1000)) * 22n);
});

test('the hourly cap cuts a reward to what is left, and hours are clock hours', () => {
  assert.is(underCap(100n, 0n, 1000n), 100n);
  assert.is(underCap(100n, 950n, 1000n), 50n);
  assert.is(underCap(100n, 1000n, 1000n), 0n);
  assert.is(underCap(100n, 1200n, 1000n), 0n);
  assert.equal([hourOf(0), hourOf(3_599_999), hourOf(3_600_000)], [0, 0, 1]);
});

test('variable difficulty steps toward the target share time, within the bounds', () => {
  const rules = { ...DEFAULT_REWARD_RULES, targetShareMs: 30_000, minDifficulty: 2, maxDifficulty: 20 };
  assert.is(nextDifficulty(10, 7_000, rules), 12, 'under a quarter of the target');
  assert.is(nextDifficulty(10, 14_000, rules), 11, 'under half');
  assert.is(nextDifficulty(10, 30_000, rules), 10);
  assert.is(nextDifficulty(10, 61_000, rules), 9, 'over twice');
  assert.is(nextDifficulty(10, 121_000, rules), 8, 'over four times');
  assert.is(nextDifficulty(20, 1, rules), 20);
  assert.is(nextDifficulty(2, 1_000_000, rules), 2);
});

test('units are sized from the profile budget and get a deadline from the CPU rate, slices, network latency and jitter', () => {
  const limits = { maxEntries: 0xffff, minDeadlineMs: 1, jitterMs: 0, networkSlackMs: 0 };
  for (const target of ['moddable-esp32', 'moddable-esp32c3', 'espruino-esp32', 'espruino-esp32c3']) {
    const profile = loadProfile(target);
    const budget = loadBudget(target);
    for (const signatures of profile.tier === 'sig' ? [true, false] : [false]) {
      const perEntry = signatures ? budget.computrons.sigEntry! : budget.computrons.hashEntry;
      const entries = Math.max(1, Math.floor(budget.computrons.unit / perEntry));
      const work = entries * perEntry + 2 ** 8 * budget.computrons.shareAttempt;
      const slices = Math.ceil(work / (profile.cpu.computronsPerMs.value * profile.sliceMs));
      const deadlineMs = 4 * slices * profile.sliceMs + (entries + 2) * profile.network.latencyMs.value;
      assert.equal(planUnit(profile, budget, signatures, 8, limits), { entries, deadlineMs }, `${target} signatures=${signatures}`);
    }
  }
  const profile = loadProfile('moddable-esp32');
  const budget = loadBudget('moddable-esp32');
  assert.throws(() => planUnit(loadProfile('espruino-esp32'), loadBudget('espruino-esp32'), true, 4, limits), /no "computrons.sigEntry"/);
  assert.is(planUnit(profile, budget, false, 8, { ...limits, maxEntries: 2 }).entries, 2);
  assert.is(planUnit(profile, budget, true, 0, { ...limits, maxEntries: 1, minDeadlineMs: 600_000 }).deadlineMs, 600_000);
  // The jitter allowance is paid once per round trip: each pull, the notify and the submit.
  const plain = planUnit(profile, budget, false, 8, limits);
  const jittery = planUnit(profile, budget, false, 8, { ...limits, jitterMs: 500 });
  assert.is(jittery.deadlineMs - plain.deadlineMs, (plain.entries + 2) * 500);
  // The slack is paid once per unit.
  assert.is(planUnit(profile, budget, false, 8, { ...limits, networkSlackMs: 7_000 }).deadlineMs - plain.deadlineMs, 7_000);
  // A unit with fewer entries than the device could take gets the deadline of what it holds.
  assert.equal(planUnit(profile, budget, false, 8, limits, 3), planUnit(profile, budget, false, 8, { ...limits, maxEntries: 3 }));
  assert.is(planUnit(profile, budget, false, 8, limits, 3).entries, 3);
  // A unit budget smaller than one entry still gives one entry.
  assert.is(planUnit(profile, { ...budget, computrons: { ...budget.computrons, unit: 1 } }, true, 0, limits).entries, 1);
});

test('device server options: defaults, unknown names refused by name, bad values refused with the option', () => {
  const resolved = resolveOptions({}, () => 42);
  assert.equal([resolved.consensus.replicas, resolved.consensus.quorum, resolved.consensus.auditRate, resolved.consensus.auditSeed], [3, 2, 0.05, 42]);
  assert.is(resolved.scheduling.probes, false);
  assert.equal([resolved.scheduling.jitterMs, resolved.scheduling.networkSlackMs], [500, 10_000]);
  assert.is(resolveOptions({ scheduling: { jitterMs: 0 } }).scheduling.jitterMs, 0);
  assert.throws(() => resolveOptions({ scheduling: { jitterMs: -1 } }), /"scheduling.jitterMs" expected an integer of 0 or more, got -1/);
  assert.throws(() => resolveOptions({ scheduling: { networkSlackMs: 0.5 } }), /"scheduling.networkSlackMs" expected an integer, got 0.5/);
  assert.throws(() => resolveOptions({ consensus: { replica: 3 } as never }), /unknown device server option "consensus.replica"/);
  assert.throws(() => resolveOptions({ colour: 1 } as never), /unknown device server option "colour"/);
  assert.throws(() => resolveOptions({ consensus: { quorum: 4 } }), /"consensus.quorum" 4 is above "consensus.replicas" 3/);
  assert.throws(() => resolveOptions({ consensus: { auditRate: 2 } }), /"consensus.auditRate" expected a number from 0 to 1, got 2/);
  assert.throws(() => resolveOptions({ limits: { maxConnections: 0 } }), /"limits.maxConnections" expected a positive integer, got 0/);
  assert.throws(() => resolveOptions({ rewards: { hourlyCap: 5 as never } }), /"rewards.hourlyCap" expected a u64 bigint, got 5/);
  assert.throws(() => resolveOptions({ rewards: { initialDifficulty: 30 } }), /"rewards.initialDifficulty" expected 0-28, got 30/);
  assert.throws(() => resolveOptions({ session: { maxStrike: 2 } as never }), /unknown device server option "session.maxStrike"/);
});

test('the audit sample generator is reproducible from its seed', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const draws = Array.from({ length: 1000 }, () => a());
  assert.equal(draws, Array.from({ length: 1000 }, () => b()));
  assert.ok(draws.every((x) => x >= 0 && x < 1));
  const hits = draws.filter((x) => x < 0.05).length;
  assert.ok(hits > 20 && hits < 90, `${hits} of 1000 below 0.05`);
});

test.run();
