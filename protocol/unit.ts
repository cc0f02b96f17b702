/**
 * Reference encoder for work units: the header and the entries. Decoding is the core's own
 * decodeHeader and decodeEntry.
 * @module
 */
import { bytes, u16, u32, u8 } from '../firmware/core/assert.ts';
import { writeU16, writeU32 } from '../firmware/core/bytes.ts';
import { decodeProof } from '../firmware/core/proof.ts';
import {
  CHECK_FORMAT, CHECK_PROOF, CHECK_RULES, CHECK_SIGNATURE, FORMAT_VERSION, HEADER_CHAIN_AT, HEADER_CHECKS_AT,
  HEADER_COUNT_AT, HEADER_DEADLINE_AT, HEADER_DIFFICULTY_AT, HEADER_HEIGHT_AT, HEADER_MIN_FEE_AT, HEADER_PREVIOUS_AT,
  HEADER_SIZE, HEADER_STATE_ROOT_AT, HEADER_UNIT_AT, HEADER_VERSION_AT, MAX_DIFFICULTY, TX_SIZE,
} from '../firmware/core/layout.ts';
import { sha256 } from './digest.ts';
import { knownKeys, u64, writeU64 } from './fields.ts';
import { describeDecodeError } from './messages.ts';

/** A check a unit can ask for; `format` (format and ids) is always included. */
export type Check = 'format' | 'proof' | 'rules' | 'signature';

const CHECK_BITS: Record<Check, number> = { format: CHECK_FORMAT, proof: CHECK_PROOF, rules: CHECK_RULES, signature: CHECK_SIGNATURE };

/** What a hash-tier device can do, and what a sig-tier device can do. */
export const HASH_TIER_CHECKS: readonly Check[] = ['format', 'proof', 'rules'];
export const SIG_TIER_CHECKS: readonly Check[] = ['format', 'proof', 'rules', 'signature'];

/** The `checks` byte for a list of check names; unknown names are rejected by name. */
export function checksMask(checks: readonly Check[]): number {
  if (!Array.isArray(checks)) throw new TypeError(`"checks" expected an array of check names, got ${typeof checks}`);
  let mask = CHECK_FORMAT;
  for (const check of checks as readonly string[]) {
    if (!Object.hasOwn(CHECK_BITS, check)) throw new RangeError(`"checks" has unknown check "${check}" (known: ${Object.keys(CHECK_BITS).join(', ')})`);
    mask |= CHECK_BITS[check as Check];
  }
  if ((mask & CHECK_RULES) && !(mask & CHECK_PROOF)) throw new RangeError('"checks" lists "rules" without "proof": the rules read the proven leaf');
  return mask;
}

/** The check names of a `checks` byte. */
export function checkNames(mask: number): Check[] {
  return (Object.keys(CHECK_BITS) as Check[]).filter((name) => (mask & CHECK_BITS[name]) !== 0);
}

/** The fields of a work unit header. */
export interface HeaderFields {
  unitId: number;
  chainId: number;
  height: number;
  previousHash: Uint8Array;
  stateRoot: Uint8Array;
  checks: readonly Check[];
  /** leading zero bits a share needs, at most MAX_DIFFICULTY */
  difficulty: number;
  minFee: bigint;
  /** milliseconds the device has from receipt */
  deadline: number;
  entryCount: number;
}

const HEADER_KEYS = ['unitId', 'chainId', 'height', 'previousHash', 'stateRoot', 'checks', 'difficulty', 'minFee', 'deadline', 'entryCount'] as const;

/** Encodes a 93-byte header. */
export function encodeHeader(fields: HeaderFields): Uint8Array {
  knownKeys('header', fields, HEADER_KEYS);
  const header = new Uint8Array(HEADER_SIZE);
  header[HEADER_VERSION_AT] = FORMAT_VERSION;
  writeU32(header, HEADER_UNIT_AT, u32('unitId', fields.unitId));
  writeU32(header, HEADER_CHAIN_AT, u32('chainId', fields.chainId));
  writeU32(header, HEADER_HEIGHT_AT, u32('height', fields.height));
  header.set(bytes('previousHash', fields.previousHash, 32), HEADER_PREVIOUS_AT);
  header.set(bytes('stateRoot', fields.stateRoot, 32), HEADER_STATE_ROOT_AT);
  header[HEADER_CHECKS_AT] = checksMask(fields.checks);
  if (u8('difficulty', fields.difficulty) > MAX_DIFFICULTY) throw new RangeError(`"difficulty" expected at most ${MAX_DIFFICULTY}, got ${fields.difficulty}`);
  header[HEADER_DIFFICULTY_AT] = fields.difficulty;
  writeU64(header, HEADER_MIN_FEE_AT, u64('minFee', fields.minFee));
  if (u32('deadline', fields.deadline) === 0) throw new RangeError('"deadline" expected u32 above 0, got 0');
  writeU32(header, HEADER_DEADLINE_AT, fields.deadline);
  if (u16('entryCount', fields.entryCount) === 0) throw new RangeError('"entryCount" expected u16 above 0, got 0');
  writeU16(header, HEADER_COUNT_AT, fields.entryCount);
  return header;
}

/** The header hash: SHA-256 of the header bytes. */
export function headerHash(header: Uint8Array): Uint8Array {
  return sha256(bytes('header', header, HEADER_SIZE));
}

/**
 * Joins a 153-byte transaction and its sender's state proof into an entry. The proof must be
 * well-formed (the transaction is not checked, so tests can build bad entries).
 */
export function encodeEntry(tx: Uint8Array, proof: Uint8Array): Uint8Array {
  bytes('tx', tx, TX_SIZE);
  bytes('proof', proof, -1);
  const decoded = decodeProof(proof);
  if (!decoded.ok) throw new RangeError(`"proof" is malformed: ${describeDecodeError(decoded.error, proof)}`);
  const entry = new Uint8Array(TX_SIZE + proof.length);
  entry.set(tx);
  entry.set(proof, TX_SIZE);
  return entry;
}
