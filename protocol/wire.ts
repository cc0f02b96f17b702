/**
 * The node's end of the wire protocol `mm/1` (docs/protocol-wire.md): validation of every line a
 * device sends and encoders for every line the node sends. Names, limits and the framer are the
 * device's own (firmware/core/wire), imported rather than restated.
 * @module
 */
import { isHex } from '../firmware/core/hex.ts';
import { bytesOfHex, hexOf } from './hex.ts';
import { readU32 } from '../firmware/core/bytes.ts';
import { u32 } from '../firmware/core/assert.ts';
import { DEVICE_ID_SIZE, HEADER_DIFFICULTY_AT, HEADER_SIZE, HEADER_UNIT_AT, MAX_DIFFICULTY, RESULT_SIZE } from '../firmware/core/layout.ts';
import { reasonOf } from '../firmware/core/reasons.ts';
import {
  AUTH_PROOF_SIZE, CHALLENGE_SIZE, DEVICE_METHODS, MAX_FIRMWARE_LENGTH, MAX_PROFILE_LENGTH, PROTOCOL_VERSION, WIRE_ERROR_CODES,
  isPlainName, isU32, wireErrorOf, type DeviceMethod, type Tier, type WireError,
} from '../firmware/core/wire/protocol.ts';

export * from '../firmware/core/wire/protocol.ts';
export { createFramer, feedFramer, type Framer, type FrameEvent } from '../firmware/core/wire/framer.ts';
export { authProof, AUTH_TAG } from '../firmware/core/wire/auth.ts';

/** A well-formed device request, its params decoded. */
export type DeviceRequest =
  | { method: 'mm.hello'; id: number; deviceId: string; firmware: string; profile: string; tier: Tier; counter: number }
  | { method: 'mm.auth'; id: number; proof: Uint8Array }
  | { method: 'mm.pull'; id: number; unitId: number; index: number; previousVerdict: number | null }
  | { method: 'mm.submit'; id: number; unitId: number; result: Uint8Array }
  | { method: 'mm.refuse'; id: number; unitId: number; why: WireError }
  | { method: 'mm.ping'; id: number };

/** Why a line is not a well-formed request; `id` is the request's id when it could be read. */
export interface RequestFault {
  id: number | null;
  error: WireError;
  message: string;
}

/** Either a request or why the line is not one. */
export type ParsedLine = { ok: true; request: DeviceRequest } | { ok: false; fault: RequestFault };

function fault(id: number | null, error: WireError, message: string): ParsedLine {
  return { ok: false, fault: { id, error, message } };
}

