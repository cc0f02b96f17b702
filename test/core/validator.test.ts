// The streaming validator on real signed transactions and real state proofs: one entry per
// reason code gives exactly that verdict, the result matches the node's reference computation
// and verifies, and the unit-level refusals (tier, misuse) are clear.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIELD_HEADER_CHECKS } from '../../firmware/core/layout.ts';
import { frontierAdd, frontierRoot } from '../../firmware/core/merkle.ts';
import * as reasons from '../../firmware/core/reasons.ts';
import { REASONS, reasonCode, reasonOf, type Reason } from '../../firmware/core/reasons.ts';
import { sealResult } from '../../firmware/core/result.ts';
import { searchShare, startShareSearch } from '../../firmware/core/share.ts';
import { checkEntry, finishUnit, openUnit, type UnitValidator } from '../../firmware/core/validator.ts';
import { nobleDigest, nobleSha512 } from '../../firmware/digest/noble.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import { nodeDigest, sha256 } from '../../protocol/digest.ts';
import { exampleEntry, exampleLedger, exampleTx } from '../../protocol/example.ts';
import { decodeErrorName, describeDecodeError, describeVerdict } from '../../protocol/messages.ts';
import { acceptedRoot, verdictChain, verifyResult } from '../../protocol/result.ts';
import { txId } from '../../protocol/tx.ts';
import { encodeHeader, headerHash, type Check } from '../../protocol/unit.ts';

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
const verify = createVerifier(nobleSha512);
const ledger = exampleLedger(12, 3);
const order = ledger.bySender;
const deviceId = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
const deviceKey = sha256(new TextEncoder().encode('device key'));

function header(entryCount: number, checks: readonly Check[] = ['proof', 'rules', 'signature'], difficulty = 6): Uint8Array {
  return encodeHeader({
    unitId: 41, chainId: 3, height: 100, previousHash: sha256(Uint8Array.of(1)), stateRoot: ledger.tree.root,
    checks, difficulty, minFee: 2n, deadline: 60_000, entryCount,
  });
}

function open(bytes: Uint8Array, withSignatures = true): UnitValidator {
  const opened = openUnit(bytes, { digest: nobleDigest, verify: withSignatures ? verify : null });
  if (!opened.ok) throw new Error(describeDecodeError(opened.error));
  return opened.value;
}

/** One entry per reason, senders ascending; `expected` lists the verdicts in entry order. */
function mixedUnit(): { entries: Uint8Array[]; expected: Reason[]; ids: (Uint8Array | null)[] } {
  const s = (i: number) => order[i];
  const to = (i: number) => order[(i + 1) % order.length];
  const entries: Uint8Array[] = [];
  const expected: Reason[] = [];
  const ids: (Uint8Array | null)[] = [];
  const add = (reason: Reason, entry: Uint8Array) => {
    entries.push(entry);
    expected.push(reason);
    ids.push(reason === 'accept' ? txId(entry) : null);
  };
  const good = (i: number) => exampleTx(ledger, s(i), to(i), { fee: 2n });
  add('accept', exampleEntry(ledger, s(0), good(0)));
  add('malformed', exampleEntry(ledger, s(1), good(1)).subarray(0, 180));
  const forged = good(2);
  forged[100] ^= 1;
  add('bad-signature', exampleEntry(ledger, s(2), forged));
  const badProof = exampleEntry(ledger, s(3), good(3));
  badProof[153 + 49] ^= 0x80;
  add('bad-proof', badProof);
  const balance = ledger.accounts[s(4)].balance;
  add('insufficient-funds', exampleEntry(ledger, s(4), exampleTx(ledger, s(4), to(4), { amount: balance - 1n, fee: 2n })));
  add('bad-nonce', exampleEntry(ledger, s(5), exampleTx(ledger, s(5), to(5), { fee: 2n, nonce: ledger.accounts[s(5)].nonce + 1 })));
  add('fee-too-low', exampleEntry(ledger, s(6), exampleTx(ledger, s(6), to(6), { fee: 1n })));
  add('wrong-chain', exampleEntry(ledger, s(7), exampleTx(ledger, s(7), to(7), { fee: 2n, chainId: 4 })));
  add('duplicate', exampleEntry(ledger, s(7), exampleTx(ledger, s(7), to(8), { fee: 2n })));
  add('accept', exampleEntry(ledger, s(8), exampleTx(ledger, s(8), to(8), { fee: 2n, amount: ledger.accounts[s(8)].balance - 2n })));
  return { entries, expected, ids };
}

