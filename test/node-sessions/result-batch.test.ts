// The writer thread's hand-over format: what goes in comes out, views and all, and a record no
// code path should build is refused by field name before anything is sent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { decodeOutcomes, decodeResultBatch, encodeOutcomes, encodeResultBatch } from '../../trusted-node/devices/result-batch.ts';
import type { ResultRecord } from '../../trusted-node/store/types.ts';

const bytes = (n: number) => new Uint8Array(randomBytes(n));

function record(counter: number, verdicts: number, rewards: ResultRecord['rewards']): ResultRecord {
  return {
    deviceId: '0123456789abcdef', counter, unitId: 2 ** 40 + counter, result: bytes(112), share: counter % 2 === 0, receivedAt: 1_700_000_000_123,
    verdicts: Array.from({ length: verdicts }, (_, entryIndex) => ({ entryIndex, txId: bytes(32), code: (entryIndex * 37) % 256 })),
    rewards,
  };
}

test('a batch decodes to the records encoded, rewards and u64 amounts exact', () => {
  const records = [
    record(1, 1, [{ deviceId: '0123456789abcdef', account: bytes(32), kind: 'share', amount: 2n ** 64n - 1n, unitId: 9, createdAt: 1_700_000_000_123 }]),
    record(0xffff_ffff, 0, []),
    record(2, 300, [
      { deviceId: '0123456789abcdef', account: bytes(32), kind: 'verdict', amount: 0n, unitId: 0, createdAt: 0 },
      { deviceId: 'fedcba9876543210', account: bytes(32), kind: 'share', amount: 1_000n, unitId: 3, createdAt: 5 },
    ]),
  ];
  const buffer = encodeResultBatch(records);
  const expectedBytes = 4 + records.reduce((n, r) => n + 17 + 4 + 8 + 8 + 1 + 4 + 112 + 4 + 33 * r.verdicts.length + 1 + (r.rewards ?? []).length * (17 + 32 + 1 + 24), 0);
  assert.is(buffer.byteLength, expectedBytes);
  const decoded = decodeResultBatch(buffer);
  const plain = (rs: readonly ResultRecord[]) => rs.map((r) => ({
    ...r, result: [...r.result], verdicts: r.verdicts.map((v) => ({ ...v, txId: [...v.txId] })), rewards: (r.rewards ?? []).map((w) => ({ ...w, account: [...w.account] })),
  }));
  assert.equal(plain(decoded), plain(records));
  assert.is(decoded[0]!.result.buffer, buffer, 'byte fields are views into the transferred buffer, not copies');
});

test('a record no code path should build is refused, naming the field', () => {
  const good = record(1, 2, []);
  const refuses = (bad: ResultRecord, message: string) =>
    assert.throws(() => encodeResultBatch([good, bad]), (e: unknown) => e instanceof RangeError && e.message === message);
  refuses({ ...good, counter: -1 }, '"records[1].counter" expected an integer 0-4294967295, got -1');
  refuses({ ...good, unitId: 1.5 }, `"records[1].unitId" expected an integer 0-${Number.MAX_SAFE_INTEGER}, got 1.5`);
  refuses({ ...good, deviceId: 'é' }, '"records[1].deviceId" expected printable ASCII of at most 255 characters, got "é"');
  refuses({ ...good, verdicts: [{ entryIndex: 1, txId: bytes(32), code: 0 }] }, '"records[1].verdicts[0].entryIndex" expected 0 (verdicts in entry order), got 1');
  refuses({ ...good, verdicts: [{ entryIndex: 0, txId: bytes(31), code: 0 }] }, '"records[1].verdicts[0].txId" expected 32 bytes, got 31');
  refuses({ ...good, verdicts: [{ entryIndex: 0, txId: bytes(32), code: 256 }] }, '"records[1].verdicts[0].code" expected an integer 0-255, got 256');
  const reward = { deviceId: good.deviceId, account: bytes(32), kind: 'share' as const, amount: 1n, unitId: 1, createdAt: 1 };
  refuses({ ...good, rewards: [{ ...reward, amount: 2n ** 64n }] }, '"records[1].rewards[0].amount" expected u64, got 18446744073709551616');
  refuses({ ...good, rewards: [{ ...reward, kind: 'bonus' as never }] }, '"records[1].rewards[0].kind" expected verdict or share, got bonus');
  refuses({ ...good, rewards: [{ ...reward, account: bytes(33) }] }, '"records[1].rewards[0].account" expected 32 bytes, got 33');
});

test('a truncated or overlong buffer is refused rather than read as zeros', () => {
  const buffer = encodeResultBatch([record(1, 1, [])]);
  assert.throws(() => decodeResultBatch(buffer.slice(0, buffer.byteLength - 1)), /result batch: truncated at byte \d+ \(1 more expected, 0 left\)/);
  const longer = new Uint8Array(buffer.byteLength + 3);
  longer.set(new Uint8Array(buffer));
  assert.throws(() => decodeResultBatch(longer.buffer), /result batch: 3 bytes after the last record/);
});

test('outcomes travel as one byte each', () => {
  const outcomes = ['stored', 'duplicate', 'counter', 'unknown_device', 'stored'] as const;
  const buffer = encodeOutcomes(outcomes);
  assert.is(buffer.byteLength, 5);
  assert.equal(decodeOutcomes(buffer), [...outcomes]);
  assert.throws(() => decodeOutcomes(new Uint8Array([0, 9]).buffer), /"outcomes\[1\]" expected 0-3, got 9/);
});

test.run();
