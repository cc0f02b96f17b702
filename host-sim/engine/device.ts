/**
 * The Node side of an emulated device: one device host process (src/, built at install) running
 * the real XS engine under a device's creation, allocation limit and computron limit.
 *
 * ```ts
 * const device = await startDevice({ creation, onHostCall: (message) => reply(message) });
 * const { value, usage } = await device.evaluate('1 + 1');
 * await device.close();
 * ```
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { allocationLimitOf, checkCreation, creationArguments, type DeviceCreation } from './creation.ts';
import { EngineError, type EngineErrorCode } from './errors.ts';
import { readUsage, USAGE_WORDS, type Usage } from './usage.ts';
import { FrameReader, FrameSplitter, FrameWriter, type EngineValue } from './wire.ts';

/** Where the install step (build.mjs) puts the device host. */
export const HOST_BINARY = fileURLToPath(new URL('./build/mm-device-host', import.meta.url));

/** Computrons a call may use unless its options say otherwise. */
export const DEFAULT_COMPUTRON_LIMIT = 100_000_000;
/** Highest computron limit: the engine's meter is a u32 checked every 1024 computrons. */
export const MAX_COMPUTRON_LIMIT = 0xffffffff - 0x100000;

/** Answers the VM's `hostCall(message)`; what it returns (or resolves to) is the VM's result. */
export type HostCallHandler = (message: string | Uint8Array, device: XsDevice) => EngineValue | Promise<EngineValue>;

/** One `print`/`trace` from the VM, or a message of the engine (`system`: unhandled rejections). */
export interface LogEntry {
  channel: 'print' | 'trace' | 'system';
  text: string;
  device: string;
}

/** Options of {@link startDevice}. */
export interface DeviceOptions {
  /** the device's creation (device units), as in a Moddable manifest */
  creation: DeviceCreation;
  /** device bytes for stack + slot heaps + chunk heap; default `creation.static`, or unlimited when 0 */
  allocationLimit?: number;
  /** default computron limit of each call (default {@link DEFAULT_COMPUTRON_LIMIT}) */
  computronLimit?: number;
  /** seed of the VM's Math.random (default 0) */
  seed?: number | bigint;
  /** used in messages and log entries (default `device`) */
  name?: string;
  /** code the device keeps preloaded in flash: scripts run and modules are imported at boot, in
   * order; what they leave is the base, which does not count as device RAM */
  rom?: { scripts?: Record<string, string>; modules?: Record<string, string> };
  /** the image, compiled at boot into flash (its names become keys then, as a linked archive's
   * are): modules by specifier, run by `importModule`; scripts by name, run by `runScript` */
  image?: { modules?: Record<string, string>; scripts?: Record<string, string> };
  onHostCall?: HostCallHandler;
  onLog?: (entry: LogEntry) => void;
}

/** Options of one call. */
export interface CallOptions {
  /** computrons this call may use (default: the device's) */
  computronLimit?: number;
}

/** What a call returned and used. */
export interface CallResult {
  value: EngineValue;
  usage: Usage;
}

/** What booting measured. */
export interface BootInfo {
  /** what built-ins and ROM occupy on the host after boot (not device RAM) */
  base: { slots: number; hostChunkBytes: number; deviceChunkBytes: number; keys: number; stack: number };
  /** byte code of the ROM and image modules, kept in flash */
  flashBytes: number;
  /** the device right after boot (device units, relative to the base) */
  usage: Usage;
}

const OPTION_NAMES = ['creation', 'allocationLimit', 'computronLimit', 'seed', 'name', 'rom', 'image', 'onHostCall', 'onLog'];
const ABORTS: Record<number, [EngineErrorCode, string]> = {
  0: ['exception', 'the ROM failed'],
  1: ['not-enough-memory', 'not enough memory'],
  2: ['stack-overflow', 'stack overflow'],
  6: ['no-more-keys', 'not enough keys'],
  7: ['cpu-budget-exceeded', 'cpu budget exceeded'],
};
const STDERR_TAIL = 4096;

interface Pending {
  resolve(result: CallResult): void;
  reject(error: Error): void;
}

