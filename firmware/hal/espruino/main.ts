/**
 * The Espruino image's entry: builds the hal, publishes the image API as the global
 * `micromine` (for the console, the appliance's own code, the simulator and the flash
 * read-back) and starts the device program from `mm.cfg`.
 * @module
 */
import build from 'micromine:build';
import { createImage, type Micromine } from '../../app/image.ts';
import { espruinoHal } from './hal.ts';

const micromine = createImage(espruinoHal(), null, build);
(globalThis as { micromine?: Micromine }).micromine = micromine;
micromine.start();
