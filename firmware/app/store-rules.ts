/**
 * The limits of the hal's Store (firmware/hal/hal.ts), checked by every adapter before it writes,
 * so a key or value that one runtime would take and another refuse fails everywhere, naming it.
 * @module
 */

/** Longest key, leaving room for an adapter's prefix within Preference's 15-character names. */
export const MAX_STORE_KEY = 12;
/** Longest value, in characters. */
export const MAX_STORE_VALUE = 1024;

/** Throws RangeError unless `key` is 1-12 of `[a-z0-9]` and `value` at most 1024 characters. */
export function checkStoreEntry(key: string, value: string): void {
  let plain = key.length >= 1 && key.length <= MAX_STORE_KEY;
  for (let i = 0; plain && i < key.length; i++) {
    const c = key.charCodeAt(i);
    plain = (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
  }
  if (!plain || value.length > MAX_STORE_VALUE) throw new RangeError('store: "' + key + '" expected a key of 1-12 [a-z0-9] and at most 1024 characters');
}
