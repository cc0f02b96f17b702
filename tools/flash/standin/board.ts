/**
 * A stand-in Espruino board for tests and dry runs: no ESP32 can be attached here, so this
 * models the parts of one that `micromine flash` relies on, and nothing more. Code runs in a
 * Node `vm` context with Espruino's names: `require("Storage")` (write with offset and size,
 * read, list, erase, getFree; flash semantics where an offset write can only clear bits),
 * `E.setBootCode`, `process.env`, `process.memory()`, `print`, `console.log`, `atob`/`btoa` on
 * byte strings, `reset()` and `load()` (deferred to the end of the running line, as on the device). Storage survives `boot()` (a power cycle), RAM does not.
 * It is a stand-in, not an emulator: JavaScript here is Node's, not Espruino's dialect.
 * @module
 */
import { createContext, runInContext, type Context } from 'node:vm';

/** What the stand-in reports as `process.env` (the fields `micromine flash` checks). */
export interface StandinEnv {
  VERSION: string;
  BOARD: string;
  CONSOLE: string;
  [field: string]: string | number;
}

/** Options of a {@link StandinBoard}. */
export interface StandinBoardOptions {
  /** `process.env` fields; defaults to an ESP32 on 2v24 with its console on Telnet. */
  env?: Partial<StandinEnv>;
  /** Storage capacity in bytes (default 0x30000, about an ESP32 Espruino's). */
  storageBytes?: number;
  /** Files present at power-on, by name (byte strings). */
  files?: Record<string, string>;
  /** Fault injection: flip a bit of every write to a file whose name matches. */
  corruptWrites?: RegExp;
}

/** Longest Storage file name on current Espruino builds. */
const NAME_MAX = 28;

function bytesOf(data: unknown): Uint8Array {
  if (typeof data === 'string') return new Uint8Array(Buffer.from(data, 'latin1'));
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return new Uint8Array(Buffer.from(String(data), 'latin1'));
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

/** The stand-in board: Storage, environment and a JavaScript context. */
export class StandinBoard {
  /** Storage files by name; survives {@link boot}. */
  readonly storage = new Map<string, Uint8Array>();
  readonly env: StandinEnv;
  /** Receives everything the board prints. */
  onOutput: (text: string) => void = () => {};
  /** Counts flash writes per file name (how the tests see what was written where). */
  readonly writes = new Map<string, number>();
  private readonly capacity: number;
  private readonly corruptWrites: RegExp | undefined;
  private context!: Context;
  private loadPending = false;

  constructor(options: StandinBoardOptions = {}) {
    this.env = { VERSION: '2v24', BOARD: 'ESP32', CONSOLE: 'Telnet', FLASH: 0, STORAGE: options.storageBytes ?? 0x30000, ...options.env } as StandinEnv;
    this.capacity = options.storageBytes ?? 0x30000;
    this.corruptWrites = options.corruptWrites;
    for (const [name, data] of Object.entries(options.files ?? {})) this.storage.set(name, bytesOf(data));
    this.reset();
  }

  /** A file's content as a byte string, or undefined. */
  file(name: string): string | undefined {
    const bytes = this.storage.get(name);
    return bytes === undefined ? undefined : text(bytes);
  }

  /** Clears RAM: a fresh context without running boot code (Espruino's `reset()`). */
  reset(): void {
    this.context = createContext(this.globals());
    runInContext('var global = globalThis;', this.context);
  }

  /** A power cycle: clears RAM, then runs `.bootcde` as Espruino does at start-up. */
  boot(): void {
    this.reset();
    const code = this.file('.bootcde');
    if (code !== undefined) this.run(code);
  }

  /** Runs `code` in the board's context; what it throws propagates. A `load()` in it boots afterwards. */
  run(code: string): unknown {
    try {
      return runInContext(code, this.context, { filename: 'board' });
    } finally {
      if (this.loadPending) {
        this.loadPending = false;
        this.boot();
      }
    }
  }

  private print(...parts: unknown[]): void {
    this.onOutput(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ') + '\n');
  }

  private used(): number {
    let total = 0;
    for (const bytes of this.storage.values()) total += bytes.length;
    return total;
  }

  private checkName(name: unknown): string {
    if (typeof name !== 'string' || name.length < 1 || name.length > NAME_MAX) throw new Error(`Invalid Storage file name ${JSON.stringify(name)}`);
    return name;
  }

  private storageModule() {
    const board = this;
    return {
      write(name: unknown, data: unknown, offset?: number, size?: number): boolean {
        const file = board.checkName(name);
        let bytes = bytesOf(data);
        if (board.corruptWrites?.test(file) && bytes.length > 0) {
          bytes = bytes.slice();
          bytes[bytes.length - 1] ^= 1;
        }
        board.writes.set(file, (board.writes.get(file) ?? 0) + 1);
        if (offset === undefined || offset === 0) {
          const total = size ?? bytes.length;
          if (bytes.length > total) throw new Error('Too much data for file size');
          const old = board.storage.get(file);
          if (board.used() - (old?.length ?? 0) + total > board.capacity) throw new Error('Unable to find or create file: not enough free space');
          const created = new Uint8Array(total).fill(0xff);
          created.set(bytes, 0);
          board.storage.set(file, created);
          return true;
        }
        const existing = board.storage.get(file);
        if (existing === undefined) throw new Error(`Can't write to ${file} at offset ${offset}: the file does not exist`);
        if (offset + bytes.length > existing.length) throw new Error(`Too much data for file size (${offset}+${bytes.length} > ${existing.length})`);
        // NOR flash: a write can only clear bits of erased (0xFF) bytes.
        for (let i = 0; i < bytes.length; i++) existing[offset + i] &= bytes[i];
        return true;
      },
      read(name: unknown, offset = 0, length?: number): string | undefined {
        const bytes = board.storage.get(board.checkName(name));
        if (bytes === undefined) return undefined;
        return text(bytes.subarray(offset, length === undefined ? undefined : offset + length));
      },
      readJSON(name: unknown, noExceptions?: boolean): unknown {
        const content = this.read(name);
        if (content === undefined) return undefined;
        try {
          return JSON.parse(content);
        } catch (error) {
          if (noExceptions) return undefined;
          throw error;
        }
      },
      list(pattern?: RegExp): string[] {
        return [...board.storage.keys()].filter((name) => pattern === undefined || pattern.test(name));
      },
      erase(name: unknown): void {
        board.storage.delete(board.checkName(name));
      },
      getFree(): number {
        return board.capacity - board.used();
      },
      // StorageFile (the appendable kind) is not modelled: opening for read finds nothing.
      open(_name: unknown, _mode: string) {
        return { read: () => undefined };
      },
    };
  }

  private globals(): Record<string, unknown> {
    const board = this;
    const storage = this.storageModule();
    return {
      require(name: string) {
        if (name === 'Storage') return storage;
        throw new Error(`Module ${name} not found`);
      },
      process: {
        env: this.env,
        memory: () => ({ free: 12000, usage: 4383, total: 16383, history: 0 }),
      },
      E: {
        setBootCode(code: string, alwaysExec?: boolean) {
          storage.write(alwaysExec ? '.bootrst' : '.bootcde', String(code));
        },
      },
      print: (...parts: unknown[]) => board.print(...parts),
      console: { log: (...parts: unknown[]) => board.print(...parts) },
      atob: (data: string) => Buffer.from(String(data), 'base64').toString('latin1'),
      btoa: (data: string) => Buffer.from(String(data), 'latin1').toString('base64'),
      reset: () => board.reset(),
      // As on Espruino, load() reboots once the running line has finished.
      load: () => { board.loadPending = true; },
    };
  }
}
