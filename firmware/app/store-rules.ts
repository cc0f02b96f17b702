/**
 * The limits of the hal's Store (firmware/hal/hal.ts), checked by every adapter before it writes,
 * so a key or value that one runtime would take and another refuse fails everywhere, naming it.
 * @module
 */

/** Longest key, leaving room for an adapter's prefix within Preference's 15-character names. */
export const MAX_STORE_KEY = 12;
/** Longest value, in characters. */
export const MAX_STORE_VALUE = 1024;

/**
 * Throws RangeError `store "<key>"` unless `key` is 1-12 of `[a-z0-9]` and `value` at most 1024
 * characters. The app writes only its own keys and values (state.ts), so this catches a defect.
 */
export function checkStoreEntry(key: string, value: string): void {
  // A character class with `+`: the kind of regular expression Espruino runs (the lint refuses the others).
  if (key.length > MAX_STORE_KEY || !/^[a-z0-9]+$/.test(key) || value.length > MAX_STORE_VALUE) throw new RangeError('store "' + key + '"');
}
