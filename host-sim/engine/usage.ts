/**
 * What a call used, in device units, as the device host reports it.
 * @module
 */

/** In use at the end of the call, highest during the call, and the device's capacity. */
export interface Level {
  current: number;
  peak: number;
  limit: number;
}

/**
 * Usage of one call. Memory is relative to the boot state (built-ins and ROM modules, which a
 * device keeps in flash) and counts garbage not yet collected, as XS's own instrumentation
 * does; `collectGarbage()` gives live figures.
 */
export interface Usage {
  /** XS computrons: byte codes executed plus builtin charges; deterministic */
  computrons: number;
  /** slots (16 bytes each on the device) */
  slots: Level;
  /** chunk heap bytes, device sizes */
  chunks: Level;
  /** JS stack slots: highest during the call, and the device's stack */
  stack: { peak: number; limit: number };
  /** runtime keys created since boot */
  keys: number;
  /** garbage collections during the call */
  gcCount: number;
  /** device bytes that stack, slot heaps and chunk heap hold (what `static` or the allocation limit bounds) */
  allocated: number;
}

/** Number of u32 fields of a usage record on the wire. */
export const USAGE_WORDS = 12;

/** Decodes a usage record (12 little-endian u32) at `offset`. */
export function readUsage(frame: Buffer, offset: number): Usage {
  const word = (index: number) => frame.readUInt32LE(offset + index * 4);
  return {
    computrons: word(0),
    slots: { current: word(1), peak: word(2), limit: word(3) },
    chunks: { current: word(4), peak: word(5), limit: word(6) },
    stack: { peak: word(7), limit: word(8) },
    keys: word(9),
    gcCount: word(10),
    allocated: word(11),
  };
}
