/**
 * The device's end of the wire protocol: one builder for every request it sends and a validator
 * for every line the node sends. The state is one small object per connection (the next request
 * id and the one request awaiting its answer): mm/1 allows a single outstanding request, which is
 * also what lets the device pull entries only when it is ready for them. A refused line comes
 * back as a LINE_* code of protocol.ts, which host code words (protocol/messages.ts).
 * @module
 */
import { misuse } from '../assert.ts';
import { readU32 } from '../bytes.ts';
import { hexToBytes } from '../hex.ts';
import { HEADER_DIFFICULTY_AT, HEADER_SIZE, HEADER_UNIT_AT, MAX_DIFFICULTY } from '../layout.ts';
import {
  CHALLENGE_SIZE, DEVICE_METHODS, LINE_ERROR_SHAPE, LINE_NOT_JSON, LINE_NOT_NOTIFICATION, LINE_PARAMS,
  LINE_RESULT_AND_ERROR, LINE_RESULT_SHAPE, LINE_SHAPE, LINE_UNKNOWN_NOTIFICATION, LINE_UNSOLICITED,
  METHOD_AUTH, METHOD_HELLO, METHOD_PING, METHOD_PULL, METHOD_REFUSE, METHOD_SUBMIT, isU32, type MethodId, type Tier,
} from './protocol.ts';

// The kinds of NodeMessage: what a node line means to the device, by number, so that an image
// carries no names for them.

/** the answer to `mm.hello` */
export const MESSAGE_CHALLENGE = 0;
/** the answer to `mm.auth` */
export const MESSAGE_AUTHORIZED = 1;
/** the answer to `mm.pull` */
export const MESSAGE_ENTRY = 2;
/** the answer to `mm.submit` */
export const MESSAGE_ACK = 3;
/** the answer to `mm.refuse` */
export const MESSAGE_REFUSED = 4;
/** the answer to `mm.ping` */
export const MESSAGE_PONG = 5;
/** a wire error answering any request */
export const MESSAGE_ERROR = 6;
/** the notification `mm.notify` */
export const MESSAGE_NOTIFY = 7;
/** the notification `mm.difficulty` */
export const MESSAGE_DIFFICULTY = 8;
/** a line no node may send */
export const MESSAGE_INVALID = 9;

/** Request state of one connection. Create a new one for every connection. */
export interface WireClient {
  /** Method of the request awaiting its answer, or null when none is. */
  awaiting: MethodId | null;
  /**
   * Id of the latest request, which an answer must carry (0 before the first). Ids run 1, 2, ...
   * and wrap from 2^32 - 1 back to 1.
   */
  lastId: number;
}

/** A fresh client for a new connection. */
export function createClient(): WireClient {
  return { awaiting: null, lastId: 0 };
}

/**
 * The params of each request, in order (docs/protocol-wire.md); binary fields are lowercase hex.
 * The device builds them from values it checked or made itself; the node checks every one again.
 */
export interface RequestParams {
  /** `mm.hello`: the version is PROTOCOL_VERSION; the device id 16 hex characters; counter: of the last result made (0 before the first) */
  [METHOD_HELLO]: [version: string, deviceId: string, firmware: string, profile: string, tier: Tier, counter: number];
  /** `mm.auth`: the proof from `authProof`, 32 bytes */
  [METHOD_AUTH]: [proof: string];
  /**
   * `mm.pull`: entry `index` of the unit, and the verdict code of entry `index - 1` (null when
   * `index` is 0); pulling index = entry count reports the last verdict and is answered with no entry
   */
  [METHOD_PULL]: [unitId: number, index: number, previousVerdict: number | null];
  /** `mm.submit`: the 112-byte result with its MAC */
  [METHOD_SUBMIT]: [unitId: number, result: string];
  /** `mm.refuse`: declines a unit the device cannot work on, with a wire error code (e.g. ERROR_TIER_MISMATCH) */
  [METHOD_REFUSE]: [unitId: number, why: number];
  /** `mm.ping` */
  [METHOD_PING]: [];
}

/**
 * The line (with its `\n`) of a `method` request. Throws RangeError `"method" busy` while another
 * request awaits its answer (a programming error: mm/1 allows one).
 */
export function request<M extends MethodId>(client: WireClient, method: M, params: RequestParams[M]): string {
  if (client.awaiting !== null) misuse('method', 'busy');
  client.awaiting = method;
  client.lastId = client.lastId % 0xffffffff + 1;
  return JSON.stringify({ id: client.lastId, method: DEVICE_METHODS[method], params: params }) + '\n';
}

/** Everything a node line can mean to the device; `kind` is one of the MESSAGE_* numbers above. */
export type NodeMessage =
  | { kind: typeof MESSAGE_CHALLENGE; challenge: Uint8Array }
  /** `unit`: the unit the node kept open from the previous connection, to resume or submit (else null) */
  | { kind: typeof MESSAGE_AUTHORIZED; counter: number; unit: number | null }
  /** `entry`: lowercase hex as sent, its spelling checked as the device decodes it in slices (firmware/app/work.ts) */
  | { kind: typeof MESSAGE_ENTRY; entry: string | null }
  | { kind: typeof MESSAGE_ACK; accepted: boolean; credited: string | null }
  | { kind: typeof MESSAGE_REFUSED }
  | { kind: typeof MESSAGE_PONG }
  /** `code`: a wire error code (WIRE_ERROR_CODES), possibly one a later version defines; `method`: the request it answers */
  | { kind: typeof MESSAGE_ERROR; method: MethodId; code: number; message: string }
  /**
   * `header`: lowercase hex as sent, of the header's size; the device decodes it in slices and
   * checks its spelling and that it names `unitId` and `difficulty` (LINE_PARAMS, LINE_NOTIFY_MISMATCH)
   */
  | { kind: typeof MESSAGE_NOTIFY; unitId: number; header: string; difficulty: number }
  | { kind: typeof MESSAGE_DIFFICULTY; difficulty: number }
  /** `problem`: a LINE_* code */
  | { kind: typeof MESSAGE_INVALID; problem: number };

