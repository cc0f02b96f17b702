/**
 * The device's end of the wire protocol: builders for every request it sends and a validator
 * for every line the node sends. The state is one small object per connection (the next request
 * id and the one request awaiting its answer): mm/1 allows a single outstanding request, which is
 * also what lets the device pull entries only when it is ready for them.
 * @module
 */
import { bytes, u32 } from '../assert.ts';
import { readU32 } from '../bytes.ts';
import { bytesToHex, hexToBytes, isHex } from '../hex.ts';
import { DEVICE_ID_SIZE, HEADER_DIFFICULTY_AT, HEADER_SIZE, HEADER_UNIT_AT, MAX_DIFFICULTY, RESULT_SIZE } from '../layout.ts';
import { reasonOf } from '../reasons.ts';
import {
  AUTH_PROOF_SIZE, CHALLENGE_SIZE, MAX_FIRMWARE_LENGTH, MAX_PROFILE_LENGTH, PROTOCOL_VERSION, WIRE_ERROR_CODES,
  isPlainName, isU32, wireErrorOf, type DeviceMethod, type Tier, type WireError,
} from './protocol.ts';

/** Request state of one connection. Create a new one for every connection. */
export interface WireClient {
  /** Id of the next request (1, 2, ... wrapping after 2^32 - 1). */
  nextId: number;
  /** Method of the request awaiting its answer, or null when none is. */
  waiting: DeviceMethod | null;
  /** Id of that request. */
  waitingId: number;
}

/** A fresh client for a new connection. */
export function createClient(): WireClient {
  return { nextId: 1, waiting: null, waitingId: 0 };
}

/** What a device announces in `mm.hello`. */
export interface HelloFields {
  /** 16 lowercase hex characters. */
  deviceId: string;
  /** Firmware version: 1-32 letters, digits or `-._+`. */
  firmware: string;
  /** Profile (target) name, same alphabet. */
  profile: string;
  tier: Tier;
  /** Counter of the last result the device made (0 before its first). */
  counter: number;
}

function request(client: WireClient, method: DeviceMethod, params: unknown[]): string {
  if (client.waiting !== null) {
    throw new RangeError('"' + method + '" sent while request ' + client.waitingId + ' (' + client.waiting + ') awaits its answer');
  }
  const id = client.nextId;
  client.nextId = id === 0xffffffff ? 1 : id + 1;
  client.waiting = method;
  client.waitingId = id;
  return JSON.stringify({ id: id, method: method, params: params }) + '\n';
}

/** `mm.hello`: opens the session. Throws TypeError/RangeError naming a bad field. */
export function helloRequest(client: WireClient, fields: HelloFields): string {
  if (!(typeof fields.deviceId === 'string' && fields.deviceId.length === 2 * DEVICE_ID_SIZE && isHex(fields.deviceId))) {
    throw new RangeError('"deviceId" expected 16 lowercase hex characters, got ' + fields.deviceId);
  }
  if (!isPlainName(fields.firmware, MAX_FIRMWARE_LENGTH)) throw new RangeError('"firmware" expected 1-32 of [A-Za-z0-9-._+], got ' + fields.firmware);
  if (!isPlainName(fields.profile, MAX_PROFILE_LENGTH)) throw new RangeError('"profile" expected 1-32 of [A-Za-z0-9-._+], got ' + fields.profile);
  if (fields.tier !== 'hash' && fields.tier !== 'sig') throw new RangeError('"tier" expected hash or sig, got ' + fields.tier);
  u32('counter', fields.counter);
  return request(client, 'mm.hello', [PROTOCOL_VERSION, fields.deviceId, fields.firmware, fields.profile, fields.tier, fields.counter]);
}

/** `mm.auth`: answers the challenge with the proof from `authProof`. */
export function authRequest(client: WireClient, proof: Uint8Array): string {
  return request(client, 'mm.auth', [bytesToHex(bytes('proof', proof, AUTH_PROOF_SIZE))]);
}

