// Round trips of every binary format (node encoder -> core decoder) and the errors each decoder
// and encoder gives for bad input, naming the field and offset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readU32 } from '../../firmware/core/bytes.ts';
import { decodeEntry } from '../../firmware/core/entry.ts';
import { decodeHeader } from '../../firmware/core/header.ts';
import {
  ENTRY_MAX_SIZE, ENTRY_MIN_SIZE, HEADER_HEIGHT_AT, HEADER_PREVIOUS_AT, HEADER_SIZE, LEAF_SIZE, MAX_PROOF_DEPTH, RESULT_SIZE, TX_SIZE, proofSize,
} from '../../firmware/core/layout.ts';
import { decodeProof, proofRoot } from '../../firmware/core/proof.ts';
import { decodeResult } from '../../firmware/core/result.ts';
import { decodeTx } from '../../firmware/core/tx.ts';
import { addU64, compareU64, subU64 } from '../../firmware/core/u64.ts';
import type { Decoded } from '../../firmware/core/errors.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { exampleEntry, exampleLedger, exampleTx } from '../../protocol/example.ts';
import { joinU64 } from '../../protocol/fields.ts';
import { decodeErrorName, describeDecodeError, fieldName } from '../../protocol/messages.ts';
import { StateTree, decodeLeaf, depthFor, encodeLeaf } from '../../protocol/state.ts';
import { encodeTxBody, joinTx, txId } from '../../protocol/tx.ts';
import { checkNames, checksMask, encodeEntry, encodeHeader, type HeaderFields } from '../../protocol/unit.ts';

const ledger = exampleLedger(5, 7);
const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
const headerFields: HeaderFields = {
  unitId: 0xdeadbeef, chainId: 7, height: 12, previousHash: new Uint8Array(32).fill(0xab), stateRoot: ledger.tree.root,
  checks: ['proof', 'rules'], difficulty: 12, minFee: (1n << 40n) + 5n, deadline: 30_000, entryCount: 300,
};

function failsWith<T>(decoded: Decoded<T>, code: string, field: string, offset: number): void {
  assert.not.ok(decoded.ok, `expected ${code} at ${field}`);
  if (decoded.ok) return;
  assert.is(decodeErrorName(decoded.error.code), code);
  assert.is(fieldName(decoded.error.field), field);
  assert.is(decoded.error.offset, offset);
  const words = describeDecodeError(decoded.error);
  assert.ok(words.startsWith(`"${field}" at offset ${offset}: `), words);
}

function mutate(data: Uint8Array, at: number, value: number): Uint8Array {
  const copy = data.slice();
  copy[at] = value;
  return copy;
}

test('transaction: 153 bytes, fields round trip, id is SHA-256 of the 89-byte body', () => {
  const tx = exampleTx(ledger, 1, 2, { amount: (5n << 32n) + 3n, fee: 0xffffffffn, nonce: 1 });
  assert.is(tx.length, TX_SIZE);
  const decoded = decodeTx(tx);
  if (!decoded.ok) throw new Error(describeDecodeError(decoded.error));
  const value = decoded.value;
  assert.is(value.chainId, 7);
  assert.is(hex(value.sender), hex(ledger.accounts[1].publicKey));
  assert.is(hex(value.recipient), hex(ledger.accounts[2].publicKey));
  assert.is(joinU64(value.amountLow, value.amountHigh), (5n << 32n) + 3n);
  assert.is(joinU64(value.feeLow, value.feeHigh), 0xffffffffn);
  assert.is(value.nonce, 1);
  assert.is(hex(value.body), hex(tx.subarray(0, 89)));
  assert.is(hex(txId(tx)), hex(nodeDigest.sha256(tx.subarray(0, 89))));
});

