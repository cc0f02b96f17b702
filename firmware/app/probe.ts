/**
 * The simulator's phase hook. A board has no global `micromineMark`, so marking a phase costs one
 * call to an empty function there; the simulator defines that global before it runs an image, to
 * charge the device's computrons and virtual time to the phase that spent them
 * (docs/firmware.md). Both runtime adapters take their `mark` from here.
 * @module
 */
import type { Phase } from '../hal/hal.ts';

/** The simulator's `micromineMark(phase)` when it is defined, else a no-op. */
export function phaseMarker(): (phase: Phase) => void {
  const hook = (globalThis as { micromineMark?: unknown }).micromineMark;
  return typeof hook === 'function' ? (hook as (phase: Phase) => void) : () => {};
}
