/**
 * Lowercase hex on the node side, with the same canonical rules as the device's own
 * (firmware/core/hex.ts: even length, digits and `a`-`f` only, null rather than a throw for
 * anything else), done by Node's native codec: the node encodes an entry and a header and
 * decodes a result for every result a device sends, and the byte-at-a-time loop a device needs
 * costs the node several times more.
 * @module
 */

const CANONICAL = /^(?:[0-9a-f]{2})*$/;

/** Lowercase hex of `data`, two characters per byte. */
export function hexOf(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

/**
 * The bytes spelled by canonical lowercase hex `text`, or null when `text` is not that. They
 * get a buffer of their own, exactly their size: a view into Node's shared 8 KiB pool (what
 * `Buffer.from(text, 'hex')` gives small inputs) would keep the whole pool alive as long as
 * the bytes are kept, and would carry it along into anything that clones their buffer.
 */
export function bytesOfHex(text: string): Uint8Array | null {
  if (!CANONICAL.test(text)) return null;
  const bytes = new Uint8Array(text.length >>> 1);
  Buffer.from(bytes.buffer).write(text, 'hex');
  return bytes;
}

/**
 * Decodes canonical lowercase hex `text` into the start of `out` (which must be large enough)
 * and returns a view of the bytes written, or null when `text` is not canonical hex or is too
 * long for `out`. For a caller that decodes many short-lived values into one buffer it reuses.
 */
export function hexInto(text: string, out: Buffer): Uint8Array | null {
  const length = text.length / 2;
  if (length > out.length || !CANONICAL.test(text)) return null;
  out.write(text, 0, length, 'hex');
  return out.subarray(0, length);
}
