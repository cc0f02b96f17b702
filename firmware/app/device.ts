/**
 * The device program: one connection at a time to the trusted node, speaking mm/1
 * (docs/protocol-wire.md) through firmware/core/wire, validating with the core, searching shares
 * in bounded slices, and keeping its counter and unacknowledged results in storage
 * (state.ts). It runs on any {@link Hal}; start and stop let an appliance embed it.
 *
 * One request is outstanding at a time; `next` picks the next one whenever none is: a refusal
 * owed to the node, then queued results (oldest counter first), then the next pull. Everything
 * else happens in reaction to node lines, timers and yields, so the appliance keeps its CPU
 * between them.
 *
 * It stays one closure over the device's state although it passes 400 lines: split into modules,
 * the state it shares would travel as object properties, which costs image bytes and RAM on
 * both runtimes (docs/build.md measures such trades), and the parts are one state machine.
 * @module
 */
import { errorText } from '../core/errors.ts';
import { bytesToHex } from '../core/hex.ts';
import type { SignatureVerifier } from '../core/digest.ts';
import { HEADER_SIZE, RESULT_SIZE, RESULT_UNIT_AT } from '../core/layout.ts';
import { beginEntry } from '../core/validator.ts';
import { authProof } from '../core/wire/auth.ts';
import {
  MESSAGE_ACK, MESSAGE_AUTHORIZED, MESSAGE_CHALLENGE, MESSAGE_ENTRY, MESSAGE_ERROR, MESSAGE_INVALID, MESSAGE_NOTIFY,
  createClient, headerMatches, parseNodeLine, request, type NodeMessage, type WireClient,
} from '../core/wire/client.ts';
import { createFramer, feedFramer, type Framer } from '../core/wire/framer.ts';
import {
  DEVICE_METHODS, ERROR_DUPLICATE, ERROR_EXPIRED, ERROR_OTHER, ERROR_RATE_LIMITED, ERROR_REPLAYED, ERROR_STALE, ERROR_TIER_MISMATCH,
  ERROR_UNAUTHORIZED, ERROR_UNSUPPORTED_VERSION, LINE_ENTRY_COUNT, LINE_ENTRY_HEX, LINE_ENTRY_LENGTH, LINE_NOTIFY_MISMATCH, LINE_PARAMS, MAX_LINE,
  METHOD_AUTH, METHOD_HELLO, METHOD_PING, METHOD_PULL, METHOD_REFUSE, METHOD_SUBMIT, PROTOCOL_VERSION, type Tier,
} from '../core/wire/protocol.ts';
import type { Connection, Hal, TimerHandle } from '../hal/hal.ts';
import { createBackoff, nextDelay, resetBackoff, type Backoff } from './backoff.ts';
import { checkConfig, type DeviceConfig } from './config.ts';
import './debug.ts';
import {
  QUEUE_SLOTS, dequeue, enqueue, loadState, oldestQueued, queuedCount, queuedFor, raiseCounter, reserveCounter, restoreSlot, resultU32,
  type DeviceState,
} from './state.ts';
import {
  beginShare, entrySlice, hexSlice, openWork, seal, searchSlice, takeEntry, type SliceBounds, type Work,
} from './work.ts';

/** Timing of the connection, in milliseconds of the device's clock. */
export interface Timing {
  /** first reconnection delay ceiling; doubles per failure */
  backoffBaseMs: number;
  /** largest reconnection delay ceiling */
  backoffMaxMs: number;
  /** longest wait for a connection, or for the answer to a request, before reconnecting */
  answerTimeoutMs: number;
  /** silence after which the device pings, so a dead connection is noticed */
  idlePingMs: number;
  /** pause before retrying after the node answered `other` or `rate-limited` */
  retryMs: number;
}

/** Timing used by the images. */
export const DEFAULT_TIMING: Timing = { backoffBaseMs: 2000, backoffMaxMs: 120000, answerTimeoutMs: 30000, idlePingMs: 60000, retryMs: 5000 };

/** What the build fixed for the image: its identity and its slice bounds (image.ts's `BuildInfo` adds the self-test's). */
export interface DeviceBuild {
  /** the target (profile) this image was built for; the stored configuration must name it */
  target: string;
  tier: Tier;
  /** firmware version announced in `mm.hello` */
  firmware: string;
  slice: SliceBounds;
}

