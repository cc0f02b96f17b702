// The device's limits, enforced by the engine under the profile: memory, the CPU budget, and
// virtual time that makes a slow profile miss a deadline a fast one meets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { simProfile } from '../../host-sim/profile.ts';
import { runStandalone } from '../../host-sim/standalone.ts';
import { device, moduleImage, verdictOf } from './support.ts';

// Keeps `count` small objects alive, marking the phase as the app does, one batch per timer.
const HUNGRY = (count: number) => `
import Timer from "timer";
const kept = [];
function grow() {
  globalThis.micromineMark("checks");
  for (let i = 0; i < 100; i++) kept.push({ index: kept.length, tag: "entry" });
  if (kept.length < ${count}) Timer.set(grow, 0);
  else trace("kept " + kept.length + "\\n");
}
Timer.set(grow, 0);
`;

test('a memory-hungry image fails with "not enough memory" on the ESP32 and passes with a larger heap', async () => {
  const esp32 = simProfile('moddable-esp32');
  const small = await runStandalone(device(esp32, moduleImage('moddable-esp32', HUNGRY(3000))));
  assert.equal(verdictOf(small), { kind: 'out-of-memory', phase: 'checks', message: 'not enough memory' });
  assert.ok(small.peaks.slots > 4000, `live slots reached ${small.peaks.slots} before the end`);

  // Four times the ESP32's heaps, as a board with PSRAM could give XS.
  const larger = { ...esp32, creation: { ...esp32.creation, heap: { initial: 4 * 4928, incremental: 0 }, chunk: { initial: 4 * 78848, incremental: 0 } } };
  const logs: string[] = [];
  const big = await runStandalone(device(larger, moduleImage('moddable-esp32', HUNGRY(3000)), logs));
  assert.is(big.verdict.kind, 'running');
  assert.equal(logs, ['kept 3000']);
  assert.ok(big.peaks.slots > 6000 && big.peaks.slots <= big.limits.slots, `peak ${big.peaks.slots} of ${big.limits.slots}`);
  await big.close();
});

test('an image that loops forever is stopped by the CPU budget (the watchdog), and says where', async () => {
  const profile = simProfile('moddable-esp32');
  const looping = await runStandalone(device(profile, moduleImage('moddable-esp32', `
    import Timer from "timer";
    Timer.set(function () { globalThis.micromineMark("share"); for (;;) {} }, 10);
  `)));
  assert.equal(verdictOf(looping), { kind: 'cpu-budget', phase: 'share', message: 'cpu budget exceeded' });
  // Stopped a little past the budget (XS checks the meter every 1,024 computrons), never earlier.
  const budget = 5000 * profile.computronsPerMs;
  assert.ok(looping.computrons >= budget && looping.computrons < budget + 2048, `${looping.computrons} computrons`);
});

test('an image that throws at boot ends with a "threw" verdict naming the error', async () => {
  const thrown = await runStandalone(device(simProfile('moddable-esp32'), moduleImage('moddable-esp32', 'throw new RangeError("bad flash layout");')));
  assert.equal(verdictOf(thrown), { kind: 'threw', phase: 'boot', message: 'RangeError: bad flash layout' });
});

// 40 slices of fixed work (10.8 million computrons), then the elapsed virtual time against a
// 3,000 ms deadline: 2,162 ms at the ESP32-S3's 5,000 computrons/ms, 4,324 ms at the C3's 2,500.
const DEADLINE = `
import Timer from "timer";
import Time from "time";
const started = Time.ticks;
let slices = 0;
function slice() {
  let x = 1;
  for (let i = 0; i < 15000; i++) x = (x * 31 + i) % 1000003;
  if (++slices < 40) return Timer.set(slice, 0);
  const elapsed = Time.ticks - started;
  trace((elapsed <= 3000 ? "met " : "missed ") + elapsed + "\\n");
}
Timer.set(slice, 0);
`;

test('virtual time: the same work meets a deadline on the ESP32-S3 and misses it on the slower ESP32-C3', async () => {
  const outcomes: string[] = [];
  for (const target of ['moddable-esp32s3', 'moddable-esp32c3']) {
    const logs: string[] = [];
    const run = await runStandalone(device(simProfile(target), moduleImage(target, DEADLINE), logs));
    assert.is(run.verdict.kind, 'running');
    assert.is(logs.length, 1);
    outcomes.push(logs[0]!.split(' ')[0]!);
    await run.close();
    // The elapsed time is the computrons over the profile's rate: nothing else moves the clock.
    const elapsed = Number(logs[0]!.split(' ')[1]);
    assert.ok(Math.abs(elapsed - run.computrons / run.rate) < 20, `${target}: ${elapsed} ms for ${run.computrons} computrons`);
  }
  assert.equal(outcomes, ['met', 'missed']);
});

test.run();