test('reason codes: fixed numbers, names both ways', () => {
  assert.equal(REASONS.map((r, i) => `${i}:${r}`), ['0:accept', '1:malformed', '2:bad-signature', '3:bad-proof', '4:insufficient-funds', '5:bad-nonce', '6:fee-too-low', '7:wrong-chain', '8:duplicate']);
  assert.is(reasonCode('duplicate'), 8);
  assert.is(reasonOf(3), 'bad-proof');
  assert.is(reasonOf(9), undefined);
  // The REASON_* constants the validator judges by spell the same codes.
  const constants = Object.entries(reasons).filter(([name]) => name.startsWith('REASON_'));
  assert.is(constants.length, REASONS.length);
  for (const [name, code] of constants) assert.is(REASONS[code as number], name.slice('REASON_'.length).toLowerCase().replace(/_/g, '-'), name);
});

test('a unit with one entry per reason code gives exactly those verdicts, and the result verifies', () => {
  const unit = mixedUnit();
  assert.equal(new Set(unit.expected), new Set(REASONS), 'every reason is covered');
  const bytes = header(unit.entries.length);
  const validator = open(bytes);
  const verdicts = unit.entries.map((entry) => checkEntry(validator, entry));
  assert.equal(verdicts.map((v) => reasonOf(v.code)), unit.expected);
  for (const v of verdicts) {
    if (v.code === reasonCode('accept')) assert.is(v.fault, null);
    else assert.match(describeVerdict(v), /^"[a-zA-Z.]+" at offset \d+: /);
  }
  const nonce = ledger.accounts[order[5]].nonce;
  assert.is(describeVerdict(verdicts[5], unit.entries[5]), `"tx.nonce" at offset 85: expected ${nonce}, got ${nonce + 1}`);

  const pending = finishUnit(validator, deviceId, 77);
  const search = startShareSearch(pending.digest, pending.difficulty);
  while (!searchShare(nobleDigest, search, 10));
  assert.ok(search.found !== undefined);
  const result = sealResult(nobleDigest, pending.bytes, pending.digest, search.found!, deviceKey);
  const context = { headerHash: headerHash(bytes), deviceId, deviceKey, difficulty: 6 };
  const verified = verifyResult(result, context);
  if (!verified.ok) throw new Error(describeDecodeError(verified.error));
  const accepted = unit.ids.filter((id): id is Uint8Array => id !== null);
  assert.is(verified.value.unitId, 41);
  assert.is(verified.value.counter, 77);
  assert.is(verified.value.entryCount, unit.entries.length);
  assert.is(verified.value.acceptedCount, 2);
  assert.is(hex(verified.value.acceptedRoot), hex(acceptedRoot(accepted)));
  assert.is(hex(verified.value.verdictChain), hex(verdictChain(headerHash(bytes), verdicts.map((v) => v.code))));

  const badMac = result.slice();
  badMac[111] ^= 1;
  const rejected = verifyResult(badMac, context);
  assert.is(rejected.ok ? 'ok' : rejected.rejection, 'bad-mac');
  const otherDevice = verifyResult(result, { ...context, deviceId: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 9]) });
  assert.not.ok(otherDevice.ok, 'the digest binds the device id');
  const tampered = result.slice();
  tampered[10] ^= 1;
  assert.not.ok(verifyResult(tampered, context).ok, 'the MAC and share cover the counts');
});

