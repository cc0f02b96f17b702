/**
 * Work unit header decoding.
 * @module
 */
import { readU16, readU32 } from './bytes.ts';
import { DECODE_INVALID, DECODE_UNSUPPORTED, checkSize, failure, type Decoded } from './errors.ts';
import {
  CHECK_FORMAT, CHECK_PROOF, CHECK_RULES, CHECKS_KNOWN, FIELD_HEADER, FIELD_HEADER_CHECKS, FIELD_HEADER_DEADLINE,
  FIELD_HEADER_DIFFICULTY, FIELD_HEADER_ENTRY_COUNT, FIELD_HEADER_VERSION, FORMAT_VERSION, HEADER_CHAIN_AT,
  HEADER_CHECKS_AT, HEADER_COUNT_AT, HEADER_DEADLINE_AT, HEADER_DIFFICULTY_AT, HEADER_MIN_FEE_AT,
  HEADER_SIZE, HEADER_STATE_ROOT_AT, HEADER_UNIT_AT, HEADER_VERSION_AT, MAX_DIFFICULTY,
} from './layout.ts';

/**
 * A decoded work unit header: the fields a device reads (the block height and previous hash only
 * bind the unit to the chain through the header hash; host code reads them at HEADER_HEIGHT_AT
 * and HEADER_PREVIOUS_AT). Hashes are views into the input.
 */
export interface UnitHeader {
  unitId: number;
  chainId: number;
  stateRoot: Uint8Array;
  /** bitmask of CHECK_* */
  checks: number;
  /** leading zero bits a share needs */
  difficulty: number;
  minFeeLow: number;
  minFeeHigh: number;
  /** milliseconds from receipt: devices have no trusted wall clock */
  deadline: number;
  entryCount: number;
}

/** Decodes a header of exactly 93 bytes and checks that its fields are coherent. */
export function decodeHeader(data: Uint8Array): Decoded<UnitHeader> {
  const sized = checkSize<UnitHeader>(data, HEADER_SIZE, FIELD_HEADER);
  if (sized) return sized;
  if (data[HEADER_VERSION_AT] !== FORMAT_VERSION) return failure(DECODE_UNSUPPORTED, FIELD_HEADER_VERSION, HEADER_VERSION_AT);
  const checks = data[HEADER_CHECKS_AT];
  if ((checks & ~CHECKS_KNOWN) !== 0) return failure(DECODE_UNSUPPORTED, FIELD_HEADER_CHECKS, HEADER_CHECKS_AT);
  // The format bit is mandatory, and the rules read the proven leaf, so they need the proof bit.
  if ((checks & CHECK_FORMAT) === 0 || ((checks & CHECK_RULES) !== 0 && (checks & CHECK_PROOF) === 0)) {
    return failure(DECODE_INVALID, FIELD_HEADER_CHECKS, HEADER_CHECKS_AT);
  }
  const difficulty = data[HEADER_DIFFICULTY_AT];
  if (difficulty > MAX_DIFFICULTY) return failure(DECODE_INVALID, FIELD_HEADER_DIFFICULTY, HEADER_DIFFICULTY_AT);
  const deadline = readU32(data, HEADER_DEADLINE_AT);
  if (deadline === 0) return failure(DECODE_INVALID, FIELD_HEADER_DEADLINE, HEADER_DEADLINE_AT);
  const entryCount = readU16(data, HEADER_COUNT_AT);
  if (entryCount === 0) return failure(DECODE_INVALID, FIELD_HEADER_ENTRY_COUNT, HEADER_COUNT_AT);
  return {
    ok: true,
    value: {
      unitId: readU32(data, HEADER_UNIT_AT),
      chainId: readU32(data, HEADER_CHAIN_AT),
      stateRoot: data.subarray(HEADER_STATE_ROOT_AT, HEADER_STATE_ROOT_AT + 32),
      checks: checks,
      difficulty: difficulty,
      minFeeLow: readU32(data, HEADER_MIN_FEE_AT),
      minFeeHigh: readU32(data, HEADER_MIN_FEE_AT + 4),
      deadline: deadline,
      entryCount: entryCount,
    },
  };
}
