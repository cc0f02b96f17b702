// Entry work in bounded steps gives exactly what the one-shot calls give: the validator's
// begin/step against check (one entry per reason code, state proofs up to the deepest, every
// bound), the stepped Ed25519 verifier against the library's strict verify (RFC 8032 vectors and
// mutations, any budget per step), the resumable hex decoder and frontier merges.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Point, verify as libraryVerify } from '@noble/ed25519';
import { verifyAtOnce } from '../../firmware/core/digest.ts';
import { decodeHexInto, hexToBytes } from '../../firmware/core/hex.ts';
import { MAX_PROOF_DEPTH } from '../../firmware/core/layout.ts';
import { frontierAdd, frontierMerge } from '../../firmware/core/merkle.ts';
import { REASONS, reasonOf, type Reason } from '../../firmware/core/reasons.ts';
import { beginEntry, checkEntry, finishUnit, openUnit, type StepBounds, stepEntry, type UnitValidator, type Verdict } from '../../firmware/core/validator.ts';
import { nobleSha512 } from '../../firmware/digest/noble.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import { nodeDigest, sha256 } from '../../protocol/digest.ts';
import { exampleEntry, exampleLedger, exampleTx, type ExampleLedger } from '../../protocol/example.ts';
import { encodeHeader } from '../../protocol/unit.ts';

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

let seed = 0x51ced00d;
/** xorshift32 below `n`: a failure replays. */
function below(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

/** Entries of one unit, senders ascending, one per reason code (and two accepted), with their expected verdicts. */
function everyReason(ledger: ExampleLedger): { entries: Uint8Array[]; expected: Reason[] } {
  const from = (i: number) => ledger.bySender[i];
  const transfer = (i: number, changes = {}) => exampleEntry(ledger, from(i), exampleTx(ledger, from(i), from(i + 1), { fee: 2n, ...changes }));
  const forged = transfer(2);
  forged[100] ^= 1;
  const unproven = transfer(3);
  unproven[153 + 60] ^= 1;
  const cases: [Reason, Uint8Array][] = [
    ['accept', transfer(0)],
    ['malformed', transfer(1).subarray(0, 190)],
    ['bad-signature', forged],
    ['bad-proof', unproven],
    ['insufficient-funds', transfer(4, { amount: ledger.accounts[from(4)].balance })],
    ['bad-nonce', transfer(5, { nonce: ledger.accounts[from(5)].nonce + 1 })],
    ['fee-too-low', transfer(6, { fee: 1n })],
    ['wrong-chain', transfer(7, { chainId: ledger.chainId + 1 })],
    ['duplicate', transfer(7)],
    ['accept', transfer(8)],
  ];
  return { entries: cases.map((c) => c[1]), expected: cases.map((c) => c[0]) };
}

function openFor(ledger: ExampleLedger, entryCount: number, stepped: boolean): UnitValidator {
  const header = encodeHeader({
    unitId: 3, chainId: ledger.chainId, height: 9, previousHash: new Uint8Array(32), stateRoot: ledger.tree.root,
    checks: ['proof', 'rules', 'signature'], difficulty: 4, minFee: 2n, deadline: 60_000, entryCount,
  });
  const verifier = createVerifier(nobleSha512);
  const opened = openUnit(header, { digest: nodeDigest, verify: stepped ? verifier : verifyAtOnce(verifier) });
  if (!opened.ok) throw new Error('the unit did not open');
  return opened.value;
}

/** Judges `entry` in steps within `bounds`; returns the verdict and how many steps it took. */
function stepped(validator: UnitValidator, entry: Uint8Array, bounds: () => StepBounds): { verdict: Verdict; steps: number } {
  beginEntry(validator, entry);
  for (let steps = 1; ; steps++) {
    const verdict = stepEntry(validator, bounds());
    if (verdict !== null) return { verdict, steps };
  }
}

for (const depth of [4, 9, MAX_PROOF_DEPTH]) {
  test(`stepped judging gives check's verdicts, faults and result, one entry per reason code, proofs of depth ${depth}`, () => {
    const ledger = exampleLedger(12, 3, depth);
    const unit = everyReason(ledger);
    assert.equal(new Set(unit.expected), new Set(REASONS), 'every reason code');
    const reference = openFor(ledger, unit.entries.length, false);
    const oneShot = unit.entries.map((entry) => checkEntry(reference, entry));
    assert.equal(oneShot.map((v) => reasonOf(v.code)), unit.expected);
    const deviceId = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const bounds: (() => StepBounds)[] = [
      () => ({ levels: 1, verifierSteps: 1 }),
      () => ({ levels: 3, verifierSteps: 40 }),
      () => ({ levels: 1 + below(8), verifierSteps: 1 + below(30) }),
    ];
    for (const bound of bounds) {
      const validator = openFor(ledger, unit.entries.length, true);
      const judged = unit.entries.map((entry) => stepped(validator, entry, bound));
      assert.equal(judged.map((j) => j.verdict), oneShot);
      // A rejection before the proof takes two steps: the checks, then the fold.
      assert.is(judged[unit.expected.indexOf('duplicate')].steps, 2);
      assert.is(hex(finishUnit(validator, deviceId, 5).digest), hex(finishUnit(reference, deviceId, 5).digest));
    }
    const oneAtATime = openFor(ledger, 1, true);
    // the checks, one step per level, 295 verifier steps, the fold with its merge
    assert.is(stepped(oneAtATime, unit.entries[0], bounds[0]).steps, 1 + depth + 295 + 1);
  });
}

test('step before begin, begin while judging and begin past the count throw; check runs the same steps', () => {
  const ledger = exampleLedger(4, 1);
  const entry = exampleEntry(ledger, ledger.bySender[0], exampleTx(ledger, ledger.bySender[0], ledger.bySender[1], { fee: 2n }));
  const validator = openFor(ledger, 1, true);
  assert.throws(() => stepEntry(validator, { levels: 1, verifierSteps: 1 }), /"entry" idle/);
  beginEntry(validator, entry);
  assert.throws(() => beginEntry(validator, entry), /"entry" busy/);
  assert.is(stepEntry(validator, { levels: 1, verifierSteps: 1 }), null);
  assert.throws(() => checkEntry(validator, entry), /"entry" busy/);
  let verdict: Verdict | null = null;
  while (verdict === null) verdict = stepEntry(validator, { levels: 2, verifierSteps: 50 });
  assert.is(reasonOf(verdict.code), 'accept');
  assert.throws(() => beginEntry(validator, entry), /"entry" extra/);
});

test('the last entry\'s steps fold the accepted root a few merges at a time; finish before they end throws', () => {
  const ledger = exampleLedger(4, 1);
  const entry = exampleEntry(ledger, ledger.bySender[0], exampleTx(ledger, ledger.bySender[0], ledger.bySender[1], { fee: 2n }));
  const deviceId = Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1);
  const results: string[] = [];
  for (const levels of [1, 2, MAX_PROOF_DEPTH]) {
    const validator = openFor(ledger, 1, true);
    // As if 0x7ffe entries were accepted before: the root then merges 14 subtrees.
    validator.accepted = 0x7ffe;
    beginEntry(validator, entry);
    let folds = 0;
    let verdict: Verdict | null = null;
    while (verdict === null) {
      if (validator.index === 0 && (validator as unknown as { nextStage: { name: string } }).nextStage.name === 'root') {
        folds++;
        assert.throws(() => finishUnit(validator, deviceId, 1), /"entry" missing/);
      }
      verdict = stepEntry(validator, { levels, verifierSteps: 300 });
    }
    assert.is(reasonOf(verdict.code), 'accept');
    assert.is(folds, Math.ceil(14 / levels) - 1, `${levels} merges a step`);
    results.push(hex(finishUnit(validator, deviceId, 1).bytes));
  }
  assert.is(new Set(results).size, 1, 'the same accepted root at any bound');
});

