/**
 * A device's TCP connection to the trusted node: a real socket on loopback, its traffic turned
 * into events at virtual time. A request the device writes at virtual time t is answered at
 * t + the profile's round-trip latency; a line the node sends on its own (a notify) arrives half
 * a round trip after the fleet's current time. Faults may drop or delay a line, or cut the link.
 *
 * The link also reads the lines both ways (they are newline-delimited JSON-RPC, docs/protocol-wire.md)
 * to count what the report shows: requests per method, results acknowledged by counter, and the
 * node's error codes.
 * @module
 */
import { connect, type Socket } from 'node:net';
import { RESULT_COUNTER_AT } from '../firmware/core/layout.ts';
import type { DeviceEvent } from './device.ts';

/** What a link needs from the fleet. */
export interface LinkSink {
  /** the fleet's current virtual time */
  now(): number;
  deliver(device: number, time: number, event: DeviceEvent): void;
  /** a line about to go out (device to node) or come in: returns extra delay in ms, or -1 to drop it */
  fault(device: number, direction: 'up' | 'down'): number;
  /** a result the device sent under `counter` */
  submitted(device: number, counter: number, result: string): void;
  /** a counter the node acknowledged for `device` */
  acknowledged(device: number, counter: number, accepted: boolean): void;
  /** an error answer from the node */
  nodeError(device: number, method: string, code: number, message: string): void;
  /** a line the device sent that is not JSON-RPC (the node will refuse it) */
  garbage(device: number, line: string): void;
  /** a connection opened (+1) or ended (-1) */
  connected(delta: number): void;
  /** something arrived or a link ended: the fleet may stop waiting */
  activity(): void;
}

const MAX_PENDING_LINE = 64 * 1024;

/** One connection of one device. */
export class Link {
  private socket: Socket | undefined;
  private partial = '';
  private lastSentAt = 0;
  private lastDeliveredAt = 0;
  private ended = false;
  private opened = false;
  /** requests written and not yet answered: id -> [method, counter of a submit] */
  private readonly waiting = new Map<number, [string, number]>();

  constructor(
    readonly device: number,
    readonly id: number,
    private readonly latencyMs: number,
    private readonly sink: LinkSink,
  ) {}

  /** True while a written request waits for its answer (the fleet waits for those). */
  get busy(): boolean {
    return !this.ended && this.waiting.size > 0;
  }

  /** Opens the socket at virtual time `at` (from `localAddress`); connected or failed arrives half a round trip later. */
  open(host: string, port: number, at: number, localAddress?: string): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect({ host, port, noDelay: true, ...(localAddress ? { localAddress } : {}) });
      this.socket = socket;
      const half = this.latencyMs / 2;
      socket.once('connect', () => {
        this.opened = true;
        this.sink.connected(1);
        this.sink.deliver(this.device, at + half, { kind: 'connected', socket: this.id });
        resolve();
      });
      socket.on('data', (chunk: Buffer) => this.received(chunk.toString('latin1')));
      socket.on('error', (error) => {
        if (this.end()) this.sink.deliver(this.device, Math.max(at, this.sink.now()) + half, { kind: 'failed', socket: this.id, message: error.message });
        resolve();
      });
      socket.on('close', () => {
        if (this.end()) this.sink.deliver(this.device, Math.max(at, this.sink.now()) + half, { kind: 'closed', socket: this.id });
        resolve();
      });
    });
  }

  /** Writes the device's text at virtual time `at`, line by line. */
  write(text: string, at: number): void {
    if (this.ended || !this.socket) return;
    this.lastSentAt = at;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const delay = this.sink.fault(this.device, 'up');
      if (delay < 0) continue;
      // A line held up on its way makes its answer late by as much.
      this.lastSentAt = at + delay;
      this.observeRequest(line);
      this.socket.write(`${line}\n`, 'latin1');
    }
  }

  /** The device closes the connection. */
  close(): void {
    if (!this.end()) return;
    this.socket?.end();
  }

  /** The network drops the connection (a fault): the device hears of it, the node too. */
  cut(): void {
    if (!this.socket || this.ended) return;
    this.socket.destroy();
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    if (this.opened) this.sink.connected(-1);
    this.waiting.clear();
    this.sink.activity();
    return true;
  }

  private received(text: string): void {
    if (this.ended) return;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_PENDING_LINE) this.partial = '';
    for (const line of lines) {
      const answer = this.observeAnswer(line);
      const delay = this.sink.fault(this.device, 'down');
      if (delay < 0) continue;
      // TCP keeps order: a line the node pushed after an answer never arrives before it.
      const time = Math.max(this.lastDeliveredAt, (answer ? this.lastSentAt + this.latencyMs : Math.max(this.sink.now(), this.lastSentAt) + this.latencyMs / 2) + delay);
      this.lastDeliveredAt = time;
      this.sink.deliver(this.device, time, { kind: 'data', socket: this.id, bytes: Buffer.from(`${line}\n`, 'latin1') });
    }
    this.sink.activity();
  }

  private observeRequest(line: string): void {
    let message: { id?: unknown; method?: unknown; params?: unknown };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      this.sink.garbage(this.device, line);
      return;
    }
    if (typeof message.id !== 'number' || typeof message.method !== 'string') {
      this.sink.garbage(this.device, line);
      return;
    }
    let counter = -1;
    if (message.method === 'mm.submit' && Array.isArray(message.params) && typeof message.params[1] === 'string') {
      const hex = message.params[1];
      counter = Number.parseInt(hex.slice(RESULT_COUNTER_AT * 2, RESULT_COUNTER_AT * 2 + 8).match(/../g)?.reverse().join('') ?? '', 16);
      if (Number.isInteger(counter)) this.sink.submitted(this.device, counter, hex);
      else counter = -1;
    }
    this.waiting.set(message.id, [message.method, counter]);
  }

  /** True when `line` answers a waiting request. */
  private observeAnswer(line: string): boolean {
    let message: { id?: unknown; result?: { accepted?: unknown }; error?: unknown };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return false;
    }
    if (typeof message.id !== 'number') return false;
    const request = this.waiting.get(message.id);
    if (request === undefined) return false;
    this.waiting.delete(message.id);
    const [method, counter] = request;
    if (Array.isArray(message.error)) this.sink.nodeError(this.device, method, Number(message.error[0]), String(message.error[1]));
    else if (method === 'mm.submit' && counter >= 0) this.sink.acknowledged(this.device, counter, message.result?.accepted === true);
    return true;
  }
}
