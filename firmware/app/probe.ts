/**
 * The simulator's phase hook. A board has no global `micromineMark`, so marking a phase costs one
 * call to an empty function there; the simulator defines that global before it runs an image, to
 * charge the device's computrons and virtual time to the phase that spent them
 * (docs/firmware.md). Both runtime adapters take their `mark` from here.
 * @module
 */
import type { SignatureVerifier } from '../core/digest.ts';
import type { Phase } from '../hal/hal.ts';

/** The simulator's `micromineMark(phase)` when it is defined, else a no-op. */
export function phaseMarker(): (phase: Phase) => void {
  const hook = (globalThis as { micromineMark?: unknown }).micromineMark;
  return typeof hook === 'function' ? (hook as (phase: Phase) => void) : () => {};
}

/**
 * `verifier` with each of its steps charged to the `signature` phase and what follows to `checks`.
 * Sig-tier entries wrap theirs; hash-tier images, which have none, do not carry this.
 */
export function markedVerifier(mark: (phase: Phase) => void, verifier: SignatureVerifier): SignatureVerifier {
  return {
    begin: (signature, message, publicKey) => verifier.begin(signature, message, publicKey),
    step: (budget) => {
      mark('signature');
      const valid = verifier.step(budget);
      mark('checks');
      return valid;
    },
  };
}
