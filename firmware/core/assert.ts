/**
 * Argument checks for encoders: a wrong type throws `TypeError`, a wrong value `RangeError`,
 * both naming the argument, e.g. `"amount" expected u32, got -1`.
 * @module
 */

/**
 * Throws RangeError `"<name>" <code>` for a call the API does not allow: a programming error, not
 * bad input, so the argument's name and a short code (each caller's TSDoc says what it means) are
 * all an image carries.
 */
export function misuse(name: string, code: string): never {
  throw new RangeError('"' + name + '" ' + code);
}

function fail(name: string, expected: string, got: unknown, wrongValue: boolean): never {
  const message = '"' + name + '" expected ' + expected + ', got ' + got;
  throw wrongValue ? new RangeError(message) : new TypeError(message);
}

function integer(name: string, value: unknown, max: number, kind: string): number {
  if (typeof value !== 'number') fail(name, kind, typeof value, false);
  if (!(value >= 0 && value <= max && value % 1 === 0)) fail(name, kind, value, true);
  return value;
}

/** Returns `value` if it is an integer in [0, 2^8), else throws. */
export function u8(name: string, value: unknown): number {
  return integer(name, value, 0xff, 'u8');
}

/** Returns `value` if it is an integer in [0, 2^16), else throws. */
export function u16(name: string, value: unknown): number {
  return integer(name, value, 0xffff, 'u16');
}

/** Returns `value` if it is an integer in [0, 2^32), else throws. */
export function u32(name: string, value: unknown): number {
  return integer(name, value, 0xffffffff, 'u32');
}

/** Returns `value` if it is a Uint8Array of exactly `length` bytes (any length when negative), else throws. */
export function bytes(name: string, value: unknown, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(name, 'Uint8Array', value === null ? 'null' : typeof value, false);
  if (length >= 0 && value.length !== length) fail(name, length + ' bytes', value.length, true);
  return value;
}
