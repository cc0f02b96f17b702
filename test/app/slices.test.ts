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
import { loadProfile } from '../../tools/manifests/index.ts';
import { measureProfiles, measureSlices, type MeasuredSlice, type SliceKind } from '../../tools/measure/slices.ts';

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

test('the build refuses a profile whose slice cannot hold an indivisible step, naming the field', () => {
  const profile = loadProfile('espruino-esp32c3');
  assert.throws(() => sliceBounds({ ...profile, sliceMs: 5 }, 'manifests/profiles/espruino-esp32c3.json'),
    (error: unknown) => error instanceof BuildError && /"sliceMs" 5 ms cannot hold an entry's decoding and cheap checks: 17.3 ms at this CPU rate/.test(error.message));
  const { SHA512: _, ...hashOnly } = loadProfile('moddable-esp32').digests;
  assert.throws(() => sliceBounds({ ...loadProfile('moddable-esp32'), digests: hashOnly }, 'p.json'), /"digests.SHA512" missing/);
  assert.equal(sliceBounds(profile, 'p.json').verifierSteps, 0, 'a hash-tier image never verifies');
});

test.run();