test('transaction: decoder errors name the field and offset', () => {
  const tx = exampleTx(ledger, 1, 2);
  failsWith(decodeTx(tx.subarray(0, 152)), 'truncated', 'tx', 152);
  failsWith(decodeTx(Uint8Array.of(...tx, 0)), 'oversized', 'tx', 153);
  failsWith(decodeTx(mutate(tx, 0, 2)), 'unsupported', 'tx.version', 0);
  const zero = joinTx(encodeTxBody({ chainId: 7, sender: ledger.accounts[1].publicKey, recipient: ledger.accounts[2].publicKey, amount: 0n, fee: 1n, nonce: 1 }), new Uint8Array(64));
  failsWith(decodeTx(zero), 'invalid', 'tx.amount', 69);
  const self = joinTx(encodeTxBody({ chainId: 7, sender: ledger.accounts[1].publicKey, recipient: ledger.accounts[1].publicKey, amount: 1n, fee: 1n, nonce: 1 }), new Uint8Array(64));
  failsWith(decodeTx(self), 'invalid', 'tx.recipient', 37);
});

test('transaction encoder: wrong types and values are named', () => {
  const base = { chainId: 7, sender: ledger.accounts[1].publicKey, recipient: ledger.accounts[2].publicKey, amount: 1n, fee: 1n, nonce: 1 };
  assert.throws(() => encodeTxBody({ ...base, nonce: -1 }), (e: Error) => e instanceof RangeError && e.message === '"nonce" expected u32, got -1');
  assert.throws(() => encodeTxBody({ ...base, chainId: '7' as unknown as number }), (e: Error) => e instanceof TypeError && e.message === '"chainId" expected u32, got string');
  assert.throws(() => encodeTxBody({ ...base, amount: 1n << 64n }), (e: Error) => e instanceof RangeError && /"amount" expected u64/.test(e.message));
  assert.throws(() => encodeTxBody({ ...base, amount: 5 as unknown as bigint }), (e: Error) => e instanceof TypeError && /"amount" expected u64 bigint, got number/.test(e.message));
  assert.throws(() => encodeTxBody({ ...base, sender: new Uint8Array(31) }), (e: Error) => e instanceof RangeError && e.message === '"sender" expected 32 bytes, got 31');
  assert.throws(() => encodeTxBody({ ...base, memo: 'hi' } as typeof base), (e: Error) => e instanceof TypeError && /unknown field "memo"/.test(e.message));
});

test('account leaf: 44 bytes, round trip', () => {
  const account = { publicKey: ledger.accounts[3].publicKey, balance: (1n << 63n) + 17n, nonce: 0xfffffffe };
  const leaf = encodeLeaf(account);
  assert.is(leaf.length, LEAF_SIZE);
  const decoded = decodeLeaf(leaf);
  if (!decoded.ok) throw new Error(describeDecodeError(decoded.error));
  assert.equal({ ...decoded.value, publicKey: hex(decoded.value.publicKey) }, { ...account, publicKey: hex(account.publicKey) });
  failsWith(decodeLeaf(leaf.subarray(1)), 'truncated', 'leaf', 43);
});

test('state proof: size 49 + 32*depth, every slot proves to the root, a million accounts stay under 1 KiB', () => {
  for (const count of [1, 2, 3, 5, 8, 13]) {
    const tree = new StateTree(depthFor(count), exampleLedger(count).accounts);
    for (let slot = 0; slot < count; slot++) {
      const proof = tree.proof(slot);
      assert.is(proof.length, proofSize(tree.depth));
      const decoded = decodeProof(proof);
      if (!decoded.ok) throw new Error(describeDecodeError(decoded.error));
      assert.is(decoded.value.index, slot);
      assert.is(hex(proofRoot(nodeDigest, decoded.value, new Uint8Array(65))), hex(tree.root), `count ${count} slot ${slot}`);
    }
  }
  assert.is(depthFor(1_000_000), 20);
  assert.is(proofSize(20), 689);
  assert.ok(proofSize(20) < 1024);
  assert.is(proofSize(MAX_PROOF_DEPTH), 817);
});

