/**
 * The requests a device sends, one checked builder per method, for host code that plays a device
 * (the example device, the load generator, tests). Each checks its arguments and throws
 * TypeError/RangeError naming a bad one, then builds the line with the device's own `request`
 * (firmware/core/wire/client.ts). An image calls `request` directly: its values are ones it
 * checked or made itself, and the checks would cost it flash.
 * @module
 */
import { bytes, u32 } from '../firmware/core/assert.ts';
import { bytesToHex, isHex } from '../firmware/core/hex.ts';
import { DEVICE_ID_SIZE, RESULT_SIZE } from '../firmware/core/layout.ts';
import { reasonOf } from '../firmware/core/reasons.ts';
import { request, type WireClient } from '../firmware/core/wire/client.ts';
import {
  AUTH_PROOF_SIZE, MAX_FIRMWARE_LENGTH, MAX_PROFILE_LENGTH, METHOD_AUTH, METHOD_HELLO, METHOD_PING, METHOD_PULL, METHOD_REFUSE,
  METHOD_SUBMIT, PROTOCOL_VERSION, WIRE_ERROR_CODES, isPlainName,
  type Tier, type WireError,
} from '../firmware/core/wire/protocol.ts';

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

/** `mm.hello`: opens the session. */
export function helloRequest(client: WireClient, fields: HelloFields): string {
  if (!(typeof fields.deviceId === 'string' && fields.deviceId.length === 2 * DEVICE_ID_SIZE && isHex(fields.deviceId))) {
    throw new RangeError(`"deviceId" expected 16 lowercase hex characters, got ${fields.deviceId}`);
  }
  if (!isPlainName(fields.firmware, MAX_FIRMWARE_LENGTH)) throw new RangeError(`"firmware" expected 1-32 of [A-Za-z0-9-._+], got ${fields.firmware}`);
  if (!isPlainName(fields.profile, MAX_PROFILE_LENGTH)) throw new RangeError(`"profile" expected 1-32 of [A-Za-z0-9-._+], got ${fields.profile}`);
  if (fields.tier !== 'hash' && fields.tier !== 'sig') throw new RangeError(`"tier" expected hash or sig, got ${fields.tier}`);
  u32('counter', fields.counter);
  return request(client, METHOD_HELLO, [PROTOCOL_VERSION, fields.deviceId, fields.firmware, fields.profile, fields.tier, fields.counter]);
}

/** `mm.auth`: answers the challenge with the proof from `authProof`. */
export function authRequest(client: WireClient, proof: Uint8Array): string {
  return request(client, METHOD_AUTH, [bytesToHex(bytes('proof', proof, AUTH_PROOF_SIZE))]);
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
  if (previousVerdict !== null && reasonOf(previousVerdict) === undefined) throw new RangeError(`"previousVerdict" expected a reason code, got ${previousVerdict}`);
  return request(client, METHOD_PULL, [unitId, index, previousVerdict]);
}

/** `mm.submit`: sends the result of unit `unitId` (the 112-byte result with its MAC). */
export function submitRequest(client: WireClient, unitId: number, result: Uint8Array): string {
  u32('unitId', unitId);
  return request(client, METHOD_SUBMIT, [unitId, bytesToHex(bytes('result', result, RESULT_SIZE))]);
}

/** `mm.refuse`: declines a unit the device cannot work on (e.g. `tier-mismatch`, `malformed`). */
export function refuseRequest(client: WireClient, unitId: number, why: WireError): string {
  u32('unitId', unitId);
  if (!Object.hasOwn(WIRE_ERROR_CODES, why)) throw new RangeError(`"why" expected a wire error name, got ${why}`);
  return request(client, METHOD_REFUSE, [unitId, WIRE_ERROR_CODES[why]]);
}

/** `mm.ping`: keepalive. */
export function pingRequest(client: WireClient): string {
  return request(client, METHOD_PING, []);
}
