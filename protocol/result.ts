/**
 * The node's side of results: the reference computation of what a device must report (verdict
 * chain, accepted-ids root, written the straightforward recursive way to cross-check the
 * device's streaming frontier), and verification of a submitted result's share and MAC.
 * @module
 */
import { bytes, u32 } from '../firmware/core/assert.ts';
import { writeU16 } from '../firmware/core/bytes.ts';
import { DECODE_INVALID, type DecodeError } from '../firmware/core/errors.ts';
import {
  DEVICE_ID_SIZE, FIELD_RESULT_MAC, FIELD_RESULT_NONCE, MAX_DIFFICULTY, RESULT_MAC_AT, RESULT_NONCE_AT,
} from '../firmware/core/layout.ts';
import { decodeResult, resultDigest, resultMac, type UnitResult } from '../firmware/core/result.ts';
import { isShare } from '../firmware/core/share.ts';
import { describeDecodeError, fieldName } from './messages.ts';
import { nodeDigest, sha256 } from './digest.ts';
import { nodeHash } from './state.ts';

/** RFC 6962 Merkle tree hash of transaction ids (leaf SHA-256(0x00 || id)); SHA-256("") when empty. */
export function acceptedRoot(ids: readonly Uint8Array[]): Uint8Array {
  if (ids.length === 0) return sha256(new Uint8Array(0));
  if (ids.length === 1) return sha256(Uint8Array.of(0, ...ids[0]));
  let split = 1;
  while (split * 2 < ids.length) split *= 2;
  return nodeHash(acceptedRoot(ids.slice(0, split)), acceptedRoot(ids.slice(split)));
}

/** The verdict chain: start at the header hash, then SHA-256(chain || u16 index || u8 code) per entry. */
export function verdictChain(headerHashBytes: Uint8Array, codes: ArrayLike<number>): Uint8Array {
  let chain = bytes('headerHash', headerHashBytes, 32);
  const input = new Uint8Array(35);
  for (let index = 0; index < codes.length; index++) {
    input.set(chain);
    writeU16(input, 32, index);
    input[34] = codes[index]!;
    chain = sha256(input);
  }
  return chain;
}

/** Why the node rejects a submitted result. */
export type ResultRejection = 'malformed' | 'low-difficulty' | 'bad-mac';

/** What the node knows when a result arrives. */
export interface ResultContext {
  headerHash: Uint8Array;
  /** 8 bytes */
  deviceId: Uint8Array;
  /** the device's 32-byte key */
  deviceKey: Uint8Array;
  /** the difficulty the device was asked for */
  difficulty: number;
}

/** A verified result, or why it was rejected, where, and in words. */
export type VerifiedResult =
  | { ok: true; value: UnitResult }
  | { ok: false; rejection: ResultRejection; error: DecodeError; message: string };

/** Checks a result's size, fields, share and MAC; returns its decoded fields or the rejection. */
export function verifyResult(result: Uint8Array, context: ResultContext): VerifiedResult {
  bytes('result', result, -1);
  bytes('headerHash', context.headerHash, 32);
  bytes('deviceId', context.deviceId, DEVICE_ID_SIZE);
  bytes('deviceKey', context.deviceKey, 32);
  if (u32('difficulty', context.difficulty) > MAX_DIFFICULTY) throw new RangeError(`"difficulty" expected at most ${MAX_DIFFICULTY}, got ${context.difficulty}`);
  const decoded = decodeResult(result);
  if (!decoded.ok) return { ok: false, rejection: 'malformed', error: decoded.error, message: describeDecodeError(decoded.error, result) };
  const digest = resultDigest(nodeDigest, context.headerHash, context.deviceId, result);
  if (!isShare(nodeDigest, digest, decoded.value.nonce, context.difficulty)) {
    return reject('low-difficulty', FIELD_RESULT_NONCE, RESULT_NONCE_AT, `not a share of ${context.difficulty} bits`);
  }
  const mac = resultMac(nodeDigest, context.deviceKey, digest, decoded.value.nonce);
  if (!timingSafeEqual(mac, decoded.value.mac)) return reject('bad-mac', FIELD_RESULT_MAC, RESULT_MAC_AT, 'does not match the device key');
  return decoded;
}

function reject(rejection: ResultRejection, field: number, offset: number, problem: string): VerifiedResult {
  return { ok: false, rejection, error: { code: DECODE_INVALID, field, offset }, message: `"${fieldName(field)}" at offset ${offset}: ${problem}` };
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}
