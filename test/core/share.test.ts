// Share search: found and verified at several difficulties, the smallest nonce, the same nonce
// whatever the slice sizes, bounded work per call, and the end of the nonce space.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasLeadingZeros, isShare, searchShare, startShareSearch } from '../../firmware/core/share.ts';
import { nobleDigest } from '../../firmware/digest/noble.ts';
import { nodeDigest, sha256 } from '../../protocol/digest.ts';

const digestOf = (label: string) => sha256(new TextEncoder().encode(label));

function longSearch(resultDigest: Uint8Array, difficulty: number): number {
  const search = startShareSearch(resultDigest, difficulty);
  assert.ok(searchShare(nodeDigest, search, 0xffffffff));
  assert.ok(search.found !== undefined);
  return search.found!;
}

test('leading zero bits are counted from the first byte\'s high bit', () => {
  assert.ok(hasLeadingZeros(Uint8Array.of(0xff), 0));
  assert.ok(hasLeadingZeros(Uint8Array.of(0x7f), 1));
  assert.not.ok(hasLeadingZeros(Uint8Array.of(0x80), 1));
  assert.ok(hasLeadingZeros(Uint8Array.of(0, 0x1f), 11));
  assert.not.ok(hasLeadingZeros(Uint8Array.of(0, 0x1f), 12));
  assert.ok(hasLeadingZeros(Uint8Array.of(0, 0, 0, 0x0f), 28));
  assert.not.ok(hasLeadingZeros(Uint8Array.of(0, 0, 0, 0x10), 28));
});

test('shares at difficulties 0 to 16 are found, verify, and are the smallest nonce that works', () => {
  for (const difficulty of [0, 1, 4, 8, 12, 16]) {
    const resultDigest = digestOf(`unit ${difficulty}`);
    const nonce = longSearch(resultDigest, difficulty);
    assert.ok(isShare(nodeDigest, resultDigest, nonce, difficulty), `difficulty ${difficulty}`);
    assert.ok(isShare(nobleDigest, resultDigest, nonce, difficulty), 'both digests agree');
    for (let below = 0; below < nonce; below++) assert.not.ok(isShare(nodeDigest, resultDigest, below, difficulty));
    const hash = sha256(Uint8Array.of(...resultDigest, nonce & 0xff, (nonce >> 8) & 0xff, (nonce >> 16) & 0xff, nonce >>> 24));
    assert.ok(hasLeadingZeros(hash, difficulty));
    if (difficulty > 0) assert.not.ok(isShare(nodeDigest, digestOf('another unit'), nonce, difficulty + 8), 'a share belongs to its digest');
  }
});

test('slices of any sizes find the same nonce as one long search, never exceeding their budget', () => {
  const resultDigest = digestOf('sliced');
  const expected = longSearch(resultDigest, 12);
  for (const sizes of [[1], [7], [13, 1, 250], [4096], [3, 1000, 17]]) {
    const search = startShareSearch(resultDigest, 12);
    let calls = 0;
    let done = false;
    while (!done) {
      const size = sizes[calls % sizes.length];
      const before = search.nextNonce;
      done = searchShare(nodeDigest, search, size);
      assert.ok(search.nextNonce - before <= size, 'bounded slice');
      calls++;
    }
    assert.is(search.found, expected, `slices ${sizes.join(',')}`);
    assert.is(search.nextNonce, expected + 1);
    assert.ok(searchShare(nodeDigest, search, 100), 'a finished search stays finished');
    assert.is(search.nextNonce, expected + 1);
  }
});

test('a zero-attempt slice makes no progress; a bad budget is refused by name', () => {
  const search = startShareSearch(digestOf('zero'), 8);
  assert.not.ok(searchShare(nodeDigest, search, 0));
  assert.is(search.nextNonce, 0);
  assert.throws(() => searchShare(nodeDigest, search, -1), (e: Error) => e instanceof RangeError && e.message === '"maxAttempts" expected u32, got -1');
  assert.throws(() => searchShare(nodeDigest, search, 1.5), /"maxAttempts" expected u32, got 1.5/);
});

test('the search ends at the top of the nonce space instead of wrapping', () => {
  const search = startShareSearch(digestOf('exhausted'), 28);
  search.nextNonce = 0xffffffff - 4;
  assert.ok(searchShare(nodeDigest, search, 1000));
  assert.is(search.found, undefined);
  assert.is(search.nextNonce, 2 ** 32);
  assert.ok(searchShare(nodeDigest, search, 1000));
  assert.is(search.nextNonce, 2 ** 32);
});

test.run();
