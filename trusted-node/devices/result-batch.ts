/**
 * The hand-over of a batch of device results to the writer thread as one `ArrayBuffer`,
 * transferred rather than cloned: the main thread writes each record's fields once, and the
 * writer reads them back as views into that buffer (a result's bytes and transaction ids are
 * not copied again). A structured clone walked every object of every record on both threads.
 * The outcomes come back as one byte each.
 *
 * Layout, little-endian (docs/decisions.md), per batch: u32 record count, then per record:
 * device id (u8 length, ASCII), u32 counter, f64 unit id, f64 received at, u8 share flag,
 * u32 result length and the result, u32 verdict count, a code byte per verdict, a 32-byte
 * transaction id per verdict, u8 reward count, and per reward: device id (as above), 32-byte
 * account, u8 kind, u64 amount, f64 unit id, f64 created at. Integers in f64 are exact up to 2^53.
 * @module
 */
import type { NewReward, ResultOutcome, ResultRecord, RewardKind, VerdictRecord } from '../store/types.ts';

const KINDS: readonly RewardKind[] = ['verdict', 'share'];
const OUTCOMES: readonly ResultOutcome[] = ['stored', 'duplicate', 'counter', 'unknown_device'];
const TX_ID = 32;
const ACCOUNT = 32;

/** Encodes `records` into one buffer to transfer; a field no record may carry throws, naming it. */
export function encodeResultBatch(records: readonly ResultRecord[]): ArrayBuffer {
  let size = 4;
  records.forEach((r, i) => {
    size += idSize(r.deviceId, i, 'deviceId') + 4 + 8 + 8 + 1 + 4 + r.result.length + 4 + r.verdicts.length * (1 + TX_ID) + 1;
    const rewards = r.rewards ?? [];
    if (rewards.length > 255) throw new RangeError(`"records[${i}].rewards" expected at most 255, got ${rewards.length}`);
    rewards.forEach((w, j) => (size += idSize(w.deviceId, i, 'rewards[#].deviceId', j) + ACCOUNT + 1 + 8 + 8 + 8));
  });
  const buffer = new ArrayBuffer(size);
  const out = new Writer(buffer);
  out.u32(records.length);
  records.forEach((r, i) => {
    out.id(r.deviceId);
    out.u32(uint(r.counter, 0xffff_ffff, i, 'counter'));
    out.f64(uint(r.unitId, Number.MAX_SAFE_INTEGER, i, 'unitId'));
    out.f64(uint(r.receivedAt, Number.MAX_SAFE_INTEGER, i, 'receivedAt'));
    out.u8(r.share ? 1 : 0);
    out.u32(r.result.length);
    out.bytes(r.result);
    out.u32(r.verdicts.length);
    r.verdicts.forEach((v, k) => {
      if (v.entryIndex !== k) throw new RangeError(`"${fieldName(i, 'verdicts[#].entryIndex', k)}" expected ${k} (verdicts in entry order), got ${v.entryIndex}`);
      out.u8(uint(v.code, 255, i, 'verdicts[#].code', k));
    });
    r.verdicts.forEach((v, k) => out.bytes(exact(v.txId, TX_ID, i, 'verdicts[#].txId', k)));
    const rewards = r.rewards ?? [];
    out.u8(rewards.length);
    rewards.forEach((w, j) => {
      out.id(w.deviceId);
      out.bytes(exact(w.account, ACCOUNT, i, 'rewards[#].account', j));
      const kind = KINDS.indexOf(w.kind);
      if (kind < 0) throw new RangeError(`"${fieldName(i, 'rewards[#].kind', j)}" expected verdict or share, got ${String(w.kind)}`);
      out.u8(kind);
      if (!(typeof w.amount === 'bigint' && w.amount >= 0n && w.amount < 2n ** 64n)) throw new RangeError(`"${fieldName(i, 'rewards[#].amount', j)}" expected u64, got ${String(w.amount)}`);
      out.u64(w.amount);
      out.f64(uint(w.unitId, Number.MAX_SAFE_INTEGER, i, 'rewards[#].unitId', j));
      out.f64(uint(w.createdAt, Number.MAX_SAFE_INTEGER, i, 'rewards[#].createdAt', j));
    });
  });
  return buffer;
}

