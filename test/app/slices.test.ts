// The slice bound, measured in the simulator's XS engine (computrons: deterministic, not time):
// the cost model the build sizes slices with bounds every measured slice of entry and share work,
// and at every profile's CPU rate and digest costs the longest slice of the worst entry (970
// bytes, a 24-level proof, accepted, 15 frontier merges, a signature on sig-tier profiles) fits
// the profile's sliceMs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SliceBounds } from '../../firmware/app/work.ts';
import { SLICE_COMPUTRONS, sliceBounds } from '../../tools/build/slices.ts';
import { BuildError } from '../../tools/build/errors.ts';
import { measureProfiles, measureSlices, type MeasuredSlice, type SliceKind } from '../../tools/measure/slices.ts';
import { FLASH_WRITE_US, type DeviceSlice } from '../../host-sim/device.ts';
import { runFleet } from '../../host-sim/fleet.ts';
import { listTargets, loadProfile } from '../../tools/manifests/index.ts';
import { imagesDir } from '../sim/support.ts';

/** What the build counts a slice of `kind` at. */
function modelled(kind: SliceKind, bounds: SliceBounds): number {
  const c = SLICE_COMPUTRONS;
  switch (kind) {
    case 'decode': return c.slice + bounds.hexBytes * c.hexByte;
    case 'open': return c.slice + c.open;
    case 'proof':
    case 'fold': return c.slice + c.levelStep + bounds.levels * c.level;
    case 'signature': return c.slice + bounds.verifierSteps * c.verifierStep;
    case 'share': return c.slice + bounds.attempts * c.attempt;
  }
}

test('every measured slice costs at most what the build counts it at, from one unit of each kind per slice up', async () => {
  const runs: SliceBounds[] = [
    { attempts: 1, hexBytes: 1, levels: 1, verifierSteps: 1, ms: 1e9 },
    { attempts: 8, hexBytes: 64, levels: 4, verifierSteps: 3, ms: 1e9 },
    { attempts: 40, hexBytes: 500, levels: 16, verifierSteps: 9, ms: 1e9 },
  ];
  for (const bounds of runs) {
    const slices: MeasuredSlice[] = await measureSlices(bounds, true);
    const kinds = new Set(slices.map((s) => s.kind));
    assert.equal([...kinds].sort(), ['decode', 'fold', 'open', 'proof', 'share', 'signature']);
    for (const slice of slices) {
      assert.ok(slice.computrons <= modelled(slice.kind, bounds), `${slice.kind} slice: ${slice.computrons} computrons, counted ${modelled(slice.kind, bounds)} (${JSON.stringify(bounds)})`);
    }
    // The worst entry's fold merges 15 levels: more than one step's worth unless levels is large.
    assert.is(slices.filter((s) => s.kind === 'fold').length, Math.ceil(15 / bounds.levels));
  }
});

test('at every profile\'s rate the longest slice of the worst entry and of share search is within its sliceMs', async () => {
  const results = await measureProfiles();
  assert.is(results.length, 5);
  for (const r of results) {
    assert.ok(r.longestMs <= r.sliceMs, `${r.target}: longest slice ${r.longestMs.toFixed(2)} ms against ${r.sliceMs} ms`);
    const kinds = r.worst.map((w) => w.kind).sort();
    const sig = loadProfile(r.target).tier === 'sig';
    assert.equal(kinds, sig ? ['decode', 'fold', 'open', 'proof', 'share', 'signature'] : ['decode', 'fold', 'open', 'proof', 'share'], r.target);
    // The bound is used, not wasted: the slices of the longest kind fill most of it.
    assert.ok(r.longestMs > r.sliceMs * 0.6, `${r.target}: longest slice ${r.longestMs.toFixed(2)} ms`);
  }
});