/** Where the device stands. */
export type DeviceStage = 'stopped' | 'connecting' | 'handshake' | 'ready' | 'waiting' | 'halted';

/** A snapshot for the appliance, the console and the simulator. */
export interface DeviceStatus {
  stage: DeviceStage;
  /** why the device halted or did not start, else the last problem seen ('' for none); terse, see docs/firmware.md */
  problem: string;
  /** the unit being worked on */
  unitId: number | null;
  /** the last result counter handed out */
  counter: number;
  /** results waiting for the node's acknowledgement */
  queued: number;
  /** results the node acknowledged since start */
  acked: number;
  /** connection attempts since start */
  connects: number;
}

/** The device program. */
export interface Device {
  /** Reads the configuration and state, then connects. Returns null, or why it cannot start. */
  start(): string | null;
  /** Closes the connection and abandons the unit in progress; queued results stay stored. */
  stop(): void;
  status(): DeviceStatus;
}

/** Authentication failures in a row after which the device stops (its key was revoked). */
const MAX_AUTH_FAILURES = 3;

/** A debug log line: call it under `if (MM_DEBUG)`, so release images drop the call and its text. */
function debugLog(hal: Hal, text: string): void {
  hal.log('micromine: ' + text);
}

/**
 * Creates the device program over `hal` for the image `build` describes, with its `timing` and,
 * on sig-tier images, Ed25519 verification in steps (the simulator's phases: see `markedVerifier`;
 * null on hash-tier ones). It does nothing until started.
 */
