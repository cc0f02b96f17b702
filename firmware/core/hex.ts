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

/** Value of one lowercase hex digit, or -1 for any other character code. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** True when `text` is canonical lowercase hex (possibly empty). */
export function isHex(text: string): boolean {
  if (text.length % 2 !== 0) return false;
  for (let i = 0; i < text.length; i++) if (nibble(text.charCodeAt(i)) < 0) return false;
  return true;
}

/** The bytes spelled by canonical lowercase hex `text`, or null when `text` is not that. */
export function hexToBytes(text: string): Uint8Array | null {
  if (text.length % 2 !== 0) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0, at = 0; i < out.length; i++, at += 2) {
    const high = nibble(text.charCodeAt(at));
    const low = nibble(text.charCodeAt(at + 1));
    if (high < 0 || low < 0) return null;
    out[i] = (high << 4) | low;
  }
  return out;
}
