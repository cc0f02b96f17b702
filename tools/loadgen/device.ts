/**
 * A simulated device that speaks the real protocol over TCP: the device's own wire client
 * (firmware/core/wire), the core's streaming validator on every entry, a real share search and
 * a real HMAC under its device key. It stands in for a board in the load generator and in the
 * node's tests; a `behavior` makes it lie, go silent, or tamper with its results.
 * @module
 */
import { connect, type Socket } from 'node:net';
import { writeU16, writeU32 } from '../../firmware/core/bytes.ts';
import type { VerifySignature } from '../../firmware/core/digest.ts';
import {
  HEADER_SIZE, RESULT_ACCEPTED_AT, RESULT_ACCEPTED_ROOT_AT, RESULT_CHAIN_AT, RESULT_COUNTER_AT, RESULT_ENTRIES_AT, RESULT_SIZE, RESULT_UNIT_AT,
  TX_BODY_SIZE,
} from '../../firmware/core/layout.ts';
import { resultDigest } from '../../firmware/core/result.ts';
import { searchShare, startShareSearch } from '../../firmware/core/share.ts';
import { checkEntry, finishUnit, openUnit, type UnitValidator } from '../../firmware/core/validator.ts';
import {
  MESSAGE_ACK, MESSAGE_AUTHORIZED, MESSAGE_CHALLENGE, MESSAGE_DIFFICULTY, MESSAGE_ENTRY, MESSAGE_ERROR, MESSAGE_NOTIFY,
  createClient, headerMatches, parseNodeLine, type NodeMessage, type WireClient,
} from '../../firmware/core/wire/client.ts';
import { createFramer, feedFramer } from '../../firmware/core/wire/framer.ts';
import { verify } from '@noble/ed25519';
import { authRequest, helloRequest, pingRequest, refuseRequest } from '../../protocol/device-requests.ts';
import { nodeDigest, sha256 } from '../../protocol/digest.ts';
import { bytesOfHex, hexInto } from '../../protocol/hex.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { acceptedRoot, verdictChain } from '../../protocol/result.ts';
import { authProof, ERROR_RATE_LIMITED, MAX_LINE, METHOD_PULL, METHOD_SUBMIT, wireErrorOf, type Tier } from '../../protocol/wire.ts';
import { resultSealer, type Sealer } from './digest.ts';
import { pullLine, submitLine } from './lines.ts';
import type { PacedTask } from './pacer.ts';
import { createSharedParts, type SharedParts } from './shared.ts';

/** Who a simulated device is. */
export interface SimIdentity {
  readonly id: string;
  readonly key: Uint8Array;
  readonly profile: string;
  readonly tier: Tier;
}

/** How a simulated device departs from an honest one. */
export interface Behavior {
  /** The verdict code to report for entry `index` whose correct code is `code` (default: `code`). */
  verdict?(code: number, index: number): number;
  /** Never answers a notify: the unit stays with it until its deadline. */
  readonly silent?: boolean;
  /** Changes the sealed result before it is sent (e.g. flips a MAC bit); `digest` is the result digest its share and MAC cover. */
  tamper?(result: Uint8Array, digest: Uint8Array, difficulty: number): Uint8Array;
}

/** An honest device. */
export const HONEST: Behavior = {};
/** A device that calls every valid transaction bad and every bad one valid. */
export const LIAR: Behavior = { verdict: (code) => (code === 0 ? 2 : 0) };
/** A device that takes units and never works on them. */
export const SILENT: Behavior = { silent: true };

