/**
 * Lowercase hex, the one encoding of binary fields inside JSON (see docs/decisions.md). Decoding
 * accepts only the canonical spelling (even length, digits and `a`-`f`), so equal bytes always
 * travel as equal text, and it returns null instead of throwing: hex arrives from the network.
 * @module
 */

const DIGITS = '0123456789abcdef';

/** Lowercase hex of `data`, two characters per byte. */
export function bytesToHex(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i++) out += DIGITS.charAt(data[i] >> 4) + DIGITS.charAt(data[i] & 15);
  return out;
}

/** True when `text` is canonical lowercase hex (possibly empty). */
export function isHex(text: string): boolean {
  if (text.length % 2 !== 0) return false;
  for (let i = 0; i < text.length; i++) if (DIGITS.indexOf(text[i]) < 0) return false;
  return true;
}

/**
 * Decodes bytes [from, to) of the hex `text` into the same indices of `out`; false at the first
 * character that is not a lowercase hex digit. A resumable step: a caller with a long text and a
 * bound on each slice decodes it a range at a time into a buffer it sized once.
 */
export function decodeHexInto(text: string, out: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    // indexOf on a one-character string is one builtin call: cheaper in both runtimes than
    // comparing character codes in JavaScript.
    const high = DIGITS.indexOf(text[2 * i]);
    const low = DIGITS.indexOf(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = high * 16 + low;
  }
  return true;
}

/** The bytes spelled by canonical lowercase hex `text`, or null when `text` is not that. */
export function hexToBytes(text: string): Uint8Array | null {
  if (text.length % 2 !== 0) return null;
  const out = new Uint8Array(text.length / 2);
  return decodeHexInto(text, out, 0, out.length) ? out : null;
}