/** Decodes what {@link encodeResultBatch} wrote; byte fields are views into `buffer`. */
export function decodeResultBatch(buffer: ArrayBuffer): ResultRecord[] {
  const input = new Reader(buffer);
  const records: ResultRecord[] = new Array(input.u32());
  for (let i = 0; i < records.length; i++) {
    const deviceId = input.id();
    const counter = input.u32();
    const unitId = input.f64();
    const receivedAt = input.f64();
    const share = input.u8() === 1;
    const result = input.bytes(input.u32());
    const codes = input.bytes(input.u32());
    const verdicts: VerdictRecord[] = new Array(codes.length);
    for (let k = 0; k < codes.length; k++) verdicts[k] = { entryIndex: k, code: codes[k]!, txId: input.bytes(TX_ID) };
    const rewards: NewReward[] = new Array(input.u8());
    for (let j = 0; j < rewards.length; j++) {
      const rewardDevice = input.id();
      const account = input.bytes(ACCOUNT);
      const code = input.u8();
      const kind = KINDS[code];
      if (kind === undefined) throw new RangeError(`"records[${i}].rewards[${j}].kind" expected 0-${KINDS.length - 1}, got ${code}`);
      rewards[j] = { deviceId: rewardDevice, account, kind, amount: input.u64(), unitId: input.f64(), createdAt: input.f64() };
    }
    records[i] = { deviceId, counter, unitId, result, share, receivedAt, verdicts, rewards };
  }
  if (!input.done) throw new RangeError(`result batch: ${buffer.byteLength - input.offset} bytes after the last record`);
  return records;
}

/** The outcomes of a batch, one byte each, to transfer back. */
export function encodeOutcomes(outcomes: readonly ResultOutcome[]): ArrayBuffer {
  return Uint8Array.from(outcomes, (o) => OUTCOMES.indexOf(o)).buffer;
}

/** Reads what {@link encodeOutcomes} wrote. */
export function decodeOutcomes(buffer: ArrayBuffer): ResultOutcome[] {
  return Array.from(new Uint8Array(buffer), (code, i) => {
    const outcome = OUTCOMES[code];
    if (outcome === undefined) throw new RangeError(`"outcomes[${i}]" expected 0-${OUTCOMES.length - 1}, got ${code}`);
    return outcome;
  });
}

/**
 * The name of a field of record `record` for an error: `field` with `#` standing for `index`.
 * Built only when a check fails, so encoding a valid batch makes no strings.
 */
function fieldName(record: number, field: string, index = -1): string {
  return `records[${record}].${field.replace('#', String(index))}`;
}

function idSize(id: string, record: number, field: string, index = -1): number {
  if (typeof id !== 'string' || id.length > 255 || !/^[\x20-\x7e]*$/.test(id)) throw new RangeError(`"${fieldName(record, field, index)}" expected printable ASCII of at most 255 characters, got ${JSON.stringify(id)}`);
  return 1 + id.length;
}

function uint(value: number, max: number, record: number, field: string, index = -1): number {
  if (!(Number.isInteger(value) && value >= 0 && value <= max)) throw new RangeError(`"${fieldName(record, field, index)}" expected an integer 0-${max}, got ${value}`);
  return value;
}

function exact(bytes: Uint8Array, length: number, record: number, field: string, index = -1): Uint8Array {
  if (bytes.length !== length) throw new RangeError(`"${fieldName(record, field, index)}" expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

class Writer {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(buffer: ArrayBuffer) {
    this.#view = new DataView(buffer);
    this.#bytes = new Uint8Array(buffer);
  }

  u8(value: number): void {
    this.#view.setUint8(this.#at++, value);
  }

  u32(value: number): void {
    this.#view.setUint32(this.#at, value, true);
    this.#at += 4;
  }

  u64(value: bigint): void {
    this.#view.setBigUint64(this.#at, value, true);
    this.#at += 8;
  }

  f64(value: number): void {
    this.#view.setFloat64(this.#at, value, true);
    this.#at += 8;
  }

  bytes(value: Uint8Array): void {
    this.#bytes.set(value, this.#at);
    this.#at += value.length;
  }

  /** An id already checked by idSize: one byte per character. */
  id(value: string): void {
    this.u8(value.length);
    for (let i = 0; i < value.length; i++) this.#bytes[this.#at++] = value.charCodeAt(i);
  }
}

class Reader {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  offset = 0;

  constructor(buffer: ArrayBuffer) {
    this.#view = new DataView(buffer);
    this.#bytes = new Uint8Array(buffer);
  }

  get done(): boolean {
    return this.offset === this.#bytes.length;
  }

  /** Throws unless `length` more bytes are there: a short buffer is a bug, named rather than read as zeros. */
  #take(length: number): number {
    const at = this.offset;
    if (at + length > this.#bytes.length) throw new RangeError(`result batch: truncated at byte ${at} (${length} more expected, ${this.#bytes.length - at} left)`);
    this.offset = at + length;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#take(1));
  }

  u32(): number {
    return this.#view.getUint32(this.#take(4), true);
  }

  u64(): bigint {
    return this.#view.getBigUint64(this.#take(8), true);
  }

  f64(): number {
    return this.#view.getFloat64(this.#take(8), true);
  }

  bytes(length: number): Uint8Array {
    const at = this.#take(length);
    return this.#bytes.subarray(at, at + length);
  }

  id(): string {
    const length = this.u8();
    const at = this.#take(length);
    return String.fromCharCode(...this.#bytes.subarray(at, at + length));
  }
}
