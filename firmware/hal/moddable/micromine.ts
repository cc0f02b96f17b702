/**
 * The Moddable image's module `micromine`: the image API over the Moddable hal, with Ed25519
 * (firmware/sig) on the native SHA-512. The generated module `main` starts it; an appliance
 * imports it and calls `start()` itself instead.
 * @module
 */
import build from 'micromine:build';
import { createImage, type Micromine } from '../../app/image.ts';
import { markedVerifier } from '../../app/probe.ts';
import type { Sha512 } from '../hal.ts';
import { createVerifier } from '../../sig/ed25519.ts';
import { moddableHal } from './hal.ts';

const hal = moddableHal();
const micromine: Micromine = createImage(hal, markedVerifier(hal.mark, createVerifier(hal.sha512 as Sha512)), build);

// Also a global, as on Espruino: for xsbug's console, the simulator and the flash read-back.
(globalThis as { micromine?: Micromine }).micromine = micromine;

export default micromine;
