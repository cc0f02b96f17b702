// Stand-ins for the runtime APIs a built image calls (Espruino's globals and modules, Moddable's
// host modules), so that the images run unchanged in the simulator's XS engine while Node does
// the I/O: timers on Node's clock, sockets over real loopback TCP, digests by node:crypto (as
// the runtimes compute them in C), and flash as a table inside the VM. They stand for a board,
// an edge these tests cannot have; the simulator (host-sim) brings the full backends (virtual
// clock, costs, faults).
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { startDevice, type DeviceCreation, type XsDevice } from '../../host-sim/engine/index.ts';
import type { StoredConfig } from '../../firmware/hal/hal.ts';

// Requests from the VM are JSON arrays; SHA-256 requests (Espruino) are the bytes themselves.
const ESPRUINO_ROM = `var console = { log: function (text) { print(text); } };
var E = { kickWatchdog: function () {} };
var timers = {}, nextTimer = 1, sockets = {}, flash = {};
function ask(request) { return hostCall(JSON.stringify(request)); }
function setTimeout(callback, ms) { var id = nextTimer++; timers[id] = callback; ask(['timer', id, ms]); return id; }
function clearTimeout(id) { delete timers[id]; ask(['clear', id]); }
function fireTimer(id) { var callback = timers[id]; delete timers[id]; if (callback) callback(); }
function getTime() { return ask(['now']) / 1000; }
function socketEvent(id, kind, data) {
  var socket = sockets[id];
  if (!socket) return;
  if (kind === 'connect') socket.connected();
  else if (kind === 'error') socket.handlers.error && socket.handlers.error({ message: data });
  else if (socket.handlers[kind]) socket.handlers[kind](data);
}
function require(name) {
  if (name === 'crypto') return { SHA256: function (data) { return hostCall(data); } };
  if (name === 'Storage') return {
    read: function (file) { return flash[file]; },
    readJSON: function (file) { return flash[file] === undefined ? undefined : JSON.parse(flash[file]); },
    write: function (file, data) { flash[file] = data; return true; },
    erase: function (file) { delete flash[file]; },
  };
  if (name === 'net') return {
    connect: function (options, connected) {
      var id = ask(['connect', options.host, options.port]);
      var socket = { handlers: {}, connected: connected,
        on: function (event, handler) { this.handlers[event] = handler; },
        write: function (text) { ask(['write', id, text]); return true; },
        end: function () { ask(['end', id]); } };
      sockets[id] = socket;
      return socket;
    },
  };
  throw new Error('no module ' + name);
}`;

const MODDABLE_ROM: Record<string, string> = {
  'mm-shim': `export const timers = new Map(), sockets = new Map();
export const ask = (request) => hostCall(JSON.stringify(request));
globalThis.fireTimer = (id) => { const callback = timers.get(id); timers.delete(id); if (callback) callback(); };
globalThis.socketEvent = (id, kind, data) => { const socket = sockets.get(id); if (socket) socket.event(kind, data); };`,
  timer: `import { timers, ask } from "mm-shim";
let next = 1;
export default class Timer {
  static set(callback, ms) { const id = next++; const timer = { id }; timers.set(id, () => callback(timer)); ask(['timer', id, ms]); return timer; }
  static clear(timer) { if (timer) { timers.delete(timer.id); ask(['clear', timer.id]); } }
}`,
  time: 'import { ask } from "mm-shim"; export default { get ticks() { return ask(["now"]); } };',
  preference: `const table = new Map();
export default {
  get(domain, key) { return table.get(domain + '/' + key); },
  set(domain, key, value) { table.set(domain + '/' + key, value); },
  delete(domain, key) { table.delete(domain + '/' + key); },
  keys(domain) { return [...table.keys()].filter((k) => k.startsWith(domain + '/')).map((k) => k.slice(domain.length + 1)); },
};`,
  crypt: `const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
export class Digest {
  constructor(name) { this.name = name; this.parts = []; }
  reset() { this.parts = []; }
  write(data) { this.parts.push(hex(data)); }
  close() { return hostCall(this.name + ':' + this.parts.join('')); }
}`,
  'embedded:io/socket/tcp': `import { sockets, ask } from "mm-shim";
export default class TCP {
  #options; #id; #pending = null;
  constructor(options) {
    this.#options = options;
    this.#id = ask(['connect', options.address ?? options.host, options.port]);
    sockets.set(this.#id, this);
  }
  event(kind, data) {
    const options = this.#options;
    if (kind === 'connect') options.onWritable?.call(this, 4096);
    else if (kind === 'data') { this.#pending = Uint8Array.from(data, (c) => c.charCodeAt(0)).buffer; options.onReadable?.call(this, this.#pending.byteLength); }
    else { sockets.delete(this.#id); options.onError?.call(this); }
  }
  read() { const data = this.#pending; this.#pending = null; return data; }
  write(bytes) { ask(['write', this.#id, String.fromCharCode(...new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength))]); }
  close() { sockets.delete(this.#id); ask(['end', this.#id]); }
}`,
};

