/**
 * The device's result for a unit: counts, the accepted-ids root, the verdict chain, the share
 * nonce and the MAC. The result digest binds these to the unit (header hash) and the device
 * (device id); the MAC is HMAC-SHA256(device key, result digest || nonce LE).
 * @module
 */
import { asciiBytes, readU16, readU32, writeU32 } from './bytes.ts';
import { copy32, hmacSha256, type Digest } from './digest.ts';
import { DECODE_INVALID, checkSize, failure, type Decoded } from './errors.ts';
import {
  DEVICE_ID_SIZE, FIELD_RESULT, FIELD_RESULT_ACCEPTED_COUNT, FIELD_RESULT_ENTRY_COUNT, RESULT_ACCEPTED_AT,
  RESULT_ACCEPTED_ROOT_AT, RESULT_CHAIN_AT, RESULT_COUNTER_AT, RESULT_ENTRIES_AT, RESULT_MAC_AT, RESULT_NONCE_AT,
  RESULT_SIZE, RESULT_TAG, RESULT_UNIT_AT,
} from './layout.ts';

/** The fields of a decoded result; hashes are views into the input. */
export interface UnitResult {
  unitId: number;
  counter: number;
  entryCount: number;
  acceptedCount: number;
  acceptedRoot: Uint8Array;
  verdictChain: Uint8Array;
  nonce: number;
  mac: Uint8Array;
}

/** Decodes a result of exactly 112 bytes. */
export function decodeResult(data: Uint8Array): Decoded<UnitResult> {
  const sized = checkSize<UnitResult>(data, RESULT_SIZE, FIELD_RESULT);
  if (sized) return sized;
  const entryCount = readU16(data, RESULT_ENTRIES_AT);
  const acceptedCount = readU16(data, RESULT_ACCEPTED_AT);
  if (entryCount === 0) return failure(DECODE_INVALID, FIELD_RESULT_ENTRY_COUNT, RESULT_ENTRIES_AT);
  if (acceptedCount > entryCount) return failure(DECODE_INVALID, FIELD_RESULT_ACCEPTED_COUNT, RESULT_ACCEPTED_AT);
  return {
    ok: true,
    value: {
      unitId: readU32(data, RESULT_UNIT_AT),
      counter: readU32(data, RESULT_COUNTER_AT),
      entryCount: entryCount,
      acceptedCount: acceptedCount,
      acceptedRoot: data.subarray(RESULT_ACCEPTED_ROOT_AT, RESULT_ACCEPTED_ROOT_AT + 32),
      verdictChain: data.subarray(RESULT_CHAIN_AT, RESULT_CHAIN_AT + 32),
      nonce: readU32(data, RESULT_NONCE_AT),
      mac: data.subarray(RESULT_MAC_AT, RESULT_SIZE),
    },
  };
}

/**
 * SHA-256(tag || header hash || device id || result bytes before the nonce): what the share
 * and the MAC cover. `result` is at least RESULT_NONCE_AT bytes.
 */
export function resultDigest(digest: Digest, headerHash: Uint8Array, deviceId: Uint8Array, result: Uint8Array): Uint8Array {
  const tag = asciiBytes(RESULT_TAG);
  const input = new Uint8Array(tag.length + 32 + DEVICE_ID_SIZE + RESULT_NONCE_AT);
  input.set(tag);
  input.set(headerHash, tag.length);
  input.set(deviceId, tag.length + 32);
  input.set(result.subarray(0, RESULT_NONCE_AT), tag.length + 32 + DEVICE_ID_SIZE);
  return copy32(digest.sha256(input));
}

/** HMAC-SHA256(device key, result digest || nonce LE). */
export function resultMac(digest: Digest, deviceKey: Uint8Array, digestOfResult: Uint8Array, nonce: number): Uint8Array {
  const message = new Uint8Array(36);
  message.set(digestOfResult);
  writeU32(message, 32, nonce);
  return hmacSha256(digest, deviceKey, message);
}

/** Writes the share nonce and the MAC into `result` (112 bytes) and returns it. */
export function sealResult(digest: Digest, result: Uint8Array, digestOfResult: Uint8Array, nonce: number, deviceKey: Uint8Array): Uint8Array {
  writeU32(result, RESULT_NONCE_AT, nonce);
  result.set(resultMac(digest, deviceKey, digestOfResult, nonce), RESULT_MAC_AT);
  return result;
}
