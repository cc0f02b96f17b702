/**
 * One device connection as the node sees it: a state machine over the lines of `mm/1` that
 * enforces the order hello -> auth -> (notify, pull*, submit)*, one request at a time, and
 * answers every defect with the code docs/protocol-wire.md gives it. It owns no socket, no
 * clock and no storage: the trusted node wraps it around a TCP connection and supplies those
 * through a SessionHost (protocol/wire-host.ts).
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { CHECK_SIGNATURE } from '../firmware/core/layout.ts';
import { decodeHeader } from '../firmware/core/header.ts';
import { nodeDigest } from './digest.ts';
import { bytesOfHex } from './hex.ts';
import { headerHash } from './unit.ts';
import { verdictChain, verifyResult, type ResultRejection } from './result.ts';
import {
  SESSION_DEFAULTS, type DeviceRecord, type DropReason, type SessionEvent, type SessionHost, type SessionOptions, type StoreOutcome,
  type UnitProgress,
} from './wire-host.ts';
import {
  MAX_LINE, authProof, authResult, createFramer, encodeDifficulty, encodeError, encodeNotify, encodePullAnswer, encodeResult,
  encodeSubmitAnswer, feedFramer, helloResult, parseDeviceLine, CHALLENGE_SIZE,
  type DeviceRequest, type Framer, type WireError,
} from './wire.ts';
import { describeDecodeError } from './messages.ts';

export * from './wire-host.ts';

/** Where a session stands in the handshake. */
export type SessionPhase = 'hello' | 'challenged' | 'ready' | 'closed';

/** What follows an error answer: nothing, a strike (closing at `maxStrikes`), or closing at once. */
type Consequence = 'none' | 'strike' | 'close';


/** How many superseded units a session remembers, to answer `stale` rather than `out-of-order`. */
const RECENT_UNITS = 8;

/** Reported for every request that moved a unit forward: one shared event, as it carries nothing of its own. */
const ADVANCED: SessionEvent = Object.freeze({ type: 'advanced' });

const RESULT_ERRORS: { [rejection in ResultRejection]: [WireError, Consequence] } = {
  'malformed': ['malformed', 'strike'],
  'low-difficulty': ['low-difficulty', 'strike'],
  'bad-mac': ['bad-mac', 'close'],
};

/** How many of `verdicts` are 0 (accept). */
function countAccepted(verdicts: Uint8Array): number {
  let accepted = 0;
  for (let i = 0; i < verdicts.length; i++) if (verdicts[i] === 0) accepted++;
  return accepted;
}

/** The node's state machine for one device connection. */
export class DeviceSession {
  phase: SessionPhase = 'hello';
  /** Protocol violations so far. */
  strikes = 0;
  /** The device id claimed in `mm.hello` (authenticated once `phase` is `ready`). */
  deviceId: string | null = null;
  private readonly options: Required<SessionOptions>;
  private readonly framer: Framer = createFramer(MAX_LINE);
  private hello: Extract<DeviceRequest, { method: 'mm.hello' }> | null = null;
  private challenge: Uint8Array | null = null;
  private device: DeviceRecord | null = null;
  private lastCounter = 0;
  private current: UnitProgress | null = null;
  /** the unit whose result is being stored, while it is */
  private submitting: UnitProgress | null = null;
  private readonly recent: number[] = [];
  private busy = false;
  /**
   * Set once a line of the chunk being fed was taken as a request: the lines after it in the
   * same chunk were sent before its answer could have been read, so they are out of order even
   * when that request was answered at once.
   */
  private requestInChunk = false;
  /**
   * Set when the device's unit expired while the device was silent: its next unit waits for its
   * next request instead of being pushed at once, so a device stuck waiting for a lost answer
   * hears nothing until its own answer timeout reconnects it, and a dead one holds no more jobs.
   */
  private silentSinceExpiry = false;
  private tokens: number;
  private tokensAt: number;