/** Serves the VM's requests: timers, clock, sockets, digests; events go back as calls. */
class Backend {
  device!: XsDevice;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly sockets = new Map<number, Socket>();
  private nextSocket = 1;
  private closed = false;
  failures: unknown[] = [];

  /** `brokenDigest`: every digest comes back with its first bit flipped, as a faulty runtime's would. */
  constructor(private readonly brokenDigest: boolean) {}

  private digest(algorithm: string, data: Uint8Array): Uint8Array {
    const hash = new Uint8Array(createHash(algorithm).update(data).digest());
    if (this.brokenDigest) hash[0] ^= 1;
    return hash;
  }

  /** Delivers an event into the VM; calls queue in order inside the engine. */
  private deliver(name: string, args: (string | number | null)[]): void {
    if (this.closed) return;
    this.device.call(name, args).catch((error: unknown) => {
      if (!this.closed) this.failures.push(error);
    });
  }

  handle(message: string | Uint8Array): string | number | Uint8Array | null {
    if (message instanceof Uint8Array) return this.digest('sha256', message);
    if (!message.startsWith('[')) {
      const colon = message.indexOf(':');
      return this.digest(message.slice(0, colon) === 'SHA512' ? 'sha512' : 'sha256', Buffer.from(message.slice(colon + 1), 'hex'));
    }
    const [op, a, b] = JSON.parse(message) as [string, number | string, number | string];
    switch (op) {
      case 'now': return performance.now();
      case 'timer':
        this.timers.set(a as number, setTimeout(() => { this.timers.delete(a as number); this.deliver('fireTimer', [a]); }, b as number));
        return null;
      case 'clear':
        clearTimeout(this.timers.get(a as number));
        this.timers.delete(a as number);
        return null;
      case 'connect': {
        const id = this.nextSocket++;
        const socket = connect(b as number, a as string);
        socket.setEncoding('latin1');
        this.sockets.set(id, socket);
        socket.on('connect', () => this.deliver('socketEvent', [id, 'connect', null]));
        socket.on('data', (chunk: string) => this.deliver('socketEvent', [id, 'data', chunk]));
        socket.on('error', (error) => this.deliver('socketEvent', [id, 'error', error.message]));
        socket.on('close', () => this.deliver('socketEvent', [id, 'close', null]));
        return id;
      }
      case 'write':
        this.sockets.get(a as number)?.write(b as string, 'latin1');
        return null;
      case 'end':
        this.sockets.get(a as number)?.destroy();
        this.sockets.delete(a as number);
        return null;
      default:
        throw new Error(`unknown request ${op}`);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const socket of this.sockets.values()) socket.destroy();
  }
}

/** A built image running in XS on the shims; `close` stops the device and its I/O. */
export interface RunningImage {
  device: XsDevice;
  logs: string[];
  /** errors of delivered events (none when the image behaves) */
  failures: unknown[];
  /** evaluates `expression` in the VM and parses its JSON */
  json(expression: string): Promise<unknown>;
  close(): Promise<void>;
}

type Sources = { scripts?: Record<string, string>; modules?: Record<string, string> };

async function run(options: { creation: DeviceCreation; rom: Sources; image: Sources }, start: (device: XsDevice) => Promise<unknown>, brokenDigest: boolean): Promise<RunningImage> {
  const backend = new Backend(brokenDigest);
  const logs: string[] = [];
  const device = await startDevice({ ...options, onHostCall: (message) => backend.handle(message), onLog: (entry) => logs.push(entry.text) });
  backend.device = device;
  await start(device);
  return {
    device, logs, failures: backend.failures,
    json: async (expression) => JSON.parse(String((await device.evaluate(`JSON.stringify(${expression})`)).value)),
    close: async () => {
      backend.close();
      await device.close();
    },
  };
}

/** The Espruino image as a script; `config` is written to `mm.cfg` first (none: not provisioned). */
export function runEspruinoImage(image: string, creation: DeviceCreation, config: StoredConfig | null, brokenDigest = false): Promise<RunningImage> {
  const provision = config === null ? '' : `\nflash['mm.cfg'] = ${JSON.stringify(JSON.stringify(config))};`;
  return run({ creation, rom: { scripts: { 'espruino.js': ESPRUINO_ROM + provision } }, image: { scripts: { 'micromine.js': image } } }, (device) => device.runScript('micromine.js'), brokenDigest);
}

/** The Moddable image's modules with `main` imported; `config` is stored in Preference domain mm first. */
export function runModdableImage(modules: { micromine: string; main: string }, creation: DeviceCreation, config: StoredConfig | null): Promise<RunningImage> {
  const entries = config === null ? [] : Object.entries(config).map(([key, value]) => [key, value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value]);
  const provision = `import Preference from "preference";
for (const [key, value] of ${JSON.stringify(entries)}) Preference.set('mm', key, key === 'key' ? Uint8Array.from(value.match(/../g), (h) => parseInt(h, 16)).buffer : value);`;
  return run({ creation, rom: { modules: { ...MODDABLE_ROM, 'mm-provision': provision } }, image: { modules } }, (device) => device.importModule('main'), false);
}