test('state tree: a padded depth and an update keep every proof valid', () => {
  const tree = new StateTree(6, ledger.accounts);
  const before = hex(tree.root);
  tree.update(2, { ...ledger.accounts[2], balance: 1n, nonce: 99 });
  assert.is.not(hex(tree.root), before);
  for (let slot = 0; slot < ledger.accounts.length; slot++) {
    const decoded = decodeProof(tree.proof(slot));
    if (!decoded.ok) throw new Error(describeDecodeError(decoded.error));
    assert.is(hex(proofRoot(nodeDigest, decoded.value, new Uint8Array(65))), hex(tree.root));
  }
  assert.is(tree.account(2).nonce, 99);
  const rebuilt = new StateTree(6, ledger.accounts.map((a, i) => (i === 2 ? { ...a, balance: 1n, nonce: 99 } : a)));
  assert.is(hex(rebuilt.root), hex(tree.root));
  assert.throws(() => new StateTree(2, exampleLedger(5).accounts), /"accounts" expected at most 4/);
  assert.throws(() => new StateTree(3, [ledger.accounts[0], ledger.accounts[0]]), /"accounts\[1\]" repeats the key of accounts\[0\]/);
});

test('state proof: decoder errors', () => {
  const proof = ledger.tree.proof(1);
  failsWith(decodeProof(proof.subarray(0, 48)), 'truncated', 'proof', 48);
  failsWith(decodeProof(proof.subarray(0, proof.length - 1)), 'truncated', 'proof.siblings', proof.length - 1);
  failsWith(decodeProof(Uint8Array.of(...proof, 0)), 'oversized', 'proof', proof.length);
  failsWith(decodeProof(mutate(proof, 48, 25)), 'invalid', 'proof.depth', 48);
  failsWith(decodeProof(mutate(proof, 44, 8)), 'invalid', 'proof.index', 44);
});

test('header: 93 bytes, fields round trip, coherence checks', () => {
  const header = encodeHeader(headerFields);
  assert.is(header.length, HEADER_SIZE);
  const decoded = decodeHeader(header);
  if (!decoded.ok) throw new Error(describeDecodeError(decoded.error));
  const value = decoded.value;
  assert.equal(
    [value.unitId, value.chainId, readU32(header, HEADER_HEIGHT_AT), hex(header.subarray(HEADER_PREVIOUS_AT, HEADER_PREVIOUS_AT + 32)), hex(value.stateRoot), checkNames(value.checks), value.difficulty, joinU64(value.minFeeLow, value.minFeeHigh), value.deadline, value.entryCount],
    [0xdeadbeef, 7, 12, 'ab'.repeat(32), hex(ledger.tree.root), ['format', 'proof', 'rules'], 12, (1n << 40n) + 5n, 30_000, 300],
  );
  failsWith(decodeHeader(header.subarray(1)), 'truncated', 'header', 92);
  failsWith(decodeHeader(Uint8Array.of(...header, 1)), 'oversized', 'header', 93);
  failsWith(decodeHeader(mutate(header, 0, 0)), 'unsupported', 'header.version', 0);
  failsWith(decodeHeader(mutate(header, 77, 0x17)), 'unsupported', 'header.checks', 77);
  failsWith(decodeHeader(mutate(header, 77, 0x06)), 'invalid', 'header.checks', 77);
  failsWith(decodeHeader(mutate(header, 77, 0x05)), 'invalid', 'header.checks', 77);
  failsWith(decodeHeader(mutate(header, 78, 29)), 'invalid', 'header.difficulty', 78);
  const noDeadline = header.slice();
  noDeadline.fill(0, 87, 91);
  failsWith(decodeHeader(noDeadline), 'invalid', 'header.deadline', 87);
  const noEntries = header.slice();
  noEntries.fill(0, 91, 93);
  failsWith(decodeHeader(noEntries), 'invalid', 'header.entryCount', 91);
});

