/**
 * The Moddable image's module `micromine`: the image API over the Moddable hal, with Ed25519
 * (firmware/sig) on the native SHA-512. The generated module `main` starts it; an appliance
 * imports it and calls `start()` itself instead.
 * @module
 */
import { createImage } from '../../app/image.ts';
import { createVerifier } from '../../sig/ed25519.ts';
import { moddableHal } from './hal.ts';

const hal = moddableHal();

export default createImage(hal, createVerifier(hal.sha512 as (data: Uint8Array) => Uint8Array));