const verifyEd25519: VerifySignature = (signature, message, publicKey) => {
  try {
    return verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

/** What a device saw of one submit: sent and acknowledged (clock of the caller's choice, ms). */
export interface Ack {
  readonly unitId: number;
  readonly counter: number;
  /** The result as sent. */
  readonly result: Uint8Array;
  readonly accepted: boolean;
  readonly credited: string | null;
  readonly sentAt: number;
  readonly ackedAt: number;
}

/** Options of a simulated device. */
export interface SimDeviceOptions {
  readonly host?: string;
  readonly port: number;
  /** Local address to connect from (another 127.x address is another peer to the node). */
  readonly localAddress?: string;
  readonly behavior?: Behavior;
  /** Counter of the last result the device made (0 for a new device). */
  readonly counter?: number;
  /** Clock for ack latencies; default `performance.now`. */
  readonly clock?: () => number;
  /** Called for every acknowledged result. */
  readonly onAck?: (ack: Ack) => void;
  /**
   * Requests per second the device allows itself, as a well-behaved device paces itself under
   * the node's limit (default 18, under the node's default of 20; a burst of twice that); null
   * sends each request as soon as the answer before it arrived (the node gives the tokens of
   * requests that move a unit forward back, so an honest device at full speed is never refused).
   */
  readonly requestsPerSecond?: number | null;
  /** Keep every node message and ack in `messages` and `acks` (default true; a load run keeps only counts). */
  readonly keep?: boolean;
  /** Parts shared with the other devices of a fleet (default: its own). */
  readonly shared?: SharedParts;
}

const OPTION_NAMES: readonly (keyof SimDeviceOptions)[] = [
  'host', 'port', 'localAddress', 'behavior', 'counter', 'clock', 'onAck', 'requestsPerSecond', 'keep', 'shared',
];

interface Working {
  readonly unitId: number;
  readonly validator: UnitValidator;
  readonly codes: number[];
  readonly accepted: Uint8Array[];
}

/** The request to send again when the node refuses it for the rate. */
type LastRequest =
  | { readonly method: typeof METHOD_PULL; readonly unitId: number; readonly index: number; readonly verdict: number | null }
  | { readonly method: typeof METHOD_SUBMIT; readonly unitId: number; readonly result: Uint8Array };

/** See the module comment. */
export class SimDevice {
  readonly identity: SimIdentity;
  /** Counter of the last result made. */
  counter: number;
  /** Every message the node sent, in order (tests read it). */
  readonly messages: NodeMessage[] = [];
  /** Results acknowledged. */
  readonly acks: Ack[] = [];
  /** The difficulty the node announced last, if any. */
  difficulty: number | null = null;
  /** The last `mm.submit` line sent. */
  lastSubmit: string | null = null;
  /** The node's device port (a restarted node may have another). */
  port: number;
  /** Error answers received, as wire error names. */
  readonly errors: string[] = [];
  /** Results acknowledged (also when `acks` are not kept). */
  acked = 0;
  readonly #options: SimDeviceOptions;
  readonly #behavior: Behavior;
  readonly #idBytes: Uint8Array;
  readonly #clock: () => number;
  readonly #keep: boolean;
  readonly #rate: number | null;
  readonly #shared: SharedParts;
  readonly #paced: PacedTask;
  readonly #seal: Sealer;
  #socket: Socket | null = null;
  #client: WireClient = createClient();
  #working: Working | null = null;
  /** The header of the unit the node announced last, waiting for the device to be free, or null. */
  #queued: Uint8Array | null = null;
  readonly #queuedBytes = new Uint8Array(HEADER_SIZE);
  #sentAt = 0;
  #authorized = false;
  #lastResult: Uint8Array | null = null;
  #last: LastRequest | null = null;
  /** The line waiting for the device's pacing, or null. */
  #pending: string | null = null;
  /** Whether the paced task, when due, also sends #last again (refused for the rate). */
  #retrying = false;
  #tokens = 0;
  #tokensAt = 0;
  #closed: Promise<void> = Promise.resolve();
  #waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(identity: SimIdentity, options: SimDeviceOptions) {
    for (const name of Object.keys(options)) {
      if (!(OPTION_NAMES as readonly string[]).includes(name)) throw new TypeError(`unknown device option "${name}" (known: ${OPTION_NAMES.join(', ')})`);
    }
    this.identity = identity;
    this.#options = options;
    this.port = options.port;
    this.#behavior = options.behavior ?? HONEST;
    this.counter = options.counter ?? 0;
    this.#idBytes = bytesOfHex(identity.id)!;
    this.#clock = options.clock ?? (() => performance.now());
    this.#keep = options.keep !== false;
    this.#rate = options.requestsPerSecond === undefined ? 18 : options.requestsPerSecond;
    this.#tokens = 2 * (this.#rate ?? 0);
    this.#shared = options.shared ?? createSharedParts();
    this.#paced = this.#shared.pacer.task(() => this.#due());
    this.#seal = resultSealer(this.#shared.digest, identity.key);
  }

  /** Connects and says hello; resolves once the node authorized it (rejects if it refuses). */
  async connect(): Promise<void> {
    const { host = '127.0.0.1', localAddress } = this.#options;
    const framer = createFramer(MAX_LINE);
    // Reads land in the shared buffer and are framed at once, without a stream, a Buffer per read or a decoder.
    const onread = {
      buffer: this.#shared.readBuffer,
      callback: (length: number): boolean => {
        const text = this.#shared.readBuffer.toString('latin1', 0, length);
        for (const line of feedFramer(framer, text)) if (line !== null) this.#receive(line);
        return true;
      },
    };
    const socket = connect({ port: this.port, host, onread, ...(localAddress ? { localAddress } : {}) });
    this.#socket = socket;
    this.#client = createClient();
    this.#working = null;
    this.#queued = null;
    this.#authorized = false;
    this.#pending = null;
    this.#retrying = false;
    this.#shared.pacer.cancel(this.#paced);
    socket.setNoDelay(true);
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.#wake());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => {
        this.#write(helloRequest(this.#client, { deviceId: this.identity.id, firmware: 'sim-1', profile: this.identity.profile, tier: this.identity.tier, counter: this.counter }));
        resolve();
      });
      socket.once('error', reject);
    });
    await this.until(() => this.authorized || this.closed);
    if (!this.authorized) throw new Error(`device ${this.identity.id} was not authorized: ${this.errors.at(-1) ?? 'connection closed'}`);
  }

  /** Whether the node authorized the current connection. */
  get authorized(): boolean {
    return this.#authorized;
  }

  /** Whether it is working on a unit (pulling, judging or waiting for its ack). */
  get working(): boolean {
    return this.#working !== null;
  }

  /** Whether the socket is closed. */
  get closed(): boolean {
    return this.#socket === null || this.#socket.destroyed;
  }

  /** Resolves once `test()` holds (checked after every line from the node and on close). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  /** Sends a keepalive when no request is waiting. */
  ping(): void {
    if (this.#client.awaiting === null) this.#write(pingRequest(this.#client));
  }

  /** Sends a raw line (tests of bad input). */
  raw(line: string): void {
    this.#socket?.write(line, 'latin1');
  }

  /** Closes the connection and resolves once it is closed. */
  async close(): Promise<void> {
    this.#shared.pacer.cancel(this.#paced);
    this.#pending = null;
    this.#retrying = false;
    this.#socket?.destroy();
    await this.#closed;
  }

  /** Sends a request once the device's own pacing allows it. */
  #write(line: string): void {
    const rate = this.#rate;
    if (rate !== null) {
      const now = performance.now();
      this.#tokens = Math.min(2 * rate, this.#tokens + ((now - this.#tokensAt) * rate) / 1000);
      this.#tokensAt = now;
      this.#tokens -= 1;
      if (this.#tokens < 0) {
        this.#pending = line;
        this.#shared.pacer.schedule(this.#paced, now + (-this.#tokens * 1000) / rate);
        return;
      }
    }
    this.#send(line);
  }

  #send(line: string): void {
    // Latency is measured from the moment a submit leaves, after the device's own pacing.
    if (line === this.lastSubmit) this.#sentAt = this.#clock();
    this.#socket?.write(line, 'latin1');
  }

  /** The paced task came due: the line it held back, and the request refused for the rate, again. */
  #due(): void {
    const line = this.#pending;
    this.#pending = null;
    if (line !== null) this.#send(line);
    if (!this.#retrying) return;
    this.#retrying = false;
    if (this.#client.awaiting === null && !this.closed && this.#last !== null) this.#write(this.#request(this.#last));
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => w.test());
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  #receive(line: string): void {
    const message = parseNodeLine(this.#client, line);
    if (this.#keep) this.messages.push(message);
    if (message.kind === MESSAGE_AUTHORIZED) this.#authorized = true;
    if (message.kind === MESSAGE_ERROR) this.errors.push(wireErrorOf(message.code) ?? `error ${message.code}`);
    const next = this.#react(message);
    if (next !== null) this.#write(next);
    this.#wake();
  }

  /** The device's next request after `message`, or null. */
  #react(message: NodeMessage): string | null {
    switch (message.kind) {
      case MESSAGE_CHALLENGE:
        return authRequest(this.#client, authProof(nodeDigest, this.identity.key, message.challenge, this.#idBytes));
      case MESSAGE_AUTHORIZED:
        // The node's counter wins when it is ahead: the device's memory was rolled back. A unit
        // kept from the previous connection is refused: this device does not resume units.
        this.counter = Math.max(this.counter, message.counter);
        return message.unit === null ? null : refuseRequest(this.#client, message.unit, 'stale');
      case MESSAGE_NOTIFY: {
        if (this.#behavior.silent) return null;
        // As the firmware does: a header that is not hex or does not name the notify's unit is
        // a line no node may send, and is ignored.
        const header = hexInto(message.header, this.#shared.hexBuffer);
        if (header === null || !headerMatches(message, header)) return null;
        this.#queuedBytes.set(header);
        this.#queued = this.#queuedBytes;
        return this.#client.awaiting === null ? this.#start() : null;
      }
      case MESSAGE_DIFFICULTY:
        this.difficulty = message.difficulty;
        return null;
      case MESSAGE_ENTRY: {
        // The wire client hands the entry over as the hex it arrived in (the device decodes it itself).
        const entry: Uint8Array | string | null = message.entry;
        if (entry === null) return this.#finish();
        return this.#judge(typeof entry === 'string' ? hexInto(entry, this.#shared.hexBuffer)! : entry);
      }
      case MESSAGE_ACK: {
        const unit = this.#working;
        const ack: Ack = { unitId: unit?.unitId ?? -1, counter: this.counter, result: this.#lastResult!, accepted: message.accepted, credited: message.credited, sentAt: this.#sentAt, ackedAt: this.#clock() };
        this.acked++;
        if (this.#keep) this.acks.push(ack);
        this.#options.onAck?.(ack);
        this.#working = null;
        return this.#start();
      }
      case MESSAGE_ERROR:
        // Refused for the rate: send the same request again, paced (the node never processed it).
        if (message.code === ERROR_RATE_LIMITED && this.#last !== null) return this.#again();
        if (message.method === METHOD_SUBMIT || message.method === METHOD_PULL) this.#working = null;
        return this.#start();
      default:
        return this.#client.awaiting === null ? this.#start() : null;
    }
  }

  #start(): string | null {
    const header = this.#queued;
    if (header === null || this.#working !== null) return null;
    this.#queued = null;
    const opened = openUnit(header, { digest: this.#shared.digest, verify: this.identity.tier === 'sig' ? verifyEd25519 : null });
    if (!opened.ok) throw new Error(`simulated device refused a unit: ${describeDecodeError(opened.error, header)}`);
    const unitId = opened.value.header.unitId;
    this.#working = { unitId, validator: opened.value, codes: [], accepted: [] };
    return this.#ask({ method: METHOD_PULL, unitId, index: 0, verdict: null });
  }

  #judge(entry: Uint8Array): string {
    const unit = this.#working!;
    const index = unit.codes.length;
    const truth = checkEntry(unit.validator, entry).code;
    const code = this.#behavior.verdict?.(truth, index) ?? truth;
    unit.codes.push(code);
    // A liar builds its own result from what it reported; an honest device's is the validator's.
    if (code === 0 && this.#behavior.verdict !== undefined) unit.accepted.push(sha256(entry.subarray(0, TX_BODY_SIZE)));
    return this.#ask({ method: METHOD_PULL, unitId: unit.unitId, index: index + 1, verdict: code });
  }

  /** Builds `request` as the next line and remembers it for a retry. */
  #ask(request: LastRequest): string {
    this.#last = request;
    return this.#request(request);
  }

  #request(last: LastRequest): string {
    if (last.method === METHOD_PULL) return pullLine(this.#client, last.unitId, last.index, last.verdict);
    return (this.lastSubmit = submitLine(this.#client, last.unitId, last.result));
  }

  /** Sends the last request again after a pause of one request at the device's rate. */
  #again(): null {
    this.#retrying = true;
    this.#shared.pacer.schedule(this.#paced, performance.now() + 1000 / (this.#rate ?? 20));
    return null;
  }

  /** Builds the result from the verdicts reported (true or not), mines its share and seals it. */
  #finish(): string {
    const unit = this.#working!;
    const digest = this.#shared.digest;
    this.counter += 1;
    const pending = this.#behavior.verdict === undefined ? finishUnit(unit.validator, this.#idBytes, this.counter) : this.#reported(unit);
    const difficulty = unit.validator.header.difficulty;
    const search = startShareSearch(pending.digest, difficulty);
    while (!searchShare(digest, search, 1 << 16));
    const sealed = this.#seal(pending.bytes, pending.digest, search.found ?? 0);
    const sent = this.#behavior.tamper?.(sealed, pending.digest, difficulty) ?? sealed;
    this.#lastResult = sent;
    return this.#ask({ method: METHOD_SUBMIT, unitId: unit.unitId, result: sent });
  }

  /** The result of the verdicts the device reported, true or not, before its share and MAC. */
  #reported(unit: Working): { bytes: Uint8Array; digest: Uint8Array } {
    const headerHash = unit.validator.headerHash;
    const result = new Uint8Array(RESULT_SIZE);
    writeU32(result, RESULT_UNIT_AT, unit.unitId);
    writeU32(result, RESULT_COUNTER_AT, this.counter);
    writeU16(result, RESULT_ENTRIES_AT, unit.codes.length);
    writeU16(result, RESULT_ACCEPTED_AT, unit.accepted.length);
    result.set(acceptedRoot(unit.accepted), RESULT_ACCEPTED_ROOT_AT);
    result.set(verdictChain(headerHash, unit.codes), RESULT_CHAIN_AT);
    return { bytes: result, digest: resultDigest(this.#shared.digest, headerHash, this.#idBytes, result) };
  }
}