export function createDevice(hal: Hal, build: DeviceBuild, timing: Timing, verify: SignatureVerifier | null): Device {
  let stage: DeviceStage = 'stopped';
  let problem = '';
  // Set by start(); read only while started.
  let config = null as unknown as DeviceConfig;
  let state = null as unknown as DeviceState;
  let backoff = null as unknown as Backoff;
  let connection: Connection | null = null;
  // Made by connect(); read only while a connection is open.
  let client = null as unknown as WireClient;
  let framer = null as unknown as Framer;
  let timer: TimerHandle | null = null;
  /** clock time by which the awaited answer (or connection) is overdue */
  let answerDue = 0;
  let work: Work | null = null;
  /** the header hex of the notify being decoded: a later notify supersedes it */
  let opening = '';
  /** a unit to decline: the refuse request's parameters, its id and the wire error code why */
  let refusal: [number, number] | null = null;
  /** queue slots already sent on this connection */
  let sent: boolean[] = [];
  let submitting = -1;
  let pulledUnit = -1;
  let authFailures = 0;
  let acked = 0;
  let connects = 0;

  /** Runs an event handler; an exception (a defect) costs the connection, not the device. */
  function guarded(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      problem = 'defect: ' + error;
      if (connection !== null) drop(problem);
    }
  }

  /** True once stop() or halt() ended the program's work. */
  function ended(): boolean {
    return stage === 'stopped' || stage === 'halted';
  }

  function clearTimer(): void {
    if (timer !== null) hal.clearTimer(timer);
    timer = null;
  }

  function setTimer(callback: () => void, ms: number): void {
    clearTimer();
    timer = hal.setTimer(() => {
      timer = null;
      guarded(callback);
    }, ms);
  }

  /**
   * Waits for an answer while one is due, else pings after a silence. The answer is due
   * `answerTimeoutMs` after its request went out (or the connection was opened), however many
   * other lines arrive meanwhile: a lost request is noticed even while the node sends notifies.
   */
  function armTimer(): void {
    if (connection === null) return;
    if (stage !== 'ready' || client.awaiting !== null) setTimer(() => drop('no answer'), answerDue - hal.now());
    else setTimer(() => send(request(client, METHOD_PING, [])), timing.idlePingMs);
  }

  /** Starts the wait for an answer (or for the connection) and arms its timer. */
  function awaitAnswer(): void {
    answerDue = hal.now() + timing.answerTimeoutMs;
    armTimer();
  }

  function send(line: string): void {
    hal.mark('io');
    (connection as Connection).write(line);
    awaitAnswer();
  }

  function connect(): void {
    stage = 'connecting';
    connects++;
    client = createClient();
    framer = createFramer(MAX_LINE);
    sent = [];
    // Events come only for the connection open now: a hal reports none from inside connect() nor
    // after close() or the end, and the program closes each connection it lets go.
    try {
      connection = hal.connect(config.host, config.port, {
        onConnect: () => guarded(() => {
          stage = 'handshake';
          send(request(client, METHOD_HELLO, [PROTOCOL_VERSION, config.id, build.firmware, build.target, build.tier, state.lastCounter]));
        }),
        onData: (chunk) => guarded(() => receive(chunk)),
        onClose: lost,
      });
    } catch (error) {
      return lost('connect: ' + error);
    }
    awaitAnswer();
  }

  /** The connection is gone: reconnect after a backoff delay unless stopped or halted. */
  function lost(reason: string): void {
    connection = null;
    clearTimer();
    if (ended()) return;
    problem = reason;
    stage = 'waiting';
    const delay = nextDelay(backoff);
    if (MM_DEBUG) debugLog(hal, reason + '; retry in ' + delay + ' ms');
    setTimer(connect, delay);
  }

  function drop(reason: string): void {
    const closing = connection;
    connection = null;
    if (closing !== null) closing.close();
    lost(reason);
  }

  /**
   * Ends the program's work: halted for `reason`, or stopped (the appliance's `stop()`) without one.
   * The unit in progress and any refusal owed go; the connection closes.
   */
  function halt(reason?: string): void {
    stage = 'stopped';
    if (reason !== undefined) {
      stage = 'halted';
      problem = reason;
      if (MM_DEBUG) debugLog(hal, 'halted: ' + reason);
    }
    work = refusal = null;
    drop('');
  }

  function receive(chunk: string): void {
    const events = feedFramer(framer, chunk);
    for (let i = 0; i < events.length && connection !== null; i++) {
      const line = events[i];
      if (line === null) drop('line too long');
      else handle(line);
    }
  }

  function handle(line: string): void {
    hal.mark('decode');
    const message = parseNodeLine(client, line);
    switch (message.kind) {
      case MESSAGE_CHALLENGE:
        // The proof and its hex each take a slice.
        return onThis(() => {
          hal.mark('mac');
          const proof = authProof(hal.digest, config.key, message.challenge, config.idBytes);
          onThis(() => send(request(client, METHOD_AUTH, [bytesToHex(proof)])));
        });
      case MESSAGE_AUTHORIZED:
        return authorized(message.counter, message.unit);
      case MESSAGE_NOTIFY:
        return notified(message);
      case MESSAGE_ENTRY:
        return entry(message.entry);
      case MESSAGE_ACK:
        acked++;
        answered(submitting);
        return next();
      case MESSAGE_ERROR:
        return failed(message);
      case MESSAGE_INVALID:
        return drop('invalid line ' + message.problem);
      default:
        // pong, refused, difficulty: nothing to do but go on
        return next();
    }
  }

  function authorized(counter: number, openUnit: number | null): void {
    raiseCounter(state, counter);
    resetBackoff(backoff);
    authFailures = 0;
    stage = 'ready';
    // The node keeps a unit across connections until its deadline; one it let go is lost, and
    // one it kept that this device lost (a restart) is refused as stale (docs/protocol-wire.md).
    if (work !== null && work.unitId !== openUnit) work = null;
    if (openUnit !== null && work === null && queuedFor(state, openUnit) < 0) refuse(openUnit, ERROR_STALE);
    next();
  }

  function refuse(unitId: number, why: number): void {
    refusal = [unitId, why];
    if (MM_DEBUG) debugLog(hal, 'unit ' + unitId + ' refused: ' + why);
  }

  /** Opens the unit of a notify once its header is decoded, in slices. */
  function notified(notify: Extract<NodeMessage, { kind: typeof MESSAGE_NOTIFY }>): void {
    // A notify replaces the unit in progress: the node has made it stale.
    work = null;
    const unitId = notify.unitId;
    if (queuedCount(state) >= QUEUE_SLOTS) {
      refuse(unitId, ERROR_OTHER);
      return next();
    }
    const on = connection;
    const hex = opening = notify.header;
    const arrived = hal.now();
    decodeThen(hex, new Uint8Array(HEADER_SIZE), () => connection === on && opening === hex, (header) => {
      if (header === null || !headerMatches(notify, header)) return drop('invalid line ' + (header === null ? LINE_PARAMS : LINE_NOTIFY_MISMATCH));
      const opened = openWork(unitId, header, hal.digest, verify, arrived);
      if (opened.ok) work = opened.work;
      else {
        if (MM_DEBUG) debugLog(hal, 'unit ' + unitId + ': ' + errorText(opened.error));
        refuse(unitId, opened.why);
      }
      next();
    });
  }

  function entry(hex: string | null): void {
    const current = work;
    if (current === null || current.unitId !== pulledUnit) return next();
    const validator = current.validator;
    const complete = validator.index >= validator.header.entryCount;
    if ((hex === null) !== complete) return drop('invalid line ' + LINE_ENTRY_COUNT);
    if (hex === null) {
      share(current);
    } else {
      const bytes = takeEntry(current, hex);
      if (bytes === null) return drop('invalid line ' + LINE_ENTRY_LENGTH);
      decodeThen(hex, bytes, () => work === current, (entry) => {
        // Not lowercase hex: the entry is dropped unjudged, and the same pull goes out again on the next connection.
        if (entry === null) {
          current.judging = false;
          if (connection !== null) drop('invalid line ' + LINE_ENTRY_HEX);
          return;
        }
        beginEntry(current.validator, entry);
        judge(current);
      });
    }
    next();
  }

  /**
   * Runs `step` after a yield while `valid()` holds and the program runs: every stage of work
   * that could outgrow a slice runs in a slice of its own (docs/firmware.md, Slices).
   */
  function after(valid: () => boolean, step: () => void): void {
    hal.yieldThen(() => guarded(() => {
      if (valid() && !ended()) step();
    }));
  }

  /** Runs `step` after a yield unless the connection open now is gone by then. */
  function onThis(step: () => void): void {
    const on = connection;
    after(() => connection === on, step);
  }

  /** Runs `step` on `current` after a yield, unless the unit was dropped meanwhile. */
  function later(current: Work, step: (current: Work) => void): void {
    after(() => work === current, () => step(current));
  }

  /**
   * Decodes `hex` into `out` a slice at a time, then calls `then` in a slice of its own with `out`,
   * or with null when `hex` is not `out`'s length of lowercase hex. Headers, entries and stored
   * results all come this way.
   */
  function decodeThen(hex: string, out: Uint8Array, valid: () => boolean, then: (bytes: Uint8Array | null) => void): void {
    const size = out.length;
    let decoded = hex.length === 2 * size ? 0 : -1;
    const slice = (): void => {
      if (decoded >= 0 && decoded < size) {
        hal.mark('decode');
        decoded = hexSlice(hex, out, decoded, build.slice, hal.now);
        return after(valid, slice);
      }
      then(decoded < 0 ? null : out);
    };
    after(valid, slice);
  }

  /** One slice of judging the entry of `current`, until its verdict goes out with the next pull. */
  function judge(current: Work): void {
    hal.mark('checks');
    if (entrySlice(current, build.slice) === null) return later(current, judge);
    next();
  }

  /**
   * Reserves the next counter (durable before use); the next slice builds the result under it and
   * starts its share search. The device halts when no counter is left.
   */
  function share(current: Work): void {
    hal.mark('io');
    const counter = reserveCounter(state);
    if (counter < 0) return halt('counters spent');
    // No pull goes out until the search (which ends pulling) has started.
    current.judging = true;
    later(current, () => {
      // Finishing the unit (its result and digest) is the validator's last step; the share phase holds share attempts only.
      hal.mark('checks');
      beginShare(current, config.idBytes, counter);
      later(current, shareSlice);
    });
  }

  /** One slice of share search for `current`; once it is over, the result is sealed, encoded, stored and submitted in slices. */
  function shareSlice(current: Work): void {
    // Past the unit's deadline the node takes no result for it.
    if (hal.now() - current.receivedAt > current.validator.header.deadline) {
      if (MM_DEBUG) debugLog(hal, 'unit ' + current.unitId + ' expired');
      work = null;
      return;
    }
    hal.mark('share');
    later(current, searchSlice(current, hal.digest, build.slice, hal.now) ? sealSlice : shareSlice);
  }

  function sealSlice(current: Work): void {
    hal.mark('mac');
    const result = seal(current, hal.digest, config.key);
    // Every nonce failed: the same verdicts under the next counter give a new result digest.
    if (result === null) return share(current);
    // The result is kept, stored and sent as hex, encoded once, at most hexBytes bytes a slice.
    let hex = '';
    const encode = (): void => {
      hal.mark('io');
      if (hex.length < 2 * RESULT_SIZE) {
        hex += bytesToHex(result.subarray(hex.length / 2, hex.length / 2 + build.slice.hexBytes));
        return later(current, encode);
      }
      work = null;
      const slot = enqueue(state, hex);
      if (MM_DEBUG && slot < 0) debugLog(hal, 'no slot for the result of unit ' + current.unitId);
      hal.yieldThen(() => guarded(next));
    };
    later(current, encode);
  }

  /** The node has answered for the result in `slot`: it is durable there, or will never be. */
  function answered(slot: number): void {
    dequeue(state, slot);
    sent[slot] = false;
  }

  function failed(message: Extract<NodeMessage, { kind: typeof MESSAGE_ERROR }>): void {
    const code = message.code;
    const method = message.method;
    problem = DEVICE_METHODS[method] + ': ' + code + ' ' + message.message;
    if (MM_DEBUG) debugLog(hal, problem);
    if (code === ERROR_UNSUPPORTED_VERSION) return halt('version refused');
    if (code === ERROR_TIER_MISMATCH && method === METHOD_AUTH) return halt('profile or tier refused');
    if (code === ERROR_UNAUTHORIZED && method === METHOD_AUTH) {
      return ++authFailures < MAX_AUTH_FAILURES ? drop('key refused') : halt('key refused');
    }
    const retry = code === ERROR_OTHER || code === ERROR_RATE_LIMITED;
    if (method === METHOD_SUBMIT) {
      if (retry) sent[submitting] = false;
      else answered(submitting);
    }
    // A refused pull ends the unit it was for, not one a later notify brought meanwhile.
    if (method === METHOD_PULL && !retry && work && work.unitId === pulledUnit) work = null;
    // After these the connection goes on (a comparison chain, not a table that would hold memory);
    // any other error makes the device reconnect.
    if (retry) setTimer(next, timing.retryMs);
    else if (code === ERROR_STALE || code === ERROR_DUPLICATE || code === ERROR_EXPIRED || code === ERROR_REPLAYED) next();
    else drop(problem);
  }

  /** Sends the next request if none is outstanding (see the module comment). */
  function next(): void {
    if (connection === null || stage !== 'ready' || client.awaiting !== null) return armTimer();
    if (refusal !== null) {
      const owed = refusal;
      refusal = null;
      return send(request(client, METHOD_REFUSE, owed));
    }
    const slot = oldestQueued(state, sent);
    if (slot >= 0) {
      const result = state.queue[slot] as string;
      sent[slot] = true;
      submitting = slot;
      return send(request(client, METHOD_SUBMIT, [resultU32(result, RESULT_UNIT_AT), result]));
    }
    if (work !== null && !work.judging) {
      const index = work.validator.index;
      pulledUnit = work.unitId;
      return send(request(client, METHOD_PULL, [work.unitId, index, index === 0 ? null : work.lastVerdict]));
    }
    armTimer();
  }

  function start(): string | null {
    if (stage !== 'stopped') return null;
    const checked = checkConfig(hal.readConfig(), build.target, build.tier);
    if (typeof checked === 'string') {
      problem = checked;
      if (MM_DEBUG) debugLog(hal, 'not started: ' + problem);
      return problem;
    }
    const mine = config = checked;
    problem = '';
    acked = connects = 0;
    stage = 'connecting';
    // A start after a stop makes a new configuration: what the previous one left in flight ends.
    after(() => config === mine, () => {
      state = loadState(hal.store);
      restore(mine, 0);
    });
    return null;
  }

  /**
   * Reads back the results queued in `slot` and after it, each checked in slices of its own
   * (decoding its hex), then connects.
   */
  function restore(mine: DeviceConfig, slot: number): void {
    for (; slot < QUEUE_SLOTS; slot++) {
      const text = hal.store.get('q' + slot);
      if (text !== null) {
        return decodeThen(text, new Uint8Array(RESULT_SIZE), () => config === mine, (bytes) => {
          restoreSlot(state, slot, text, bytes !== null);
          restore(mine, slot + 1);
        });
      }
    }
    backoff = createBackoff(mine.idBytes, state.lastCounter, timing.backoffBaseMs, timing.backoffMaxMs);
    connect();
  }

  function status(): DeviceStatus {
    const started = state !== null;
    return {
      stage: stage,
      problem: problem,
      unitId: work === null ? null : work.unitId,
      counter: started ? state.lastCounter : 0,
      queued: started ? queuedCount(state) : 0,
      acked: acked,
      connects: connects,
    };
  }

  return { start: start, stop: halt, status: status };
}
