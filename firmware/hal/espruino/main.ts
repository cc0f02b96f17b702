/**
 * The Espruino image's entry: builds the hal, publishes the image API as the global
 * `micromine` (for the console, the appliance's own code, the simulator and the flash
 * read-back) and starts the device program from `mm.cfg` once the image has loaded.
 * @module
 */
import build from 'micromine:build';
import { createImage, type Micromine } from '../../app/image.ts';
import { espruinoHal } from './hal.ts';

const micromine = createImage(espruinoHal(), null, build);
(globalThis as { micromine?: Micromine }).micromine = micromine;
// Started in a slice of its own, after the one that loads the image (docs/firmware.md, Slices).
setTimeout(micromine.start, 0);