function computronLimitOf(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected integer, got ${value === null ? 'null' : typeof value}`);
  if (!(Number.isInteger(value) && value >= 1 && value <= MAX_COMPUTRON_LIMIT)) {
    throw new RangeError(`"${name}" expected integer from 1 to ${MAX_COMPUTRON_LIMIT}, got ${value}`);
  }
  return value;
}

function sources(name: string, value: unknown): [string, string][] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null) throw new TypeError(`"${name}" expected an object of source texts, got ${value === null ? 'null' : typeof value}`);
  return Object.entries(value).map(([key, source]) => {
    if (typeof source !== 'string') throw new TypeError(`"${name}.${key}" expected string, got ${typeof source}`);
    return [key, source];
  });
}

function checkKeys(name: string, value: unknown, keys: string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new TypeError(`"${name}" expected object, got ${value === null ? 'null' : typeof value}`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw new TypeError(`"${name}" has an unknown field "${key}"`);
  return value as Record<string, unknown>;
}

function checkValue(name: string, value: unknown): EngineValue {
  if (value === undefined || value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string' || value instanceof Uint8Array) {
    return value;
  }
  throw new TypeError(`"${name}" expected undefined, null, boolean, number, string or Uint8Array, got ${typeof value}`);
}

/**
 * Starts a device: spawns its host, boots the engine and the ROM, and resolves once the device
 * is ready. Rejects with a TypeError or RangeError naming a bad option, or with an
 * {@link EngineError} when the device cannot boot (for example `not-enough-memory` when the
 * initial heaps exceed the allocation limit, or `exception` when the ROM throws).
 */
export async function startDevice(options: DeviceOptions): Promise<XsDevice> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected object, got ${options === null ? 'null' : typeof options}`);
  for (const key of Object.keys(options)) if (!OPTION_NAMES.includes(key)) throw new TypeError(`startDevice(): unknown option "${key}"`);
  const creation = checkCreation(options.creation);
  const name = options.name ?? 'device';
  if (typeof name !== 'string' || name === '') throw new TypeError('"name" expected a non-empty string');
  const allocationLimit = allocationLimitOf(creation, options.allocationLimit);
  const computronLimit = computronLimitOf('computronLimit', options.computronLimit ?? DEFAULT_COMPUTRON_LIMIT);
  const seed = options.seed ?? 0;
  if (!(typeof seed === 'bigint' || (typeof seed === 'number' && Number.isSafeInteger(seed))) || seed < 0 || BigInt(seed) >= 2n ** 64n) {
    throw new RangeError(`"seed" expected an integer from 0 to 2^64 - 1, got ${String(seed)}`);
  }
  const rom = checkKeys('rom', options.rom, ['scripts', 'modules']);
  const image = checkKeys('image', options.image, ['modules', 'scripts']);
  const boot = new FrameWriter('B', 4096);
  const entries: [number, string, string][] = [
    ...sources('rom.scripts', rom.scripts).map(([key, source]): [number, string, string] => [0x73, key, source]),
    ...sources('rom.modules', rom.modules).map(([key, source]): [number, string, string] => [0x72, key, source]),
    ...sources('image.modules', image.modules).map(([key, source]): [number, string, string] => [0x6d, key, source]),
    ...sources('image.scripts', image.scripts).map(([key, source]): [number, string, string] => [0x69, key, source]),
  ];
  boot.u32(entries.length);
  for (const [kind, key, source] of entries) boot.u8(kind).string(key).string(source);
  if (options.onHostCall !== undefined && typeof options.onHostCall !== 'function') throw new TypeError('"onHostCall" expected function');
  if (options.onLog !== undefined && typeof options.onLog !== 'function') throw new TypeError('"onLog" expected function');
  if (!existsSync(HOST_BINARY)) {
    throw new EngineError('not-built', `the device host is missing at ${HOST_BINARY}`, { device: name, hint: 'run npm install, or node host-sim/engine/build.mjs' });
  }
  const args = [...creationArguments(creation, allocationLimit), '--seed', String(seed)];
  return new Promise((resolve, reject) => {
    const device = new XsDevice(name, args, computronLimit, options.onHostCall, options.onLog, { resolve, reject });
    device.send(boot.finish());
  });
}

/** A running emulated device. Calls are served one at a time, in order; bad arguments reject
 * with a TypeError or RangeError naming them, as {@link startDevice} does. */
export class XsDevice {
  /** the virtual clock (ms since the epoch) that Date sees during the next calls */
  time = 0;
  /** what booting measured */
  boot!: BootInfo;
  /** computrons used by all calls so far */
  computrons = 0;
  /** highest levels seen by any call so far (device units) */
  readonly peaks = { slots: 0, chunks: 0, stack: 0 };

  private readonly process: ChildProcess;
  private readonly input: Writable;
  private readonly splitter = new FrameSplitter();
  private readonly queue: { frame: Buffer; pending: Pending }[] = [];
  private current: Pending | undefined;
  private starting: { resolve(device: XsDevice): void; reject(error: Error): void } | undefined;
  private stopped: EngineError | undefined;
  private stderr = '';
  private closed: Promise<void> | undefined;
  private exited = false;