/**
 * `mm.pull`: asks for entry `index` of unit `unitId` and reports the verdict code of entry
 * `index - 1` (null when `index` is 0). Pulling index = entry count reports the last verdict
 * and is answered with no entry.
 */
export function pullRequest(client: WireClient, unitId: number, index: number, previousVerdict: number | null): string {
  u32('unitId', unitId);
  u32('index', index);
  if ((index === 0) !== (previousVerdict === null)) throw new RangeError('"previousVerdict" must be null exactly when "index" is 0');
  if (previousVerdict !== null && reasonOf(previousVerdict) === undefined) throw new RangeError('"previousVerdict" expected a reason code, got ' + previousVerdict);
  return request(client, 'mm.pull', [unitId, index, previousVerdict]);
}

/** `mm.submit`: sends the result of unit `unitId` (the 112-byte result with its MAC). */
export function submitRequest(client: WireClient, unitId: number, result: Uint8Array): string {
  u32('unitId', unitId);
  return request(client, 'mm.submit', [unitId, bytesToHex(bytes('result', result, RESULT_SIZE))]);
}

/** `mm.refuse`: declines a unit the device cannot work on (e.g. `tier-mismatch`, `malformed`). */
export function refuseRequest(client: WireClient, unitId: number, why: WireError): string {
  u32('unitId', unitId);
  if (typeof WIRE_ERROR_CODES[why] !== 'number') throw new RangeError('"why" expected a wire error name, got ' + why);
  return request(client, 'mm.refuse', [unitId, WIRE_ERROR_CODES[why]]);
}

/** `mm.ping`: keepalive. */
export function pingRequest(client: WireClient): string {
  return request(client, 'mm.ping', []);
}

/** Everything a node line can mean to the device. `invalid` is a line no node may send. */
export type NodeMessage =
  | { kind: 'challenge'; challenge: Uint8Array }
  /** `unit`: the unit the node kept open from the previous connection, to resume or submit (else null) */
  | { kind: 'authorized'; counter: number; unit: number | null }
  | { kind: 'entry'; entry: Uint8Array | null }
  | { kind: 'ack'; accepted: boolean; credited: string | null }
  | { kind: 'refused' }
  | { kind: 'pong' }
  | { kind: 'error'; method: DeviceMethod; error: WireError | 'unknown'; code: number; message: string }
  | { kind: 'notify'; unitId: number; header: Uint8Array; difficulty: number }
  | { kind: 'difficulty'; difficulty: number }
  | { kind: 'invalid'; problem: string };

function invalid(problem: string): NodeMessage {
  return { kind: 'invalid', problem: problem };
}

/** True when `value` is a plain object whose own keys are exactly `keys`. */
function hasExactly(value: unknown, keys: string[]): value is { [key: string]: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const own = Object.keys(value);
  if (own.length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) if (own.indexOf(keys[i]) < 0) return false;
  return true;
}

function isDifficulty(value: unknown): value is number {
  return isU32(value) && value <= MAX_DIFFICULTY;
}

/** True when `value` is a decimal u64 without leading zeros, as amounts travel in JSON. */
function isDecimalAmount(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 1 || value.length > 20 || (value.length > 1 && value.charAt(0) === '0')) return false;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 48 || value.charCodeAt(i) > 57) return false;
  return value.length < 20 || value <= '18446744073709551615';
}

function notification(message: { [key: string]: unknown }): NodeMessage {
  const params = message.params;
  if (!Array.isArray(params)) return invalid('"params" of a notification must be an array');
  if (message.method === 'mm.difficulty') {
    if (params.length !== 1 || !isDifficulty(params[0])) return invalid('mm.difficulty expects [difficulty 0-' + MAX_DIFFICULTY + ']');
    return { kind: 'difficulty', difficulty: params[0] };
  }
  if (message.method === 'mm.notify') {
    if (params.length !== 3) return invalid('mm.notify expects [unit id, header hex, difficulty]');
    const header = typeof params[1] === 'string' ? hexToBytes(params[1]) : null;
    if (!isU32(params[0])) return invalid('mm.notify "unitId" must be a u32');
    if (header === null || header.length !== HEADER_SIZE) return invalid('mm.notify "header" must be ' + HEADER_SIZE + ' bytes of lowercase hex');
    if (!isDifficulty(params[2])) return invalid('mm.notify "difficulty" must be 0-' + MAX_DIFFICULTY);
    if (readU32(header, HEADER_UNIT_AT) !== params[0] || header[HEADER_DIFFICULTY_AT] !== params[2]) {
      return invalid('mm.notify unit id or difficulty differs from its header');
    }
    return { kind: 'notify', unitId: params[0], header: header, difficulty: params[2] };
  }
  return invalid('unknown notification ' + JSON.stringify(message.method));
}

