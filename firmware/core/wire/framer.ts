/**
 * Bounded line framing for newline-delimited JSON. Bytes arrive in chunks of any size; the
 * framer emits each complete line and never holds more than `maxLine` bytes of an unfinished
 * one. A line that grows past the limit is reported once, as soon as it does, and its remaining
 * bytes are dropped up to the next `\n` without being buffered: a peer cannot make the reader
 * grow by never sending a newline.
 * @module
 */
import { misuse, u32 } from '../assert.ts';

/** Framing state of one connection. Plain data, advanced only by {@link feedFramer}. */
export interface Framer {
  /** Longest line accepted, in bytes, not counting the `\n`. */
  readonly maxLine: number;
  /** Bytes of the unfinished line, one character per byte. */
  partial: string;
  /** True while dropping the rest of an oversized line. */
  discarding: boolean;
}

/** What one chunk produced: a complete line (without its `\n`), or null for an oversized line dropped. */
export type FrameEvent = string | null;

/** A framer for lines of at most `maxLine` bytes, a u32 of at least 1 (RangeError `"maxLine" zero` for 0). */
export function createFramer(maxLine: number): Framer {
  if (u32('maxLine', maxLine) < 1) misuse('maxLine', 'zero');
  return { maxLine: maxLine, partial: '', discarding: false };
}

/**
 * Feeds one chunk and returns what it completed, in order. The chunk holds one byte per
 * character (a "binary" or latin1 string): Espruino's sockets deliver that, and an adapter whose
 * socket gives bytes converts them (firmware/hal), so the core carries no conversion of its own.
 * Empty lines are skipped: they carry nothing, and a bare `\n` is a harmless keepalive.
 */
export function feedFramer(framer: Framer, text: string): FrameEvent[] {
  const events: FrameEvent[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    if (!framer.discarding) {
      if (framer.partial.length + end - start > framer.maxLine) {
        framer.partial = '';
        framer.discarding = true;
        events.push(null);
      } else if (newline < 0) {
        framer.partial += text.substring(start, end);
      } else {
        const line = framer.partial + text.substring(start, end);
        framer.partial = '';
        if (line.length > 0) events.push(line);
      }
    }
    if (newline < 0) break;
    framer.discarding = false;
    start = newline + 1;
  }
  return events;
}
