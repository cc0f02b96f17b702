// Minimal stand-ins for the runtime APIs an image touches when it loads and runs its self-test,
// for running the built images in the simulator's XS engine. Digests are computed by Node
// (through hostCall), as the runtimes compute them in C; nothing else does real work: no
// configuration is stored, so the device program does not start. A mock at an edge this test
// cannot have (a board's modules); the simulator (host-sim) brings the full backends.
import { createHash } from 'node:crypto';
import { startDevice, type XsDevice } from '../../host-sim/engine/index.ts';
import type { XsProfile } from '../../tools/manifests/index.ts';
import type { DeviceCreation } from '../../host-sim/engine/index.ts';

/** Espruino globals for a script image: console, E, getTime, timers and require. */
const ESPRUINO_ROM = `var console = { log: function (text) { print(text); } };
var E = {};
function getTime() { return 0; }
function setTimeout() { return 0; }
function clearTimeout() {}
function require(name) {
  if (name === 'crypto') return { SHA256: function (data) { return hostCall(data); } };
  if (name === 'Storage') return { read: function () {}, readJSON: function () {}, write: function () { return true; }, erase: function () {} };
  if (name === 'net') return { connect: function () { throw new Error('no network here'); } };
  throw new Error('no module ' + name);
}`;

/** Moddable host modules: Digest sends "<algorithm>:<hex>" to the host; the rest are inert. */
const MODDABLE_ROM: Record<string, string> = {
  timer: 'export default class Timer { static set() { return {}; } static clear() {} }',
  time: 'export default { get ticks() { return 0; } }',
  preference: 'export default { get() {}, set() {}, delete() {}, keys() { return []; } }',
  crypt: `const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
export class Digest {
  constructor(name) { this.name = name; this.parts = []; }
  reset() { this.parts = []; }
  write(data) { this.parts.push(hex(data)); }
  close() { return hostCall(this.name + ':' + this.parts.join('')); }
}`,
  'embedded:io/socket/tcp': 'export default class TCP { constructor() { throw new Error("no network here"); } }',
  socket: 'export class Socket { constructor() { throw new Error("no network here"); } }',
};

/** A 32-byte digest of `data` by `algorithm`, or a deliberately wrong one when `broken`. */
function digest(algorithm: string, data: Uint8Array, broken: boolean): Uint8Array {
  const out = new Uint8Array(createHash(algorithm).update(data).digest());
  if (broken) out[0] ^= 1;
  return out;
}

/** The Espruino image as a script on an XS device of `creation` (Espruino counts RAM in its own units: the simulator models them). */
export async function espruinoImageDevice(image: string, creation: DeviceCreation, logs: string[], broken = false): Promise<XsDevice> {
  const device = await startDevice({
    creation,
    rom: { scripts: { 'espruino.js': ESPRUINO_ROM } },
    image: { scripts: { 'micromine.js': image } },
    onHostCall: (message) => digest('sha256', message as Uint8Array, broken),
    onLog: (entry) => logs.push(entry.text),
  });
  await device.runScript('micromine.js');
  return device;
}

/** The Moddable image's two modules on a device with `profile`'s creation; `main` imported. */
export async function moddableImageDevice(modules: { micromine: string; main: string }, profile: XsProfile, logs: string[]): Promise<XsDevice> {
  const device = await startDevice({
    creation: profile.ram.creation,
    rom: { modules: MODDABLE_ROM },
    image: { modules },
    onHostCall: (message) => {
      const text = String(message);
      const colon = text.indexOf(':');
      return digest(text.slice(0, colon) === 'SHA512' ? 'sha512' : 'sha256', Buffer.from(text.slice(colon + 1), 'hex'), false);
    },
    onLog: (entry) => logs.push(entry.text),
  });
  await device.importModule('main');
  return device;
}
