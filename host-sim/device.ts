/**
 * One simulated device: the image of its target in the XS engine under the profile's limits,
 * the ROM that plays the board's firmware (rom/), its flash file, and its virtual clock.
 *
 * The fleet (fleet.ts) hands it events at virtual times; {@link SimDevice.deliver} runs one in the
 * engine and returns what the device did (timers armed, bytes written, sockets opened or closed).
 * The device's clock then moves by what the delivery cost on the device: the computrons the image
 * used divided by the profile's rate, plus native work (digests, flash writes) at the profile's
 * cost. Per-phase figures come from the app's `mark(phase)` hook, which the ROM implements.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EngineError, startDevice, type EngineValue, type Usage, type XsDevice } from './engine/index.ts';
import { variablesOfUsage } from './espruino-memory.ts';
import { Flash, type FlashValue } from './flash.ts';
import type { SimImage } from './image.ts';
import type { SimProfile } from './profile.ts';

/** Events the fleet delivers. */
export type DeviceEvent =
  | { kind: 'timer'; id: number }
  | { kind: 'connected'; socket: number }
  | { kind: 'data'; socket: number; bytes: Uint8Array }
  | { kind: 'closed'; socket: number }
  | { kind: 'failed'; socket: number; message: string };

/** What one delivery (or the boot) made the device do. */
export interface Effects {
  armed: [number, number][];
  cleared: number[];
  writes: [number, string][];
  opens: [number, string, number][];
  closes: number[];
}

/** Why a device stopped for good. */
export type Verdict =
  | { kind: 'running' }
  | { kind: 'out-of-memory'; phase: string; message: string }
  | { kind: 'cpu-budget'; phase: string; message: string }
  | { kind: 'crashed'; phase: string; message: string }
  | { kind: 'threw'; phase: string; message: string }
  /** the fleet ended it: it sent the node lines that are not mm/1 */
  | { kind: 'garbage'; phase: string; message: string };

/**
 * One slice as the device ran it: a delivery (or the boot), what the image spent in it per phase
 * and its length on the device's clock (computrons at the CPU rate plus native work).
 */
export interface DeviceSlice {
  /** the event delivered, or `boot` for loading the image */
  event: DeviceEvent | { kind: 'boot' };
  computrons: Record<string, number>;
  /** native work (digests, flash writes), µs per phase */
  nativeUs: Record<string, number>;
  ms: number;
}

/** Computrons and virtual ms spent in one phase. */
export interface PhaseCost {
  computrons: number;
  ms: number;
}

/** A simulated board's watchdog: a callback running longer than this resets it (ESP-IDF's task watchdog default). */
export const WATCHDOG_MS = 5000;
/** Time one flash write takes on the device (labelled estimate, see docs/simulator.md). */
export const FLASH_WRITE_US = 1500;
/** Virtual time of the epoch the devices' `Date` starts from (fixed: runs must not depend on the wall clock). */
export const SIM_EPOCH = 1_800_000_000_000;

const ROM_DIR = new URL('./rom/', import.meta.url);
const rom = (name: string): string => readFileSync(new URL(name, ROM_DIR), 'utf8');
const DIGEST_NAMES: Record<number, string> = { 1: 'sha1', 2: 'sha224', 3: 'sha256', 4: 'sha384', 5: 'sha512' };

interface KernelReport {
  e: Effects;
  p: Record<string, number>;
  n: Record<string, number>;
  f: string;
  ph: string;
}

/** Options of a device. */
export interface SimDeviceOptions {
  name: string;
  profile: SimProfile;
  image: SimImage;
  flash: Flash;
  seed: number;
  /** multiplies the CPU rate (a slow-CPU fault lowers it) */
  cpuFactor?: number;
  onLog?: (text: string) => void;
  /** told about every slice the device ran (tests and measurements: test/app/slices.test.ts) */
  onSlice?: (slice: DeviceSlice) => void;
}

/** A device; {@link SimDevice.boot} starts (or restarts, after a power cut) its engine. */
export class SimDevice {
  /** virtual ms: when the device is next free */
  clock = 0;
  verdict: Verdict = { kind: 'running' };
  readonly phases: Record<string, PhaseCost> = {};
  computrons = 0;
  /** longest delivery, virtual ms, and the phase it ended in */
  longestSlice = { ms: 0, phase: '' };
  peaks = { slots: 0, chunks: 0, stack: 0, variables: 0, allocated: 0 };
  limits = { slots: 0, chunks: 0, stack: 0, variables: 0 };
  /** highest live memory after a delivery that ended in each phase */
  readonly memoryByPhase: Record<string, { slots: number; chunks: number; variables: number }> = {};
  deliveries = 0;
  boots = 0;
  /** the phase the app marked last */
  phase = 'boot';
  cpuFactor: number;
  private engine: XsDevice | undefined;
  private lastUsage: Usage | undefined;
  /** set by a power-cut fault: the engine is stopped at the next flash write */
  cutAtNextWrite = false;
  private cutting = false;