test('header encoder: check names, ranges and unknown fields', () => {
  assert.is(checksMask([]), 1);
  assert.is(checksMask(['proof', 'rules', 'signature']), 15);
  assert.throws(() => checksMask(['proof', 'magic' as 'proof']), (e: Error) => e instanceof RangeError && /unknown check "magic"/.test(e.message));
  assert.throws(() => checksMask(['rules']), /"rules" without "proof"/);
  assert.throws(() => encodeHeader({ ...headerFields, difficulty: 29 }), /"difficulty" expected at most 28, got 29/);
  assert.throws(() => encodeHeader({ ...headerFields, entryCount: 65536 }), /"entryCount" expected u16, got 65536/);
  assert.throws(() => encodeHeader({ ...headerFields, deadline: 0 }), /"deadline"/);
  assert.throws(() => encodeHeader({ ...headerFields, stateRoot: new Uint8Array(31) }), /"stateRoot" expected 32 bytes, got 31/);
  assert.throws(() => encodeHeader({ ...headerFields, extra: 1 } as HeaderFields), /unknown field "extra"/);
});

test('entry: transaction then proof, 202 to 970 bytes, round trip and errors', () => {
  const tx = exampleTx(ledger, 3, 0);
  const entry = exampleEntry(ledger, 3, tx);
  assert.is(entry.length, TX_SIZE + proofSize(ledger.tree.depth));
  const decoded = decodeEntry(entry);
  if (!decoded.ok) throw new Error(describeDecodeError(decoded.error));
  assert.is(hex(decoded.value.tx.signature), hex(tx.subarray(89)));
  assert.is(decoded.value.proof.index, 3);
  assert.is([ENTRY_MIN_SIZE, ENTRY_MAX_SIZE].join(), '202,970');
  failsWith(decodeEntry(entry.subarray(0, 201)), 'truncated', 'entry', 201);
  failsWith(decodeEntry(new Uint8Array(971)), 'oversized', 'entry', 970);
  failsWith(decodeEntry(mutate(entry, 153 + 48, 24)), 'truncated', 'proof.siblings', entry.length);
  failsWith(decodeEntry(mutate(entry, 0, 9)), 'unsupported', 'tx.version', 0);
  failsWith(decodeEntry(mutate(entry, 153 + 44, 200)), 'invalid', 'proof.index', 197);
  assert.throws(() => encodeEntry(tx, new Uint8Array(10)), /"proof" is malformed/);
});

test('result: 112 bytes, decoder errors', () => {
  const result = new Uint8Array(RESULT_SIZE);
  result[8] = 3;
  result[10] = 2;
  const decoded = decodeResult(result);
  if (!decoded.ok) throw new Error(describeDecodeError(decoded.error));
  assert.is(decoded.value.entryCount, 3);
  assert.is(decoded.value.acceptedCount, 2);
  failsWith(decodeResult(result.subarray(1)), 'truncated', 'result', 111);
  failsWith(decodeResult(mutate(result, 10, 4)), 'invalid', 'result.acceptedCount', 10);
  failsWith(decodeResult(mutate(result, 8, 0)), 'invalid', 'result.entryCount', 8);
});

test('u64 halves: add, subtract and compare agree with BigInt, carries included', () => {
  const out = new Uint32Array(2);
  const values = [0n, 1n, 0xffffffffn, 1n << 32n, (1n << 32n) + 1n, (1n << 63n), (1n << 64n) - 1n, 0x123456789abcdefn];
  let seed = 7;
  for (let i = 0; i < 200; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    values.push((BigInt(seed) << 32n) | BigInt((seed * 2654435761) >>> 0));
  }
  const halves = (v: bigint) => [Number(v & 0xffffffffn), Number(v >> 32n)] as const;
  for (const a of values) {
    for (const b of values.slice(0, 20)) {
      const [al, ah] = halves(a);
      const [bl, bh] = halves(b);
      assert.is(compareU64(al, ah, bl, bh), a < b ? -1 : a > b ? 1 : 0);
      const carry = addU64(al, ah, bl, bh, out);
      assert.is(carry, a + b >= 1n << 64n ? 1 : 0);
      assert.is(joinU64(out[0], out[1]), (a + b) & ((1n << 64n) - 1n));
      const borrow = subU64(al, ah, bl, bh, out);
      assert.is(borrow, b > a ? 1 : 0);
      assert.is(joinU64(out[0], out[1]), (a - b) & ((1n << 64n) - 1n));
    }
  }
});

test.run();
