/**
 * Little-endian integers and byte comparisons on plain Uint8Array offsets: the same few lines
 * run unchanged on both device runtimes, and reading never allocates.
 * @module
 */

/** Reads a u16 at `at`. */
export function readU16(data: Uint8Array, at: number): number {
  return data[at] | (data[at + 1] << 8);
}

/** Reads a u32 at `at`. */
export function readU32(data: Uint8Array, at: number): number {
  return (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
}

/** Writes the low 16 bits of `value` at `at`. */
export function writeU16(data: Uint8Array, at: number, value: number): void {
  data[at] = value & 0xff;
  data[at + 1] = (value >>> 8) & 0xff;
}

/** Writes a u32 at `at`. */
export function writeU32(data: Uint8Array, at: number, value: number): void {
  data[at] = value & 0xff;
  data[at + 1] = (value >>> 8) & 0xff;
  data[at + 2] = (value >>> 16) & 0xff;
  data[at + 3] = (value >>> 24) & 0xff;
}

/** Compares `a[aAt..aAt+length)` with `b[bAt..bAt+length)` as unsigned big-endian numbers: -1, 0 or 1. */
export function compareBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, length: number): number {
  for (let i = 0; i < length; i++) {
    const d = a[aAt + i] - b[bAt + i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Returns the bytes of an ASCII string. */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