  constructor(readonly options: SimDeviceOptions) {
    this.cpuFactor = options.cpuFactor ?? 1;
  }

  get profile(): SimProfile {
    return this.options.profile;
  }

  get running(): boolean {
    return this.verdict.kind === 'running' && this.engine !== undefined;
  }

  /** The device's CPU rate now (computrons per virtual ms). */
  get rate(): number {
    return this.profile.computronsPerMs * this.cpuFactor;
  }

  /** Boots a fresh engine on the same flash at virtual time `at`; returns the boot's effects. */
  async boot(at: number): Promise<Effects | undefined> {
    if (this.verdict.kind !== 'running') return undefined;
    const { profile, image } = this.options;
    this.clock = Math.max(this.clock, at);
    this.boots++;
    this.phase = 'boot';
    const romModules: Record<string, string> = image.runtime === 'xs'
      ? {
        timer: rom('moddable/timer.js'), time: rom('moddable/time.js'), preference: rom('moddable/preference.js'),
        crypt: rom('moddable/crypt.js'), 'embedded:io/socket/tcp': rom('moddable/tcp.js'), socket: rom('moddable/socket.js'),
      }
      : {};
    const romScripts: Record<string, string> = image.runtime === 'xs'
      ? { kernel: rom('kernel.js'), moddable: rom('moddable/globals.js') }
      : { kernel: rom('kernel.js'), variables: rom('variables.js'), espruino: rom('espruino.js') };
    try {
      this.engine = await startDevice({
        creation: profile.creation,
        computronLimit: Math.round(WATCHDOG_MS * profile.computronsPerMs),
        seed: this.options.seed + this.boots,
        name: this.options.name,
        rom: { scripts: romScripts, modules: romModules },
        image: image.runtime === 'xs' ? { modules: image.modules } : { scripts: { 'mm.a.js': image.script } },
        onHostCall: (message) => this.hostCall(message),
        // The kernel prints phase marks; everything else is the image's own log.
        onLog: ({ channel, text }) => {
          if (channel === 'print') this.phase = text;
          else this.options.onLog?.(text.replace(/\n$/, ''));
        },
      });
    } catch (error) {
      this.fail(error, 'boot');
      return undefined;
    }
    const base = this.engine.boot.usage;
    this.limits = { slots: base.slots.limit, chunks: base.chunks.limit, stack: base.stack.limit, variables: profile.variables ? profile.variables.total - profile.variables.base : 0 };
    const costs = JSON.stringify({ digests: profile.digests, flashWriteUs: FLASH_WRITE_US });
    const started = this.clock;
    try {
      this.engine.time = SIM_EPOCH + this.clock;
      await this.engine.call('micromineBoot', [this.clock, this.rate, costs]);
      if (image.runtime === 'espruino') await this.engine.call('micromineVariables', [null, profile.variables!.bytesEach]);
      const loaded = image.runtime === 'xs' ? await this.engine.importModule(image.entry) : await this.engine.runScript('mm.a.js');
      this.observe((await this.engine.collectGarbage()).usage, 'boot', loaded.usage);
      const collected = await this.engine.call('micromineCollect');
      const report = JSON.parse(String(collected.value)) as KernelReport;
      this.account({ boot: loaded.usage.computrons }, report.n, started, { kind: 'boot' });
      this.phase = report.ph === 'idle' ? 'boot' : report.ph;
      return this.verdict.kind === 'running' ? report.e : undefined;
    } catch (error) {
      this.fail(error, this.phase);
      return undefined;
    }
  }

