/**
 * One device connection: a TCP socket and the wire protocol's session state machine
 * (protocol/wire-session.ts) around it. The connection counts the lines that arrive (for the
 * per-address and per-device limits and the idle timeout), writes what the session sends, and
 * closes the socket when the session or a limit says so; everything the session asks of its
 * host goes to the {@link DeviceService}.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  DeviceSession, type DeviceRecord, type SessionEvent, type SessionHost, type StoreOutcome, type Submission,
} from '../../protocol/wire-session.ts';
import { countLines } from './limits.ts';
import type { DeviceService } from './service.ts';

/** Why the node closed a connection (the `reason` label of `mm_device_disconnects_total`). */
export type CloseReason =
  | 'strikes'
  | 'handshake-timeout'
  | 'idle-timeout'
  | 'address-flood'
  | 'device-flood'
  | 'slow-reader'
  | 'replaced'
  | 'suspended'
  | 'shutdown';

/** See the module comment. */
export class Connection implements SessionHost {
  readonly session: DeviceSession;
  readonly address: string;
  readonly openedAt: number;
  /** Node clock at the last complete line (or the connection's start). */
  lastLineAt: number;
  /** Set once the node decided to close it. */
  closedFor: string | null = null;
  readonly #socket: Socket;
  readonly #service: DeviceService;
  /**
   * Lines sent and not yet written. They are written together, one write call for an ack and
   * the next notify (a corked socket would make a writev of its own, at the same cost), once no
   * chunk is being answered (see #answering), or else at the end of the tick they were sent in.
   */
  #unsent = '';
  /**
   * Chunks being answered: fed to the session now, or waiting for the host (a submit for its
   * commit). While any is, lines sent are held for the write its answer ends with, so a pull
   * is answered by a write from the very callback that read it, without scheduling one.
   */
  #answering = 0;
  #flushScheduled = false;

  constructor(socket: Socket, service: DeviceService) {
    this.#socket = socket;
    this.#service = service;
    this.address = socket.remoteAddress ?? 'unknown';
    this.openedAt = service.now();
    this.lastLineAt = this.openedAt;
    this.session = new DeviceSession(this, service.options.session);
    socket.setEncoding('latin1');
    // Every line the node writes is ASCII: latin1 writes it byte for byte, without a UTF-8 pass.
    socket.setDefaultEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.#receive(chunk));
    socket.on('close', () => this.#closed());
    socket.on('error', () => socket.destroy());
  }

  /** The device id once authenticated, else null. */
  get deviceId(): string | null {
    return this.session.phase === 'ready' ? this.session.deviceId : null;
  }

  #receive(chunk: string): void {
    if (this.closedFor !== null) return;
    const lines = countLines(chunk);
    if (lines > 0) {
      this.lastLineAt = this.#service.now();
      const flood = this.#service.admitLines(this, lines);
      if (flood !== null) return this.shut(flood);
    }
    this.#answering++;
    let answering: Promise<void> | undefined;
    try {
      answering = this.session.feed(chunk);
    } finally {
      if (answering === undefined) this.#answered();
    }
    answering?.then(this.#answered, this.#answerFailed);
  }

  readonly #answered = (): void => {
    if (--this.#answering === 0) this.#flush();
  };

  readonly #answerFailed = (error: unknown): void => {
    this.#service.logger.error('session_failed', { address: this.address, error });
    this.#answered();
  };

  /** Closes the connection for `reason` (counted once), letting what was written go out first. */
  shut(reason: CloseReason | string): void {
    if (this.closedFor !== null) return;
    this.closedFor = reason;
    this.#service.disconnected(reason);
    this.session.end(reason);
    this.#flush();
    this.#socket.end();
    // A peer that does not read would hold the socket open: give it a moment, then cut it.
    setTimeout(() => this.#socket.destroy(), 1_000).unref();
  }

  #closed(): void {
    this.session.end('socket closed');
    this.#service.forget(this);
  }

  // SessionHost: what the session asks of the node.

  findDevice(deviceId: string): Promise<DeviceRecord | null> {
    return this.#service.findDevice(this, deviceId);
  }

  nextUnit(deviceId: string): Uint8Array | null {
    return this.#service.nextUnit(deviceId);
  }

  entry(unitId: number, index: number): Uint8Array {
    return this.#service.entry(unitId, index);
  }

  storeResult(submission: Submission): Promise<StoreOutcome> {
    return this.#service.storeResult(this, submission);
  }

  wasStored(deviceId: string, result: Uint8Array): Promise<boolean> {
    return this.#service.wasStored(deviceId, result);
  }

  send(line: string): void {
    if (this.#socket.destroyed) return;
    this.#unsent += line;
    if (this.#answering === 0 && !this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
  }

  /** Writes the lines sent and not yet written (see #unsent) as one string. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const lines = this.#unsent;
    this.#unsent = '';
    const socket = this.#socket;
    if (lines === '' || socket.destroyed) return;
    socket.write(lines);
    if (socket.writableLength > this.#service.options.limits.maxQueuedBytes) this.shut('slow-reader');
  };

  close(reason: string): void {
    // The session closes for a wire error (its name) or after too many violations.
    this.shut(reason.endsWith('protocol violations') ? 'strikes' : reason);
  }

  now(): number {
    return this.#service.now();
  }

  randomBytes(length: number): Uint8Array {
    return new Uint8Array(randomBytes(length));
  }

  report(event: SessionEvent): void {
    this.#service.report(this, event);
  }
}
