/**
 * Checks shared by the reference encoders: plain-object arguments with no unknown keys, and
 * u64 amounts as bigint.
 * @module
 */

/** Throws unless `value` is a plain object whose keys are all in `allowed`; names the first stranger. */
export function knownKeys(what: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`"${what}" expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new TypeError(`"${what}" has unknown field "${key}" (known: ${allowed.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

/** Returns `value` if it is a bigint in [0, 2^64), else throws. */
export function u64(name: string, value: unknown): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`"${name}" expected u64 bigint, got ${typeof value}`);
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`"${name}" expected u64, got ${value}`);
  return value;
}

/** Writes a u64 as two u32 halves, low word first. */
export function writeU64(data: Uint8Array, at: number, value: bigint): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  view.setUint32(at, Number(value & 0xffffffffn), true);
  view.setUint32(at + 4, Number(value >> 32n), true);
}

/** Joins a u64 from its (low, high) halves. */
export function joinU64(low: number, high: number): bigint {
  return (BigInt(high) << 32n) | BigInt(low);
}