  constructor(private readonly host: SessionHost, options: SessionOptions = {}) {
    for (const name of Object.keys(options)) {
      if (!(name in SESSION_DEFAULTS)) throw new TypeError(`unknown session option "${name}"`);
    }
    this.options = { ...SESSION_DEFAULTS, ...options };
    for (const [name, value] of Object.entries(this.options)) {
      if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`"${name}" expected a positive integer, got ${value}`);
    }
    this.tokens = this.options.burst;
    this.tokensAt = host.now();
  }

  /** The unit the device is working on, if any. */
  get unitId(): number | null {
    return this.current?.unitId ?? null;
  }

  /** True when the node may hand the device a unit now: authenticated, without one, and not silent since its last one expired. */
  get awaitsWork(): boolean {
    return this.phase === 'ready' && this.current === null && !this.silentSinceExpiry;
  }

  /**
   * Feeds bytes from the socket (a latin1 string: one character per byte). Returns undefined when every line
   * they completed is answered already (a host that answers at once: no promise is made), else
   * a promise that resolves once they are.
   */
  feed(chunk: string): Promise<void> | undefined {
    let work: Promise<void>[] | undefined;
    this.requestInChunk = false;
    for (const event of feedFramer(this.framer, chunk)) {
      if (this.phase === 'closed') break;
      if (event === null) {
        this.fail(null, 'line-too-long', `line longer than ${MAX_LINE} bytes`, 'strike');
        continue;
      }
      const answering = this.receive(event);
      if (answering !== undefined) (work ??= []).push(answering);
    }
    this.requestInChunk = false;
    if (work === undefined) return undefined;
    return work.length === 1 ? work[0] : Promise.all(work).then(() => undefined);
  }

  /** Makes `header` the device's current unit and notifies it; a unit it replaces becomes stale. */
  assign(header: Uint8Array): void {
    const decoded = decodeHeader(header);
    if (!decoded.ok) throw new RangeError(`"header" ${describeDecodeError(decoded.error, header)}`);
    if (this.phase !== 'ready' || this.device === null || this.deviceId === null) throw new RangeError('a unit can only be assigned to an authenticated session');
    if ((decoded.value.checks & CHECK_SIGNATURE) !== 0 && this.device.tier !== 'sig') {
      throw new RangeError(`unit ${decoded.value.unitId} asks for signature checks from a ${this.device.tier}-tier device`);
    }
    if (this.current !== null) this.drop('replaced');
    const { unitId, entryCount, difficulty, deadline } = decoded.value;
    this.current = {
      unitId, entryCount, difficulty,
      header: new Uint8Array(header),
      headerHash: headerHash(header),
      expiresAt: this.host.now() + deadline + this.options.deadlineGraceMs,
      pulled: 0,
      verdicts: new Uint8Array(entryCount),
    };
    this.host.send(encodeNotify(header));
  }

  /** Announces the difficulty of the device's next units (the current unit keeps its own). */
  setDifficulty(difficulty: number): void {
    if (this.phase === 'ready') this.host.send(encodeDifficulty(difficulty));
  }

  /**
   * Drops the current unit if its deadline has passed; true when it did. The next unit goes out
   * after the device's next request (see `awaitsWork`), not now.
   */
  checkDeadline(): boolean {
    if (this.current === null || this.host.now() <= this.current.expiresAt) return false;
    this.drop('expired');
    this.silentSinceExpiry = true;
    return true;
  }

  /** Records that the connection is gone (called by the wrapper when the socket closes). */
  end(reason: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    // A unit whose result is being stored waits for the outcome (see onSubmit).
    if (this.current !== null && this.current !== this.submitting) this.suspend(this.current);
    this.host.report?.({ type: 'closed', reason });
  }

  /**
   * Answers one line. A request the host serves at once is answered before this returns
   * (undefined); one that waits for the host (storage) returns the promise of its answer. So the
   * hot requests (pulls, the checks of a submit) make no promise and take no extra turn.
   */
  private receive(line: string): Promise<void> | undefined {
    const parsed = parseDeviceLine(line);
    if (!parsed.ok) {
      const { id, error, message } = parsed.fault;
      this.fail(id, error, message, error === 'unsupported-version' ? 'close' : 'strike');
      return undefined;
    }
    const request = parsed.request;
    if (!this.takeToken()) {
      this.fail(request.id, 'rate-limited', `more than ${this.options.requestsPerSecond} requests per second`, 'strike');
      return undefined;
    }
    if (this.busy || this.requestInChunk) {
      this.fail(request.id, 'out-of-order', 'a request is already in progress: wait for its answer', 'strike');
      return undefined;
    }
    this.busy = true;
    this.requestInChunk = true;
    // Any request answers the silence after an expiry: the device is alive and gets work again.
    const wasSilent = this.silentSinceExpiry;
    this.silentSinceExpiry = false;
    let answered: boolean | Promise<boolean>;
    try {
      answered = this.dispatch(request);
    } catch (error) {
      answered = this.hostFailed(request, error);
    }
    if (answered instanceof Promise) {
      return answered.then(
        (wantsWork) => this.answered(wantsWork || wasSilent),
        (error: unknown) => this.answered(this.hostFailed(request, error) || wasSilent),
      );
    }
    return this.answered(answered || wasSilent);
  }

  /** A host failure (storage down, unit gone) is the node's fault: the device may retry. */
  private hostFailed(request: DeviceRequest, error: unknown): false {
    return this.fail(request.id, 'other', 'node error, retry later', 'none', `host failed on ${request.method}: ${String(error)}`);
  }

  /** The request is answered: the next may come, and a device that needs a unit is offered one. */
  private answered(wantsWork: boolean): Promise<void> | undefined {
    this.busy = false;
    return wantsWork ? this.offerWork() : undefined;
  }

  /** Answers one well-formed request; true when the device now needs a unit (a promise of that when the host is asked and answers later). */
  private dispatch(request: DeviceRequest): boolean | Promise<boolean> {
    if (this.phase === 'closed') return false;
    if (request.method === 'mm.ping') return this.answer(request.id, true);
    if (this.phase === 'hello') {
      if (request.method === 'mm.hello') return this.onHello(request);
      return this.fail(request.id, 'not-subscribed', `${request.method} before mm.hello`, 'strike');
    }
    if (request.method === 'mm.hello') return this.fail(request.id, 'out-of-order', 'mm.hello was already answered', 'strike');
    if (this.phase === 'challenged') {
      if (request.method === 'mm.auth') return this.onAuth(request);
      return this.fail(request.id, 'unauthorized', `${request.method} before mm.auth`, 'strike');
    }
    switch (request.method) {
      case 'mm.auth': return this.fail(request.id, 'out-of-order', 'already authenticated', 'strike');
      case 'mm.pull': return this.onPull(request);
      case 'mm.submit': return this.onSubmit(request);
      case 'mm.refuse': return this.onRefuse(request);
    }
  }

  private onHello(request: Extract<DeviceRequest, { method: 'mm.hello' }>): boolean {
    // No registry lookup yet: the challenge goes out alike for known and unknown ids, so an
    // unauthenticated peer learns nothing and costs the node no storage read.
    this.hello = request;
    this.deviceId = request.deviceId;
    this.challenge = this.host.randomBytes(CHALLENGE_SIZE);
    this.phase = 'challenged';
    return this.answer(request.id, helloResult(this.challenge));
  }

  private async onAuth(request: Extract<DeviceRequest, { method: 'mm.auth' }>): Promise<boolean> {
    const hello = this.hello!;
    const record = await this.host.findDevice(hello.deviceId);
    const expected = record && authProof(nodeDigest, record.key, this.challenge!, bytesOfHex(hello.deviceId)!);
    if (record === null || !timingSafeEqual(expected!, request.proof)) {
      return this.fail(request.id, 'unauthorized', 'authentication failed', 'close');
    }
    if (record.tier !== hello.tier || record.profile !== hello.profile) {
      return this.fail(request.id, 'tier-mismatch', `registered as ${record.profile}/${record.tier}, announced ${hello.profile}/${hello.tier}`, 'close');
    }
    this.device = record;
    this.lastCounter = record.lastCounter;
    this.phase = 'ready';
    const resumed = record.openUnit !== null && this.host.now() <= record.openUnit.expiresAt ? record.openUnit : null;
    this.current = resumed;
    this.host.report?.({ type: 'authenticated', deviceId: hello.deviceId });
    this.answer(request.id, authResult(record.lastCounter, resumed === null ? null : resumed.unitId));
    return resumed === null;
  }

  /** The current unit if `unitId` names it, else the answer for a unit that is not open. */
  private openUnit(id: number, unitId: number): UnitProgress | null {
    const unit = this.current;
    if (unit === null || unit.unitId !== unitId) {
      if (this.recent.includes(unitId)) this.fail(id, 'stale', `unit ${unitId} was superseded`, 'none');
      else this.fail(id, 'out-of-order', `unit ${unitId} is not assigned to this device`, 'strike');
      return null;
    }
    if (this.host.now() > unit.expiresAt) {
      this.drop('expired');
      this.fail(id, 'expired', `unit ${unitId} passed its deadline`, 'none');
      return null;
    }
    return unit;
  }

  private onPull(request: Extract<DeviceRequest, { method: 'mm.pull' }>): boolean | Promise<boolean> {
    const unit = this.openUnit(request.id, request.unitId);
    if (unit === null) return false;
    const repeated = request.index === unit.pulled - 1 && (request.index === 0 || unit.verdicts[request.index - 1] === request.previousVerdict);
    if (!repeated && request.index !== unit.pulled) {
      const next = unit.pulled > unit.entryCount ? 'none: the unit is complete, submit it' : `index ${unit.pulled}`;
      return this.fail(request.id, 'out-of-order', `pulled index ${request.index}, expected ${next}`, 'strike');
    }
    const entry = request.index < unit.entryCount ? this.host.entry(unit.unitId, request.index) : null;
    if (entry instanceof Promise) return entry.then((bytes) => this.pulled(request, unit, bytes, repeated));
    return this.pulled(request, unit, entry, repeated);
  }

  /**
   * Answers a pull with its entry. A repeated pull (its answer was lost with a connection) is
   * answered again, unchanged; a new one records the previous verdict and moves the unit on.
   */
  private pulled(request: Extract<DeviceRequest, { method: 'mm.pull' }>, unit: UnitProgress, entry: Uint8Array | null, repeated: boolean): boolean {
    if (repeated) return this.reply(encodePullAnswer(request.id, entry));
    // While the host fetched the entry the connection may have ended (the unit is then the host's) or the unit been replaced.
    if (this.phase === 'closed') return false;
    if (this.current !== unit) return this.fail(request.id, 'stale', `unit ${unit.unitId} was superseded`, 'none');
    if (request.previousVerdict !== null) unit.verdicts[request.index - 1] = request.previousVerdict;
    unit.pulled++;
    this.advanced();
    return this.reply(encodePullAnswer(request.id, entry));
  }

  private async onSubmit(request: Extract<DeviceRequest, { method: 'mm.submit' }>): Promise<boolean> {
    const deviceId = this.deviceId!;
    const unit = this.current;
    if (unit === null || unit.unitId !== request.unitId) {
      // A result resent after a reconnect: the node either has it (its ack was lost) or let
      // the unit go with the connection it was streamed on. Either way the device drops it.
      if (await this.host.wasStored(deviceId, request.result)) return this.fail(request.id, 'duplicate', 'result already stored', 'none');
      return this.fail(request.id, 'stale', `unit ${request.unitId} is not open on this connection`, 'none');
    }
    if (this.openUnit(request.id, request.unitId) === null) return false;
    if (unit.pulled !== unit.entryCount + 1) {
      return this.fail(request.id, 'out-of-order', `submit after ${unit.pulled} of ${unit.entryCount + 1} pulls`, 'strike');
    }
    const verified = verifyResult(request.result, {
      headerHash: unit.headerHash, deviceId: bytesOfHex(deviceId)!, deviceKey: this.device!.key, difficulty: unit.difficulty,
    });
    if (!verified.ok) {
      const [error, consequence] = RESULT_ERRORS[verified.rejection];
      return this.fail(request.id, error, verified.message, consequence);
    }
    const result = verified.value;
    const contradiction =
      result.unitId !== unit.unitId ? `"result.unitId" is ${result.unitId}, submitted as ${unit.unitId}`
      : result.entryCount !== unit.entryCount ? `"result.entryCount" is ${result.entryCount}, the unit has ${unit.entryCount}`
      : result.acceptedCount !== countAccepted(unit.verdicts) ? '"result.acceptedCount" differs from the verdicts reported in pulls'
      : !timingSafeEqual(result.verdictChain, verdictChain(unit.headerHash, unit.verdicts)) ? '"result.verdictChain" differs from the verdicts reported in pulls'
      : null;
    if (contradiction !== null) return this.fail(request.id, 'malformed', contradiction, 'strike');
    let outcome: StoreOutcome | undefined;
    this.submitting = unit;
    try {
      outcome = result.counter <= this.lastCounter
        ? { stored: false, why: (await this.host.wasStored(deviceId, request.result)) ? 'duplicate' : 'replayed' }
        : await this.host.storeResult({
          deviceId, unitId: unit.unitId, counter: result.counter, header: unit.header, result: request.result, verdicts: unit.verdicts,
        });
    } finally {
      // If the connection ended meanwhile, the unit is kept for the next one unless it is done.
      this.submitting = null;
      const done = outcome !== undefined && (outcome.stored || outcome.why === 'duplicate');
      if (this.phase === 'closed' && !done) this.suspend(unit);
    }
    if (!outcome.stored) {
      if (outcome.why === 'replayed') return this.fail(request.id, 'replayed', `counter ${result.counter} is not above ${this.lastCounter}, the last stored`, 'strike');
      // Stored through an earlier connection whose ack was lost: the unit is done.
      this.retire(unit);
      this.fail(request.id, 'duplicate', 'result already stored', 'none');
      return true;
    }
    this.lastCounter = result.counter;
    this.retire(unit);
    this.advanced();
    this.host.report?.({ type: 'stored', deviceId, unitId: unit.unitId, counter: result.counter });
    this.reply(encodeSubmitAnswer(request.id, outcome.accepted, outcome.credited));
    return true;
  }

  private onRefuse(request: Extract<DeviceRequest, { method: 'mm.refuse' }>): boolean {
    if (this.openUnit(request.id, request.unitId) === null) return false;
    this.drop('refused', request.why);
    this.answer(request.id, true);
    return true;
  }

  /** Asks the host for the device's next unit; a promise only when the host answers later. */
  private offerWork(): Promise<void> | undefined {
    if (this.phase !== 'ready' || this.current !== null) return undefined;
    try {
      // A host that answers at once is not awaited, so nothing can assign a unit in between.
      const next = this.host.nextUnit(this.deviceId!);
      if (!(next instanceof Promise)) return this.offered(next);
      return next.then((header) => this.offered(header), (error: unknown) => this.assignFailed(error));
    } catch (error) {
      return this.assignFailed(error);
    }
  }

  private offered(header: Uint8Array | null): undefined {
    try {
      if (header === null) return undefined;
      if (this.phase === 'ready' && this.current === null) {
        this.assign(header);
        return undefined;
      }
      // The session got a unit or closed while the host built this one: it goes back.
      const decoded = decodeHeader(header);
      if (decoded.ok) this.host.report?.({ type: 'unit-dropped', deviceId: this.deviceId!, unitId: decoded.value.unitId, why: 'unassigned' });
    } catch (error) {
      this.assignFailed(error);
    }
    return undefined;
  }

  private assignFailed(error: unknown): undefined {
    this.host.report?.({ type: 'error', error: 'other', message: `host failed to assign a unit: ${String(error)}` });
    return undefined;
  }

  private suspend(unit: UnitProgress): void {
    this.host.report?.({ type: 'unit-suspended', deviceId: this.deviceId!, unit });
  }

  private retire(unit: UnitProgress): void {
    this.current = null;
    this.recent.push(unit.unitId);
    if (this.recent.length > RECENT_UNITS) this.recent.shift();
  }

  private drop(why: DropReason, refusal?: WireError): void {
    const unit = this.current!;
    this.retire(unit);
    this.host.report?.({ type: 'unit-dropped', deviceId: this.deviceId!, unitId: unit.unitId, why, ...(refusal ? { refusal } : {}) });
  }

  /**
   * A request moved the device's unit forward (the next entry pulled, the result stored): its
   * token goes back. There are at most entries + 2 such requests per unit, one at a time, and
   * units come only as results do, so they are self-limiting: an honest device at full speed is
   * never rate limited, while pings, repeated pulls, refusals and errors still are.
   */
  private advanced(): void {
    this.tokens = Math.min(this.options.burst, this.tokens + 1);
    this.host.report?.(ADVANCED);
  }

  private takeToken(): boolean {
    const now = this.host.now();
    const { requestsPerSecond, burst } = this.options;
    this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) * requestsPerSecond) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private answer(id: number, result: unknown): boolean {
    return this.reply(encodeResult(id, result));
  }

  /** Sends an encoded answer unless the session is closed; always false (no work wanted). */
  private reply(line: string): false {
    if (this.phase !== 'closed') this.host.send(line);
    return false;
  }

  /**
   * Sends an error answer and applies its consequence; always false (no work wanted). `detail`,
   * when given, is what the report says instead of the device-facing message.
   */
  private fail(id: number | null, error: WireError, message: string, consequence: Consequence, detail?: string): false {
    if (this.phase === 'closed') return false;
    this.host.send(encodeError(id, error, message));
    this.host.report?.({ type: 'error', error, message: detail ?? message });
    if (consequence === 'strike') this.strikes++;
    if (consequence === 'close' || this.strikes >= this.options.maxStrikes) {
      const reason = consequence === 'close' ? error : `${this.strikes} protocol violations`;
      this.end(reason);
      this.host.close(reason);
    }
    return false;
  }
}