/** Quotes untrusted text for an error message: printable ASCII only, at most 40 characters. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? typeof value);
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? printable.slice(0, 37) + '...' : printable;
}

function params(id: number, method: DeviceMethod, list: unknown[], expected: string, count: number): ParsedLine | undefined {
  return list.length === count ? undefined : fault(id, 'malformed', `${method} expects ${expected}, got ${list.length} params`);
}

function badParam(id: number, method: DeviceMethod, field: string, expected: string, got: unknown): ParsedLine {
  return fault(id, 'malformed', `${method} "${field}" expected ${expected}, got ${quote(got)}`);
}

function decodeParams(id: number, method: DeviceMethod, list: unknown[]): ParsedLine {
  switch (method) {
    case 'mm.hello': {
      // The version comes first so that a later protocol's hello, whatever its other params,
      // is answered "unsupported-version" and not "malformed".
      if (list[0] !== PROTOCOL_VERSION) return fault(id, 'unsupported-version', `protocol ${quote(list[0])} unsupported, this node speaks ${PROTOCOL_VERSION}`);
      const wrongCount = params(id, method, list, '[version, device id, firmware, profile, tier, counter]', 6);
      if (wrongCount) return wrongCount;
      const [, deviceId, firmware, profile, tier, counter] = list;
      if (typeof deviceId !== 'string' || deviceId.length !== 2 * DEVICE_ID_SIZE || !isHex(deviceId)) return badParam(id, method, 'deviceId', '16 lowercase hex characters', deviceId);
      if (typeof firmware !== 'string' || !isPlainName(firmware, MAX_FIRMWARE_LENGTH)) return badParam(id, method, 'firmware', `1-${MAX_FIRMWARE_LENGTH} of [A-Za-z0-9-._+]`, firmware);
      if (typeof profile !== 'string' || !isPlainName(profile, MAX_PROFILE_LENGTH)) return badParam(id, method, 'profile', `1-${MAX_PROFILE_LENGTH} of [A-Za-z0-9-._+]`, profile);
      if (tier !== 'hash' && tier !== 'sig') return badParam(id, method, 'tier', '"hash" or "sig"', tier);
      if (!isU32(counter)) return badParam(id, method, 'counter', 'u32', counter);
      return { ok: true, request: { method, id, deviceId, firmware, profile, tier, counter } };
    }
    case 'mm.auth': {
      const wrongCount = params(id, method, list, '[proof hex]', 1);
      if (wrongCount) return wrongCount;
      const proof = typeof list[0] === 'string' ? bytesOfHex(list[0]) : null;
      if (proof === null || proof.length !== AUTH_PROOF_SIZE) return badParam(id, method, 'proof', `${AUTH_PROOF_SIZE} bytes of lowercase hex`, list[0]);
      return { ok: true, request: { method, id, proof } };
    }
    case 'mm.pull': {
      const wrongCount = params(id, method, list, '[unit id, index, previous verdict]', 3);
      if (wrongCount) return wrongCount;
      const [unitId, index, previousVerdict] = list;
      if (!isU32(unitId)) return badParam(id, method, 'unitId', 'u32', unitId);
      if (!isU32(index)) return badParam(id, method, 'index', 'u32', index);
      if (index === 0 ? previousVerdict !== null : !(isU32(previousVerdict) && reasonOf(previousVerdict) !== undefined)) {
        return badParam(id, method, 'previousVerdict', index === 0 ? 'null at index 0' : 'a reason code', previousVerdict);
      }
      return { ok: true, request: { method, id, unitId, index, previousVerdict: previousVerdict as number | null } };
    }
    case 'mm.submit': {
      const wrongCount = params(id, method, list, '[unit id, result hex]', 2);
      if (wrongCount) return wrongCount;
      const [unitId, hex] = list;
      if (!isU32(unitId)) return badParam(id, method, 'unitId', 'u32', unitId);
      const result = typeof hex === 'string' ? bytesOfHex(hex) : null;
      if (result === null || result.length !== RESULT_SIZE) return badParam(id, method, 'result', `${RESULT_SIZE} bytes of lowercase hex`, hex);
      return { ok: true, request: { method, id, unitId, result } };
    }
    case 'mm.refuse': {
      const wrongCount = params(id, method, list, '[unit id, error code]', 2);
      if (wrongCount) return wrongCount;
      const [unitId, code] = list;
      if (!isU32(unitId)) return badParam(id, method, 'unitId', 'u32', unitId);
      const why = isU32(code) ? wireErrorOf(code) : undefined;
      if (why === undefined) return badParam(id, method, 'why', 'a wire error code', code);
      return { ok: true, request: { method, id, unitId, why } };
    }
    case 'mm.ping':
      return params(id, method, list, '[]', 0) ?? { ok: true, request: { method, id } };
  }
}

/** Validates one line from a device. Never throws; every defect is a fault naming what is wrong. */
export function parseDeviceLine(line: string): ParsedLine {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return fault(null, 'malformed', 'not JSON');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return fault(null, 'malformed', 'expected a JSON object');
  const record = message as Record<string, unknown>;
  const id = isU32(record.id) ? record.id : null;
  for (const key of Object.keys(record)) {
    if (key !== 'id' && key !== 'method' && key !== 'params') return fault(id, 'malformed', `unknown member ${quote(key)}`);
  }
  if (id === null) return fault(null, 'malformed', `"id" expected u32, got ${quote(record.id)}`);
  if (typeof record.method !== 'string') return fault(id, 'malformed', `"method" expected a string, got ${quote(record.method)}`);
  const method = DEVICE_METHODS[DEVICE_METHODS.indexOf(record.method as DeviceMethod)];
  if (method === undefined) return fault(id, 'unknown-method', `unknown method ${quote(record.method)}`);
  if (!Array.isArray(record.params)) return fault(id, 'malformed', `"params" expected an array, got ${quote(record.params)}`);
  return decodeParams(id, method, record.params);
}