  /** @internal use {@link startDevice} */
  constructor(
    readonly name: string,
    args: string[],
    private readonly computronLimit: number,
    private readonly onHostCall: HostCallHandler | undefined,
    private readonly onLog: ((entry: LogEntry) => void) | undefined,
    starting: { resolve(device: XsDevice): void; reject(error: Error): void },
  ) {
    this.starting = starting;
    this.process = spawn(HOST_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], env: { TZ: 'UTC' } });
    this.input = this.process.stdio[3] as Writable;
    this.input.on('error', () => {}); // a dead host shows up as 'exit'
    (this.process.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      for (const body of this.splitter.push(chunk)) this.receive(new FrameReader(body));
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.process.on('error', (error) => this.stop(new EngineError('crashed', `cannot run the device host: ${error.message}`, { device: this.name })));
    // 'close' comes after the host's last frames have been read ('exit' may come before).
    this.process.on('close', (code, signal) => {
      this.exited = true;
      const detail = this.stderr.trim() ? `: ${this.stderr.trim()}` : '';
      this.stop(new EngineError('crashed', `the device host exited (code ${code}, signal ${signal})${detail}`, { device: this.name }));
    });
  }

  /** `ready`, `busy` (a call is running), or `stopped` (closed, aborted or crashed). */
  get state(): 'ready' | 'busy' | 'stopped' {
    return this.stopped ? 'stopped' : this.current ? 'busy' : 'ready';
  }

  /**
   * Compiles and runs a script in the global scope (sloppy mode). The compile happens now, as
   * an eval on the device would: new names take runtime keys. Images belong in `image`.
   */
  async evaluate(source: string, options: CallOptions & { name?: string } = {}): Promise<CallResult> {
    if (typeof source !== 'string') throw new TypeError(`"source" expected string, got ${typeof source}`);
    const name = options.name ?? 'script.js';
    return this.request(this.envelope('E', options, ['name']).string(name).string(source));
  }

  /** Runs a script of the image (global scope, sloppy mode, as Espruino images are). */
  async runScript(name: string, options: CallOptions = {}): Promise<CallResult> {
    if (typeof name !== 'string') throw new TypeError(`"name" expected string, got ${typeof name}`);
    return this.request(this.envelope('S', options).string(name));
  }

  /** Imports a module of the image (or the ROM); resolves once its evaluation has settled. */
  async importModule(specifier: string, options: CallOptions = {}): Promise<CallResult> {
    if (typeof specifier !== 'string') throw new TypeError(`"specifier" expected string, got ${typeof specifier}`);
    return this.request(this.envelope('M', options).string(specifier));
  }

  /** Calls the global function `name` with `args`; bytes arrive in the VM as ArrayBuffers. */
  async call(name: string, args: readonly EngineValue[] = [], options: CallOptions = {}): Promise<CallResult> {
    if (typeof name !== 'string') throw new TypeError(`"name" expected string, got ${typeof name}`);
    if (!Array.isArray(args)) throw new TypeError(`"args" expected array, got ${typeof args}`);
    const frame = this.envelope('C', options).string(name).u32(args.length);
    args.forEach((arg, index) => frame.value(checkValue(`args[${index}]`, arg)));
    return this.request(frame);
  }

  /** Runs a full collection; its usage gives live figures (slots and chunks in use). */
  async collectGarbage(): Promise<CallResult> {
    return this.request(this.envelope('G', {}));
  }

  /** Stops the device. Calls still queued fail with `closed`. */
  async close(): Promise<void> {
    this.stop(new EngineError('closed', 'the device was closed', { device: this.name }));
    if (this.exited) return;
    if (this.closed) return this.closed;
    this.closed = new Promise<void>((resolve) => this.process.once('close', () => resolve()));
    this.input.end(new FrameWriter('Q', 16).finish());
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 2000);
    await this.closed;
    clearTimeout(timer);
  }

  /** @internal */
  send(frame: Buffer): void {
    this.input.write(frame);
  }

  private envelope(type: string, options: CallOptions, extra: string[] = []): FrameWriter {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected object, got ${options === null ? 'null' : typeof options}`);
    for (const key of Object.keys(options)) if (key !== 'computronLimit' && !extra.includes(key)) throw new TypeError(`unknown call option "${key}"`);
    const limit = options.computronLimit === undefined ? this.computronLimit : computronLimitOf('computronLimit', options.computronLimit);
    if (typeof this.time !== 'number' || !Number.isFinite(this.time)) throw new TypeError(`"time" expected a finite number, got ${this.time}`);
    return new FrameWriter(type).f64(this.time).u32(limit);
  }

  private request(frame: FrameWriter): Promise<CallResult> {
    if (this.stopped) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const pending = { resolve, reject };
      if (this.current) this.queue.push({ frame: frame.finish(), pending });
      else {
        this.current = pending;
        this.send(frame.finish());
      }
    });
  }

  private closedError(): EngineError {
    const stopped = this.stopped!;
    return stopped.code === 'closed' ? stopped : new EngineError('closed', `the device stopped earlier: ${stopped.message}`, { device: this.name });
  }

  private receive(frame: FrameReader): void {
    switch (frame.type) {
      case 'L': {
        const channel = frame.u8();
        const text = frame.string();
        try {
          this.onLog?.({ channel: channel === 0x70 ? 'print' : channel === 0x74 ? 'trace' : 'system', text, device: this.name });
        } catch (error) {
          queueMicrotask(() => { throw error; }); // the handler's bug, not the device's: frames go on
        }
        return;
      }
      case 'H':
        this.answerHostCall(frame.value() as string | Uint8Array);
        return;
      case 'D':
      case 'X': {
        const usage = readUsage(frame.body, frame.offset);
        frame.offset += USAGE_WORDS * 4;
        const value = frame.value();
        const pending = this.current;
        // A stopped device has settled its call already; the host may still answer before it exits.
        if (!pending) return;
        this.account(usage);
        this.next();
        if (frame.type === 'D') pending.resolve({ value, usage });
        else pending.reject(new EngineError('exception', String(value), { device: this.name, usage }));
        return;
      }
      case 'b': {
        const word = () => frame.u32();
        const base = { slots: word(), hostChunkBytes: word(), deviceChunkBytes: word(), keys: word(), stack: word() };
        const flashBytes = word();
        this.boot = { base, flashBytes, usage: readUsage(frame.body, frame.offset) };
        this.starting?.resolve(this);
        this.starting = undefined;
        return;
      }
      case 'A': {
        const status = frame.u8();
        const context = frame.string();
        const usage = readUsage(frame.body, frame.offset);
        this.account(usage);
        const [code, message] = ABORTS[status] ?? ['crashed', `the engine aborted (status ${status})`];
        const text = context ? `${message} (${context})` : message;
        this.stop(new EngineError(code, status === 0 ? context : text, { device: this.name, usage }));
        return;
      }
      default:
        this.stop(new EngineError('crashed', `the device host sent an unknown frame "${frame.type}"`, { device: this.name }));
        this.process.kill('SIGKILL');
    }
  }

  private answerHostCall(message: string | Uint8Array): void {
    // The VM waits for this reply, so there is never more than one host call in flight.
    let value: EngineValue | Promise<EngineValue>;
    try {
      if (!this.onHostCall) throw new Error('this device has no onHostCall handler');
      value = this.onHostCall(message, this);
    } catch (error) {
      this.replyToHostCall(undefined, error);
      return;
    }
    if (value instanceof Promise) value.then((resolved) => this.replyToHostCall(resolved), (error: unknown) => this.replyToHostCall(undefined, error));
    else this.replyToHostCall(value);
  }

  private replyToHostCall(value: unknown, error?: unknown): void {
    let reply: FrameWriter;
    try {
      if (error !== undefined) throw error;
      reply = new FrameWriter('R').value(checkValue('host call reply', value));
    } catch (failure) {
      reply = new FrameWriter('J').string(failure instanceof Error ? failure.message : String(failure));
    }
    if (!this.stopped) this.send(reply.finish());
  }

  private account(usage: Usage): void {
    this.computrons += usage.computrons;
    this.peaks.slots = Math.max(this.peaks.slots, usage.slots.peak);
    this.peaks.chunks = Math.max(this.peaks.chunks, usage.chunks.peak);
    this.peaks.stack = Math.max(this.peaks.stack, usage.stack.peak);
  }

  private next(): void {
    const next = this.queue.shift();
    this.current = next?.pending;
    if (next) this.send(next.frame);
  }

  private stop(error: EngineError): void {
    if (this.stopped) return;
    this.stopped = error;
    this.starting?.reject(error);
    this.starting = undefined;
    this.current?.reject(error);
    this.current = undefined;
    for (const { pending } of this.queue.splice(0)) pending.reject(this.closedError());
  }
}
