/**
 * Byte helpers of the node (hex per docs/decisions.md: lowercase, two characters per byte).
 * @module
 */
import { badField } from './errors.ts';

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return blob(bytes).toString('hex');
}

/** Bytes of a hex string already known to be valid (e.g. read back from our own store). */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Parses untrusted hex: a `bad_field` error naming `field` unless `value` is a string of
 * lowercase hex pairs, of exactly `length` bytes when given.
 */
export function parseHex(field: string, value: unknown, length?: number): Uint8Array {
  if (typeof value !== 'string') throw badField(field, `expected a lowercase hex string, got ${value === null ? 'null' : typeof value}`);
  if (!/^(?:[0-9a-f]{2})*$/.test(value)) throw badField(field, 'expected lowercase hex characters in pairs (0-9, a-f)');
  if (length !== undefined && value.length !== length * 2) throw badField(field, `expected ${length * 2} hex characters (${length} bytes), got ${value.length}`);
  return fromHex(value);
}

/** True when both arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && blob(a).equals(blob(b));
}

/** Views a Uint8Array as a Buffer without copying (better-sqlite3 binds Buffers as BLOBs). */
export function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