/** What a slice of the device program was, from the event and the phases it spent computrons in. */
function kindOf(slice: DeviceSlice): string {
  const event = slice.event;
  if (event.kind === 'data') {
    const line = Buffer.from(event.bytes).toString('latin1');
    const what = ['challenge', 'counter', 'mm.notify', 'entry', 'accepted', 'error'].find((word) => line.includes(`"${word}"`)) ?? 'other';
    return `line ${what}`;
  }
  if (event.kind !== 'timer') return event.kind;
  const phases = Object.keys(slice.computrons).filter((phase) => phase !== 'idle');
  // A flash write (counter, result, removal) is charged to the phase that made it.
  const writes = Object.values(slice.nativeUs).some((us) => us >= FLASH_WRITE_US) ? ' + flash' : '';
  return (phases.length === 0 ? 'start' : phases.join(' ')) + writes;
}

test('every slice of the built images, in the simulator against a node, fits its profile\'s sliceMs: boot, start, auth, notify, entries, share, seal, store, submit', async () => {
  const longest = new Map<string, Map<string, number>>();
  const seen = new Set<string>();
  const report = await runFleet({
    profiles: listTargets(), devices: listTargets().length, units: 2, seed: 5, imagesDir: await imagesDir(),
    // One power cut per device: a restart reads its counter and queued results back.
    faults: { loss: 0, delay: 0, disconnect: 0, nodeRestart: false, powerCut: 1, slowCpu: 0, flashCorruption: 0 },
    onSlice: (_device, target, slice) => {
      const kind = kindOf(slice);
      seen.add(kind);
      const kinds = longest.get(target) ?? new Map<string, number>();
      kinds.set(kind, Math.max(kinds.get(kind) ?? 0, slice.ms));
      longest.set(target, kinds);
    },
  });
  for (const device of report.devices) assert.is(device.verdict, 'ok', `${device.name}: ${device.verdictMessage}`);
  assert.ok(report.totals.resultsAcknowledged >= 2 * report.devices.length);
  for (const [target, kinds] of longest) {
    const sliceMs = loadProfile(target).sliceMs;
    for (const [kind, ms] of kinds) assert.ok(ms <= sliceMs, `${target}: a "${kind}" slice takes ${ms.toFixed(2)} ms, more than ${sliceMs} ms`);
  }
  // Every kind of slice the device program has was run, and measured above: the image's boot and
  // start, each line from the node, and timer slices of each phase (the auth proof and sealing are
  // 'mac'; hex of headers, entries and stored results 'decode'; result hex, submits 'io'), flash
  // writes among them (counter, stored result, removal after the ack).
  const timers = [...seen].filter((kind) => !kind.startsWith('line') && kind !== 'boot' && kind !== 'connected');
  for (const kind of ['boot', 'start', 'line challenge', 'line counter', 'line mm.notify', 'line entry', 'line accepted']) {
    assert.ok(seen.has(kind), `no "${kind}" slice in ${[...seen].sort().join(', ')}`);
  }
  for (const phase of ['mac', 'decode', 'checks', 'signature', 'share', 'io', '+ flash']) {
    assert.ok(timers.some((kind) => kind.includes(phase)), `no timer slice in "${phase}": ${timers.join(', ')}`);
  }
});

test('the build refuses a profile whose slice cannot hold an indivisible step, naming the field', () => {
  const profile = loadProfile('espruino-esp32c3');
  assert.throws(() => sliceBounds({ ...profile, sliceMs: 5 }, 'manifests/profiles/espruino-esp32c3.json'),
    (error: unknown) => error instanceof BuildError && /"sliceMs" 5 ms cannot hold an entry's decoding and cheap checks: 17.3 ms at this CPU rate/.test(error.message));
  const { SHA512: _, ...hashOnly } = loadProfile('moddable-esp32').digests;
  assert.throws(() => sliceBounds({ ...loadProfile('moddable-esp32'), digests: hashOnly }, 'p.json'), /"digests.SHA512" missing/);
  assert.equal(sliceBounds(profile, 'p.json').verifierSteps, 0, 'a hash-tier image never verifies');
});

test.run();