/** JSON text made of ASCII only, so a line's length in characters is its length in bytes. */
function asciiLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '\n';
}

/** The answer to a request: `{"id":N,"result":...,"error":null}` and its newline. */
export function encodeResult(id: number, result: unknown): string {
  return asciiLine({ id: u32('id', id), result, error: null });
}

/** A failed answer: `{"id":N,"result":null,"error":[code,"message",null]}`; `id` null when unreadable. */
export function encodeError(id: number | null, error: WireError, message: string): string {
  const code = WIRE_ERROR_CODES[error];
  if (typeof code !== 'number') throw new RangeError(`"error" expected a wire error name, got ${quote(error)}`);
  return asciiLine({ id: id === null ? null : u32('id', id), result: null, error: [code, message, null] });
}

/** Result of `mm.hello`. */
export function helloResult(challenge: Uint8Array): { challenge: string } {
  if (challenge.length !== CHALLENGE_SIZE) throw new RangeError(`"challenge" expected ${CHALLENGE_SIZE} bytes, got ${challenge.length}`);
  return { challenge: hexOf(challenge) };
}

/**
 * Result of `mm.auth`: the last counter the node holds durably for the device, and the unit its
 * previous connection left open (to resume or submit), or null.
 */
export function authResult(counter: number, unit: number | null): { counter: number; unit: number | null } {
  return { counter: u32('counter', counter), unit: unit === null ? null : u32('unit', unit) };
}

/** Result of `mm.pull`: the entry's bytes, or null past the last entry. */
export function pullResult(entry: Uint8Array | null): { entry: string | null } {
  return { entry: entry === null ? null : hexOf(entry) };
}

/** Result of `mm.submit`, sent only once the result is durable. `credited`: decimal base units or null. */
export function submitResult(accepted: boolean, credited: bigint | null): { accepted: boolean; credited: string | null } {
  if (credited !== null && (credited < 0n || credited >= 1n << 64n)) throw new RangeError(`"credited" expected u64, got ${credited}`);
  return { accepted, credited: credited === null ? null : credited.toString() };
}

/*
 * The lines the node sends for every result (the pull answers, the ack, the next notify) are
 * written from templates: their shapes are fixed and every value in them is a number, a
 * keyword or lowercase hex, so the text is exactly what JSON.stringify gives (the tests hold
 * them to the generic encoders above) without building an object, a JSON string and an ASCII
 * pass per line.
 */

/** The answer to `mm.pull`: {@link encodeResult} of {@link pullResult}, from a template. */
export function encodePullAnswer(id: number, entry: Uint8Array | null): string {
  const entryJson = entry === null ? 'null' : `"${hexOf(entry)}"`;
  return `{"id":${u32('id', id)},"result":{"entry":${entryJson}},"error":null}\n`;
}

/** The answer to `mm.submit` (the ack): {@link encodeResult} of {@link submitResult}, from a template. */
export function encodeSubmitAnswer(id: number, accepted: boolean, credited: bigint | null): string {
  const { credited: amount } = submitResult(accepted, credited);
  return `{"id":${u32('id', id)},"result":{"accepted":${accepted},"credited":${amount === null ? 'null' : `"${amount}"`}},"error":null}\n`;
}

/** `mm.notify` for a unit header (its unit id and difficulty are read from the header). */
export function encodeNotify(header: Uint8Array): string {
  if (header.length !== HEADER_SIZE) throw new RangeError(`"header" expected ${HEADER_SIZE} bytes, got ${header.length}`);
  return `{"id":null,"method":"mm.notify","params":[${readU32(header, HEADER_UNIT_AT)},"${hexOf(header)}",${header[HEADER_DIFFICULTY_AT]}]}\n`;
}

/** `mm.difficulty`: the share difficulty the node will put in the device's next units. */
export function encodeDifficulty(difficulty: number): string {
  if (!(isU32(difficulty) && difficulty <= MAX_DIFFICULTY)) throw new RangeError(`"difficulty" expected 0-${MAX_DIFFICULTY}, got ${difficulty}`);
  return `{"id":null,"method":"mm.difficulty","params":[${difficulty}]}\n`;
}