function invalid(problem: number): NodeMessage {
  return { kind: MESSAGE_INVALID, problem: problem };
}

/**
 * True when `value` is an object whose own keys are exactly `keys`, given sorted and joined by
 * commas (`'error,id,result'`). Counting the keys too keeps a key that holds a comma from passing
 * for two; an array never passes, as its keys are indices and no shape has one.
 */
function hasExactly(value: unknown, keys: string): value is { [key: string]: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const own = Object.keys(value);
  return own.length === keys.split(',').length && own.sort().join() === keys;
}

/** The bytes of `value` when it is `size` bytes of lowercase hex, else null. */
function hexOfSize(value: unknown, size: number): Uint8Array | null {
  return typeof value === 'string' && value.length === 2 * size ? hexToBytes(value) : null;
}

/** True when `value` is an array of `length` items. */
function isTuple(value: unknown, length: number): value is unknown[] {
  return Array.isArray(value) && value.length === length;
}

function isDifficulty(value: unknown): value is number {
  return isU32(value) && value <= MAX_DIFFICULTY;
}

/** True when `value` is a decimal u64 without leading zeros, as amounts travel in JSON. */
function isDecimalAmount(value: unknown): boolean {
  // Twenty digits compare as text against the largest u64; fewer are always below it.
  return typeof value === 'string' && (value === '0' || /^[1-9][0-9]*$/.test(value))
    && (value.length < 20 || (value.length === 20 && value <= '18446744073709551615'));
}

function notification(method: unknown, params: unknown): NodeMessage {
  if (method === 'mm.difficulty') {
    return isTuple(params, 1) && isDifficulty(params[0]) ? { kind: MESSAGE_DIFFICULTY, difficulty: params[0] } : invalid(LINE_PARAMS);
  }
  if (method !== 'mm.notify') return invalid(LINE_UNKNOWN_NOTIFICATION);
  return isTuple(params, 3) && isU32(params[0]) && typeof params[1] === 'string' && params[1].length === 2 * HEADER_SIZE && isDifficulty(params[2])
    ? { kind: MESSAGE_NOTIFY, unitId: params[0], header: params[1], difficulty: params[2] } : invalid(LINE_PARAMS);
}

/**
 * True when the decoded `header` of a notify names the unit id and difficulty the notify announced;
 * a notify whose header does not is a line no node may send (LINE_NOTIFY_MISMATCH).
 */
export function headerMatches(notify: { unitId: number; difficulty: number }, header: Uint8Array): boolean {
  return readU32(header, HEADER_UNIT_AT) === notify.unitId && header[HEADER_DIFFICULTY_AT] === notify.difficulty;
}

/**
 * The message an answer's result means for `method`, or null when it does not have that method's
 * shape. The kind of an answer's message is the number of the method it answers, and past the
 * challenge (which arrives as hex) the checked result object becomes the message itself.
 */
function success(method: MethodId, result: unknown): NodeMessage | null {
  if (method === METHOD_HELLO) {
    const challenge = hasExactly(result, 'challenge') ? hexOfSize(result.challenge, CHALLENGE_SIZE) : null;
    return challenge && { kind: MESSAGE_CHALLENGE, challenge: challenge };
  }
  if (method === METHOD_REFUSE || method === METHOD_PING) return result === true ? { kind: method } : null;
  const fits = method === METHOD_AUTH
    ? hasExactly(result, 'counter,unit') && isU32(result.counter) && (result.unit === null || isU32(result.unit))
    : method === METHOD_PULL
      ? hasExactly(result, 'entry') && (result.entry === null || typeof result.entry === 'string')
      : hasExactly(result, 'accepted,credited') && typeof result.accepted === 'boolean' && (result.credited === null || isDecimalAmount(result.credited));
  if (!fits) return null;
  (result as { kind: MethodId }).kind = method;
  return result as NodeMessage;
}

/**
 * Classifies one line from the node. Never throws: anything a node may not send (bad JSON, a
 * wrong shape, an answer nobody asked for) comes back as MESSAGE_INVALID with its LINE_* code.
 * An answer clears the client's outstanding request.
 */
export function parseNodeLine(client: WireClient, line: string): NodeMessage {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch (e) {
    return invalid(LINE_NOT_JSON);
  }
  if (hasExactly(message, 'id,method,params')) {
    return message.id === null ? notification(message.method, message.params) : invalid(LINE_NOT_NOTIFICATION);
  }
  if (!hasExactly(message, 'error,id,result')) return invalid(LINE_SHAPE);
  const method = client.awaiting;
  if (method === null || message.id !== client.lastId) return invalid(LINE_UNSOLICITED);
  const error = message.error;
  if (error !== null && message.result !== null) return invalid(LINE_RESULT_AND_ERROR);
  client.awaiting = null;
  if (error === null) return success(method, message.result) || invalid(LINE_RESULT_SHAPE);
  return isTuple(error, 3) && isU32(error[0]) && typeof error[1] === 'string' && error[2] === null
    ? { kind: MESSAGE_ERROR, method: method, code: error[0], message: error[1] } : invalid(LINE_ERROR_SHAPE);
}