  /** Delivers `event` at virtual time `at` (the device must be free by then). */
  async deliver(event: DeviceEvent, at: number): Promise<Effects | undefined> {
    if (!this.running) return undefined;
    const engine = this.engine!;
    const started = Math.max(this.clock, at);
    this.clock = started;
    engine.time = SIM_EPOCH + started;
    const [a, b] = event.kind === 'timer' ? [event.id, undefined]
      : event.kind === 'data' ? [event.socket, event.bytes]
        : event.kind === 'failed' ? [event.socket, event.message] : [event.socket, undefined];
    try {
      const result = await engine.call('micromineDeliver', [event.kind, a, b as EngineValue, started]);
      this.deliveries++;
      const report = JSON.parse(String(result.value)) as KernelReport;
      // Live figures: XS collects only when a heap is full, so a call's own peak is mostly
      // garbage; a collection after each delivery measures what the device really keeps.
      const live = await engine.collectGarbage();
      this.observe(live.usage, report.ph, result.usage);
      this.account(Object.keys(report.p).length > 0 ? report.p : { [this.phase]: result.usage.computrons }, report.n, started, event);
      this.phase = report.ph;
      if (report.f) this.options.onLog?.(`uncaught in ${event.kind} handler: ${report.f}`);
      return this.verdict.kind === 'running' ? report.e : undefined;
    } catch (error) {
      this.fail(error, this.phase);
      return undefined;
    }
  }

  /**
   * Evaluates `source` in the running device, as one typed at its console: for the image API
   * (Espruino's global `micromine`), not for delivering events. Resolves to the value.
   */
  async evaluate(source: string): Promise<unknown> {
    if (!this.running) throw new Error(`${this.options.name} is not running`);
    const { value } = await this.engine!.evaluate(source);
    return value;
  }

  /** Collects garbage and returns live usage (for reports and the peak-memory measurements). */
  async collect(): Promise<Usage | undefined> {
    if (!this.running) return undefined;
    const { usage } = await this.engine!.collectGarbage();
    return usage;
  }

  /** Ends the device with `verdict` (the fleet's judgement, e.g. garbage on the wire). */
  async halt(verdict: Exclude<Verdict, { kind: 'running' }>): Promise<void> {
    if (this.verdict.kind !== 'running') return;
    this.verdict = verdict;
    await this.powerOff();
  }

  /** Stops the engine as a power cut does: nothing more runs, the flash keeps what was written. */
  async powerOff(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    if (engine) await engine.close();
  }

  /** Stops the device for good (end of the run). */
  async close(): Promise<void> {
    await this.powerOff();
  }

  private account(computrons: Record<string, number>, nativeUs: Record<string, number>, started: number, event?: DeviceSlice['event']): void {
    let ms = 0;
    const add = (phase: string, units: number, phaseMs: number): void => {
      const cost = (this.phases[phase] ??= { computrons: 0, ms: 0 });
      cost.computrons += units;
      cost.ms += phaseMs;
      ms += phaseMs;
    };
    for (const [phase, units] of Object.entries(computrons)) {
      this.computrons += units;
      add(phase, units, units / this.rate);
    }
    for (const [phase, us] of Object.entries(nativeUs)) add(phase === 'idle' ? this.phase : phase, 0, us / 1000);
    this.clock = started + ms;
    if (ms > this.longestSlice.ms) this.longestSlice = { ms, phase: this.phase };
    if (event !== undefined) this.options.onSlice?.({ event, computrons, nativeUs, ms });
  }

  /** Takes live usage (after a collection) and the call's own (for the stack's peak). */
  private observe(usage: Usage, phase = this.phase, call: Usage = usage): void {
    this.lastUsage = usage;
    this.peaks.slots = Math.max(this.peaks.slots, usage.slots.current);
    this.peaks.chunks = Math.max(this.peaks.chunks, usage.chunks.current);
    this.peaks.stack = Math.max(this.peaks.stack, call.stack.peak);
    // Heaps that grow (ESP32-C3: inside one static block) report their size so far.
    this.limits.slots = Math.max(this.limits.slots, usage.slots.limit);
    this.limits.chunks = Math.max(this.limits.chunks, usage.chunks.limit);
    this.peaks.allocated = Math.max(this.peaks.allocated, usage.allocated);
    const variables = this.profile.variables;
    const used = variables === null ? 0 : variablesOfUsage(usage.slots.current, usage.chunks.current, variables.bytesEach);
    const byPhase = (this.memoryByPhase[phase] ??= { slots: 0, chunks: 0, variables: 0 });
    byPhase.slots = Math.max(byPhase.slots, usage.slots.current);
    byPhase.chunks = Math.max(byPhase.chunks, usage.chunks.current);
    byPhase.variables = Math.max(byPhase.variables, used);
    if (variables === null) return;
    this.peaks.variables = Math.max(this.peaks.variables, used);
    if (used > this.limits.variables) {
      this.verdict = { kind: 'out-of-memory', phase, message: `OUT OF MEMORY: ${used} variables needed, ${this.limits.variables} free for the image (${variables.total} on the device)` };
      void this.powerOff();
    }
  }