const vectors: { signature: string; message: string; publicKey: string }[] =
  JSON.parse(readFileSync(new URL('fixtures/rfc8032-ed25519.json', import.meta.url), 'utf8')).vectors;

/** Runs the stepped verifier with a random budget per step, checking that no step exceeds it. */
function verifyStepped(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, budget: () => number): { valid: boolean; steps: number } {
  const verifier = createVerifier(nobleSha512);
  verifier.begin(signature, message, publicKey);
  let steps = 0;
  for (;;) {
    const n = budget();
    const valid = verifier.step(n);
    if (valid !== null) return { valid, steps };
    steps += n;
  }
}

test('RFC 8032 vectors verify through the stepped path at any budget per step; each takes a fixed number of steps', () => {
  for (const v of vectors) {
    const parts = [bytesOf(v.signature), bytesOf(v.message), bytesOf(v.publicKey)] as const;
    const one = verifyStepped(...parts, () => 1);
    assert.ok(one.valid);
    // start, 2 × 16 decoding steps, 3 doublings, challenge, table, 253 ladder bits, + R, 3 doublings
    assert.is(one.steps + 1, 1 + 2 * 16 + 3 + 1 + 1 + 253 + 1 + 3);
    assert.ok(verifyStepped(...parts, () => 1 + below(64)).valid);
    const flipped = parts[0].slice();
    flipped[below(64)] ^= 1 << below(8);
    assert.not.ok(verifyStepped(flipped, parts[1], parts[2], () => 1 + below(64)).valid);
  }
});