test('without the signature check the forged entry is accepted; a hash-tier device refuses a signature unit', () => {
  const unit = mixedUnit();
  const validator = open(header(unit.entries.length, ['proof', 'rules']), false);
  const verdicts = unit.entries.map((entry) => reasonOf(checkEntry(validator, entry).code));
  assert.equal(verdicts, unit.expected.map((r) => (r === 'bad-signature' ? 'accept' : r)));
  const refused = openUnit(header(3), { digest: nobleDigest, verify: null });
  assert.not.ok(refused.ok);
  if (!refused.ok) {
    assert.is(decodeErrorName(refused.error.code), 'tier');
    assert.is(refused.error.field, FIELD_HEADER_CHECKS);
  }
});

test('format-only units judge only format, chain and order', () => {
  const unit = mixedUnit();
  const validator = open(header(unit.entries.length, []), false);
  const verdicts = unit.entries.map((entry) => reasonOf(checkEntry(validator, entry).code));
  assert.equal(verdicts, unit.expected.map((r) => (r === 'malformed' || r === 'wrong-chain' || r === 'duplicate' ? r : 'accept')));
});

test('a malformed entry does not move the sender order; a repeated or descending sender is a duplicate', () => {
  const first = exampleEntry(ledger, order[2], exampleTx(ledger, order[2], order[0], { fee: 2n }));
  const lower = exampleEntry(ledger, order[1], exampleTx(ledger, order[1], order[0], { fee: 2n }));
  const higher = exampleEntry(ledger, order[3], exampleTx(ledger, order[3], order[0], { fee: 2n }));
  const validator = open(header(5));
  assert.is(reasonOf(checkEntry(validator, new Uint8Array(3)).code), 'malformed');
  assert.is(reasonOf(checkEntry(validator, first).code), 'accept');
  assert.is(reasonOf(checkEntry(validator, first).code), 'duplicate');
  assert.is(reasonOf(checkEntry(validator, lower).code), 'duplicate');
  assert.is(reasonOf(checkEntry(validator, higher).code), 'accept');
});

test('misuse throws: an entry past the count, finishing early, a bad device id or counter', () => {
  const entry = exampleEntry(ledger, order[0], exampleTx(ledger, order[0], order[1], { fee: 2n }));
  const validator = open(header(1));
  assert.throws(() => finishUnit(validator, deviceId, 1), /"entry" missing/);
  checkEntry(validator, entry);
  assert.throws(() => checkEntry(validator, entry), /"entry" extra/);
  assert.throws(() => finishUnit(validator, new Uint8Array(7), 1), /"deviceId" expected 8 bytes, got 7/);
  assert.throws(() => finishUnit(validator, deviceId, -1), /"counter" expected u32, got -1/);
  assert.throws(() => checkEntry(open(header(1)), 'entry' as unknown as Uint8Array), /"entry" expected Uint8Array, got string/);
});

test('the header is copied: reusing the caller\'s buffer changes nothing', () => {
  const bytes = header(1);
  const validator = open(bytes);
  const expected = hex(headerHash(bytes));
  bytes.fill(0);
  assert.is(hex(validator.headerHash), expected);
  const entry = exampleEntry(ledger, order[0], exampleTx(ledger, order[0], order[1], { fee: 2n }));
  assert.is(reasonOf(checkEntry(validator, entry).code), 'accept');
});

test('the streaming frontier equals the recursive RFC 6962 root for 0 to 70 leaves and 2^k +- 1', () => {
  const counts = [...Array.from({ length: 71 }, (_, i) => i), 127, 128, 129, 255, 256, 257, 1023, 1024, 1025];
  const ids = Array.from({ length: 1025 }, (_, i) => sha256(Uint8Array.of(i & 0xff, i >> 8)));
  for (const count of counts) {
    const frontier = new Uint8Array(16 * 32);
    const scratch = new Uint8Array(65);
    for (let i = 0; i < count; i++) frontierAdd(nodeDigest, frontier, i, ids[i], scratch);
    assert.is(hex(frontierRoot(nodeDigest, frontier, count, scratch)), hex(acceptedRoot(ids.slice(0, count))), `count ${count}`);
  }
  assert.is(hex(acceptedRoot([])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test.run();