  private fail(error: unknown, phase: string): void {
    if (this.verdict.kind !== 'running') return;
    const message = error instanceof Error ? error.message : String(error);
    if (this.cutting) return; // a power cut, not a failure
    if (error instanceof EngineError) {
      if (error.usage) {
        // What the fatal call spent until it died is the device's too (it ran until the reset).
        this.peaks.stack = Math.max(this.peaks.stack, error.usage.stack.peak);
        this.account({ [phase]: error.usage.computrons }, {}, this.clock);
      }
      const kind = error.code === 'not-enough-memory' || error.code === 'stack-overflow' || error.code === 'no-more-keys' ? 'out-of-memory'
        : error.code === 'cpu-budget-exceeded' ? 'cpu-budget'
          : error.code === 'exception' ? 'threw' : 'crashed';
      this.verdict = { kind, phase, message: error.message.startsWith(`${this.options.name}: `) ? error.message.slice(this.options.name.length + 2) : error.message };
    } else {
      this.verdict = { kind: 'crashed', phase, message };
    }
    void this.powerOff();
  }

  /** Memory for Espruino's process.memory(), from the last call's usage. */
  private memory(): string {
    const variables = this.profile.variables!;
    const usage = this.lastUsage;
    const used = variables.base + (usage ? variablesOfUsage(usage.slots.current, usage.chunks.current, variables.bytesEach) : 0);
    return JSON.stringify({ free: Math.max(0, variables.total - used), usage: used, total: variables.total, history: 0, gc: 0, gctime: 0, blocksize: variables.bytesEach });
  }

  private hostCall(message: string | Uint8Array): EngineValue | Promise<EngineValue> {
    if (message instanceof Uint8Array) {
      const algorithm = DIGEST_NAMES[message[0]!];
      if (algorithm === undefined) throw new Error(`unknown digest code ${message[0]}`);
      return new Uint8Array(createHash(algorithm).update(message.subarray(1)).digest());
    }
    const [op, ...args] = JSON.parse(message) as [string, ...unknown[]];
    const flash = this.options.flash;
    switch (op) {
      case 'pref.get': {
        const entry = flash.get(Flash.preferenceName(String(args[0]), String(args[1])));
        return entry === undefined ? null : entry.type === 'bytes' ? Buffer.from(entry.value, 'hex') : entry.value;
      }
      case 'pref.set': {
        const [domain, key, type, value] = args as [string, string, string, string | number | boolean];
        const stored: FlashValue = type === 's' ? { type: 'string', value: String(value) } : type === 'i' ? { type: 'integer', value: Number(value) }
          : type === 'b' ? { type: 'boolean', value: Boolean(value) } : { type: 'bytes', value: String(value) };
        Flash.checkPreference(domain, key, type === 'a' ? String(value).length / 2 : String(value).length);
        return this.write(() => {
          if (!flash.put(Flash.preferenceName(domain, key), stored)) throw new Error('Preference: the NVS partition is full');
          return undefined;
        });
      }
      case 'pref.delete':
        return this.write(() => flash.remove(Flash.preferenceName(String(args[0]), String(args[1]))));
      case 'pref.keys': {
        const prefix = Flash.preferenceName(String(args[0]), '');
        return JSON.stringify(flash.names().filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length)));
      }
      case 'storage.read': {
        const entry = flash.get(Flash.storageName(String(args[0])));
        return entry === undefined ? null : String(entry.value);
      }
      case 'storage.write':
        return this.write(() => flash.put(Flash.storageName(String(args[0])), { type: 'string', value: String(args[1]) }));
      case 'storage.erase':
        return this.write(() => flash.remove(Flash.storageName(String(args[0]))));
      case 'storage.list':
        return JSON.stringify(flash.names().filter((name) => name.startsWith('file:')).map((name) => name.slice(5)));
      case 'memory':
        return this.memory();
      default:
        throw new Error(`unknown host call ${op}`);
    }
  }

  /** A flash write, unless a power cut is due now: then the engine stops before the write lands. */
  private write(run: () => boolean | void | undefined): EngineValue | Promise<EngineValue> {
    if (this.cutAtNextWrite) {
      this.cutAtNextWrite = false;
      this.cutting = true;
      const engine = this.engine;
      this.engine = undefined;
      // The VM waits for this reply; closing the engine ends it there, mid-call, as a power cut does.
      void engine?.close().finally(() => (this.cutting = false));
      return new Promise<EngineValue>(() => {});
    }
    const result = run();
    return result === undefined ? undefined : result;
  }
}