test('the stepped verifier agrees with @noble/ed25519\'s strict verify on 300 mutations, edge encodings included', () => {
  const L = Point.CURVE().n;
  const P = Point.CURVE().p;
  const le = (n: bigint) => bytesOf(n.toString(16).padStart(64, '0')).reverse();
  const edges = [le(L), le(L + 1n), le(P), le(P + 1n), le(0n), le(1n), le(P - 1n), le(2n ** 255n + 5n), new Uint8Array(32).fill(0xff)];
  let valid = 0;
  for (let n = 0; n < 300; n++) {
    const v = vectors[below(vectors.length)];
    const parts = [bytesOf(v.signature), bytesOf(v.message), bytesOf(v.publicKey)];
    // 5: the vector as it is
    const what = below(6);
    if (what < 3 && parts[what].length > 0) parts[what][below(parts[what].length)] = [0, 0xff, 0x7f, 0x80, below(256)][below(5)];
    // an edge value as R, s or A: non-canonical y, s >= L, small orders, no square root
    if (what === 3) parts[below(2) === 0 ? 0 : 2].set(edges[below(edges.length)], 0);
    if (what === 4) parts[0].set(edges[below(edges.length)], 32);
    const expected = libraryVerify(parts[0], parts[1], parts[2], { zip215: false });
    assert.is(verifyStepped(parts[0], parts[1], parts[2], () => 1 + below(300)).valid, expected, `case ${n}`);
    if (expected) valid++;
  }
  assert.ok(valid > 20 && valid < 150, `${valid} valid`);
});

test('a new begin abandons a verification midway; a zero budget makes no progress; wrong lengths give false', () => {
  const v = vectors[2];
  const verifier = createVerifier(nobleSha512);
  const forged = bytesOf(v.signature);
  forged[5] ^= 1;
  verifier.begin(forged, bytesOf(v.message), bytesOf(v.publicKey));
  assert.is(verifier.step(100), null);
  verifier.begin(bytesOf(v.signature), bytesOf(v.message), bytesOf(v.publicKey));
  assert.is(verifier.step(0), null);
  let valid: boolean | null = null;
  while (valid === null) valid = verifier.step(7);
  assert.ok(valid);
  assert.is(verifier.step(5), true, 'the verdict stays until the next begin');
  const once = verifyAtOnce(verifier);
  assert.not.ok(once(bytesOf(v.signature).subarray(1), bytesOf(v.message), bytesOf(v.publicKey)));
  assert.not.ok(once(bytesOf(v.signature), bytesOf(v.message), bytesOf(v.publicKey).subarray(1)));
  assert.not.ok(once('x' as unknown as Uint8Array, bytesOf(v.message), bytesOf(v.publicKey)));
});

test('hex decodes a range at a time into a buffer sized once; a bad digit anywhere stops it', () => {
  const data = Uint8Array.from({ length: 97 }, (_, i) => (i * 37) & 0xff);
  const text = hex(data);
  const out = new Uint8Array(128);
  for (let at = 0; at < data.length;) {
    const to = Math.min(data.length, at + 1 + below(20));
    assert.ok(decodeHexInto(text, out, at, to));
    at = to;
  }
  assert.equal(out.subarray(0, data.length), data);
  for (const bad of ['G', 'A', ' ', '\u0660', '-']) {
    const at = below(text.length);
    const broken = text.slice(0, at) + bad + text.slice(at + 1);
    const byte = at >> 1;
    assert.not.ok(decodeHexInto(broken, out, byte, byte + 1), `${bad} at ${at}`);
    assert.ok(decodeHexInto(broken, out, 0, byte), 'the bytes before it decode');
    assert.is(hexToBytes(broken), null);
  }
  assert.not.ok(decodeHexInto('ab', out, 0, 2), 'past the end of the text');
});

test('frontier merges a few levels at a time end as frontierAdd does', () => {
  const ids = Array.from({ length: 300 }, (_, i) => sha256(Uint8Array.of(i & 0xff, i >> 8)));
  const whole = new Uint8Array(16 * 32);
  const steps = new Uint8Array(16 * 32);
  const scratch = new Uint8Array(65);
  let resumes = 0;
  for (let count = 0; count < ids.length; count++) {
    frontierAdd(nodeDigest, whole, count, ids[count], scratch);
    const node = Uint8Array.from(sha256(Uint8Array.of(0, ...ids[count])));
    let level = 0;
    while ((level = frontierMerge(nodeDigest, steps, count, node, level, 1 + below(3), scratch)) >= 0) resumes++;
    assert.is(hex(steps), hex(whole), `count ${count}`);
  }
  assert.ok(resumes > 50, `${resumes} resumed merges`);
});

test.run();
