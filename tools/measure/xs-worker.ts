/**
 * A minimal client for the stock xsnap-worker that @agoric/xsnap builds at install: netstrings
 * on fds 3 (to the worker) and 4 (from it). `e<js>` evaluates a script, `?<bytes>` calls the
 * script's globalThis.handleCommand; each success reply is `.<meter JSON>\x01<result>`, carrying
 * the computrons ("compute") that the request used; the VM's issueCommand reaches the host as
 * `?<bytes>` and is answered with `/<bytes>`. Enough to meter code, nothing more: the
 * simulator's own engine lives in host-sim/.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** What one request returned and cost. */
export interface Metered {
  reply: Uint8Array;
  /** XS computrons: bytecodes executed plus builtin charges */
  compute: number;
  /** slots in use in the machine's heap after the request (host slots, not device slots) */
  currentHeapCount: number;
}

/** Path of the stock worker binary. */
export function workerPath(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@agoric/xsnap/package.json'));
  const path = join(root, 'xsnap-native', 'xsnap', 'build', 'bin', 'lin', 'release', 'xsnap-worker');
  if (!existsSync(path)) throw new Error(`xsnap-worker not found at ${path}: reinstall @agoric/xsnap (it builds the worker at install)`);
  return path;
}

/** One running XS machine. */
export class XsWorker {
  private readonly process: ChildProcess;
  private readonly input: Writable;
  private buffered = Buffer.alloc(0);
  private waiting: { resolve(frame: Buffer): void; reject(error: Error): void } | undefined;
  private readonly frames: Buffer[] = [];
  private exited: Error | undefined;

  /** `onQuery` answers the VM's issueCommand(ArrayBuffer) calls. */
  constructor(private readonly onQuery: (message: Uint8Array) => Uint8Array = () => new Uint8Array(0)) {
    this.process = spawn(workerPath(), ['measure'], { stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'pipe'] });
    this.input = this.process.stdio[3] as Writable;
    (this.process.stdio[4] as Readable).on('data', (chunk: Buffer) => this.receive(chunk));
    this.process.on('exit', (code, signal) => {
      this.exited = new Error(`xsnap-worker exited (code ${code}, signal ${signal})`);
      this.waiting?.reject(this.exited);
      this.waiting = undefined;
    });
  }

  /** Evaluates a script. */
  evaluate(code: string): Promise<Metered> {
    return this.request(Buffer.concat([Buffer.from('e'), Buffer.from(code, 'utf8')]));
  }

  /** Calls globalThis.handleCommand(ArrayBuffer) in the machine. */
  command(message: Uint8Array): Promise<Metered> {
    return this.request(Buffer.concat([Buffer.from('?'), message]));
  }

  /** Stops the machine. */
  close(): void {
    this.input.end();
    this.process.kill();
  }

  private async request(payload: Buffer): Promise<Metered> {
    if (this.exited) throw this.exited;
    this.send(payload);
    let frame = await this.next();
    // The VM may call the host any number of times before it answers.
    while (frame[0] === 0x3f) {
      this.send(Buffer.concat([Buffer.from('/'), this.onQuery(new Uint8Array(frame.subarray(1)))]));
      frame = await this.next();
    }
    if (frame[0] === 0x21) throw new Error(`XS exception: ${frame.subarray(1).toString('utf8')}`);
    if (frame[0] !== 0x2e) throw new Error(`unexpected reply from xsnap-worker: ${frame.subarray(0, 40).toString('latin1')}`);
    const separator = frame.indexOf(1);
    const meter = JSON.parse(frame.subarray(1, separator).toString('utf8')) as { compute: number; currentHeapCount: number };
    return { reply: new Uint8Array(frame.subarray(separator + 1)), compute: meter.compute, currentHeapCount: meter.currentHeapCount };
  }

  private send(payload: Buffer): void {
    this.input.write(Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(',')]));
  }

  private next(): Promise<Buffer> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const colon = this.buffered.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.buffered.subarray(0, colon).toString('latin1'));
      if (this.buffered.length < colon + 1 + length + 1) return;
      const frame = this.buffered.subarray(colon + 1, colon + 1 + length);
      this.buffered = this.buffered.subarray(colon + 1 + length + 1);
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) waiting.resolve(Buffer.from(frame));
      else this.frames.push(Buffer.from(frame));
    }
  }
}
