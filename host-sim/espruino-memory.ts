/**
 * Espruino's memory in its own unit, the variable (JsVar): a fixed-size block of 12 to 16 bytes
 * (14 on ESP32, 13 on ESP32-C3) that holds one object, one property name (with a small value
 * packed in), one number, or a piece of a string. docs/simulator.md gives the model, its
 * sources and what it cannot see.
 *
 * The simulator runs Espruino images in the XS engine, which counts slots and chunk bytes. The
 * device's variables are derived from those (see {@link variablesOfUsage}): an XS slot holds
 * what an Espruino variable holds (an object, a property with its value, a closure variable, an
 * array element), and chunk bytes (string characters, buffer bytes, array storage) pack into
 * variables at their size. Single values are sized by the exact model in `rom/variables.js`
 * (`E.getSizeOf`).
 * @module
 */
import type { DeviceCreation } from './engine/index.ts';

/** The model's constants, each with where it comes from. */
export const ESPRUINO_MODEL = {
  /**
   * Variables the firmware itself holds after boot (root, timers, Wi-Fi and socket objects):
   * a labelled estimate, about 6% of the variables; replace it with `process.memory().usage`
   * read right after boot on the board (micromine sim --calibrate).
   */
  firmwareVariables(total: number): number {
    return Math.round(total * 0.06);
  },
  /** Characters in the first variable of a string and in each extension (16-byte layout: 10 and 12; 2 fewer per byte less). */
  stringChars(bytesEach: number): { first: number; extension: number } {
    return { first: bytesEach - 6, extension: bytesEach - 4 };
  },
};

/**
 * The XS creation an Espruino image runs on: as many slots as the device has variables (a slot
 * never costs less than a variable, so XS does not run out first) and twice their bytes of chunks.
 */
export function espruinoCreation(variables: number): DeviceCreation {
  return {
    static: 0,
    chunk: { initial: variables * 32, incremental: 0 },
    heap: { initial: variables, incremental: 0 },
    stack: 1024,
    keys: { initial: 512, incremental: 256, name: 127, symbol: 7 },
  };
}

/** Variables the image holds, from the engine's slots and chunk bytes (device units). */
export function variablesOfUsage(slots: number, chunkBytes: number, bytesEach: number): number {
  return slots + Math.ceil(chunkBytes / bytesEach);
}
