/** Throws `TypeError` unless `value` is an integer in [0, 2^32). */
export function u32(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError('"' + name + '" expected u32, got ' + typeof value);
  if (!(value >= 0 && value <= 0xffffffff && value % 1 === 0)) throw new RangeError('"' + name + '" expected u32, got ' + value);
  return value;
}
