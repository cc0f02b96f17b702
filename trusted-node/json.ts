/**
 * JSON of the node's own values, shared by the HTTP answers and the logs: bigints as decimal
 * strings (u64 amounts exceed JavaScript numbers) and byte arrays, Buffers included, as
 * lowercase hex (docs/decisions.md).
 * @module
 */

/** A `JSON.stringify` replacer implementing the rules above. */
export function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  // A Buffer's own toJSON has already run when `value` arrives here: look at the original.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, ...('code' in value ? { code: value.code } : {}) };
  return value;
}