function failure(method: DeviceMethod, error: unknown): NodeMessage {
  if (!Array.isArray(error) || error.length !== 3 || !isU32(error[0]) || typeof error[1] !== 'string' || error[2] !== null) {
    return invalid('"error" must be [code, message, null]');
  }
  const name = wireErrorOf(error[0]);
  return { kind: 'error', method: method, error: name === undefined ? 'unknown' : name, code: error[0], message: error[1] };
}

function success(method: DeviceMethod, result: unknown): NodeMessage {
  if (method === 'mm.hello') {
    const challenge = hasExactly(result, ['challenge']) && typeof result.challenge === 'string' ? hexToBytes(result.challenge) : null;
    if (challenge === null || challenge.length !== CHALLENGE_SIZE) return invalid('mm.hello result must be {"challenge": 32 bytes hex}');
    return { kind: 'challenge', challenge: challenge };
  }
  if (method === 'mm.auth') {
    if (!hasExactly(result, ['counter', 'unit']) || !isU32(result.counter) || !(result.unit === null || isU32(result.unit))) {
      return invalid('mm.auth result must be {"counter": u32, "unit": u32 or null}');
    }
    return { kind: 'authorized', counter: result.counter, unit: result.unit };
  }
  if (method === 'mm.pull') {
    if (!hasExactly(result, ['entry'])) return invalid('mm.pull result must be {"entry": hex or null}');
    if (result.entry === null) return { kind: 'entry', entry: null };
    const entry = typeof result.entry === 'string' ? hexToBytes(result.entry) : null;
    if (entry === null) return invalid('mm.pull "entry" must be lowercase hex or null');
    return { kind: 'entry', entry: entry };
  }
  if (method === 'mm.submit') {
    if (!hasExactly(result, ['accepted', 'credited']) || typeof result.accepted !== 'boolean' || !(result.credited === null || isDecimalAmount(result.credited))) {
      return invalid('mm.submit result must be {"accepted": boolean, "credited": decimal string or null}');
    }
    return { kind: 'ack', accepted: result.accepted, credited: result.credited as string | null };
  }
  if (result !== true) return invalid(method + ' result must be true');
  return method === 'mm.refuse' ? { kind: 'refused' } : { kind: 'pong' };
}

/**
 * Classifies one line from the node. Never throws: anything a node may not send (bad JSON, a
 * wrong shape, an answer nobody asked for) comes back as `invalid` with the problem named.
 * An answer clears the client's outstanding request.
 */
export function parseNodeLine(client: WireClient, line: string): NodeMessage {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch (e) {
    return invalid('not JSON');
  }
  if (hasExactly(message, ['id', 'method', 'params'])) {
    if (message.id !== null) return invalid('a node request must be a notification ("id": null)');
    return notification(message);
  }
  if (!hasExactly(message, ['id', 'result', 'error'])) return invalid('expected {"id","result","error"} or {"id":null,"method","params"}');
  const method = client.waiting;
  if (method === null || message.id !== client.waitingId) return invalid('answer to request ' + JSON.stringify(message.id) + ', which is not awaiting one');
  if (message.error !== null && message.result !== null) return invalid('an answer carries "result" or "error", not both');
  client.waiting = null;
  return message.error !== null ? failure(method, message.error) : success(method, message.result);
}
