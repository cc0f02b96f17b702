/**
 * Work unit header decoding.
 * @module
 */
import { readU16, readU32 } from './bytes.ts';
import { checkSize, failure, type Decoded } from './errors.ts';
import {
  CHECK_FORMAT, CHECK_PROOF, CHECK_RULES, CHECKS_KNOWN, FORMAT_VERSION, HEADER_CHAIN_AT, HEADER_CHECKS_AT,
  HEADER_COUNT_AT, HEADER_DEADLINE_AT, HEADER_DIFFICULTY_AT, HEADER_HEIGHT_AT, HEADER_MIN_FEE_AT,
  HEADER_PREVIOUS_AT, HEADER_SIZE, HEADER_STATE_ROOT_AT, HEADER_UNIT_AT, HEADER_VERSION_AT, MAX_DIFFICULTY,
} from './layout.ts';

/** A decoded work unit header; hashes are views into the input. */
export interface UnitHeader {
  unitId: number;
  chainId: number;
  height: number;
  previousHash: Uint8Array;
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
  const sized = checkSize<UnitHeader>(data, HEADER_SIZE, 'header');
  if (sized) return sized;
  const version = data[HEADER_VERSION_AT];
  if (version !== FORMAT_VERSION) return failure('unsupported', 'header.version', HEADER_VERSION_AT, 'expected ' + FORMAT_VERSION + ', got ' + version);
  const checks = data[HEADER_CHECKS_AT];
  if ((checks & ~CHECKS_KNOWN) !== 0) return failure('unsupported', 'header.checks', HEADER_CHECKS_AT, 'unknown check bits in ' + checks);
  if ((checks & CHECK_FORMAT) === 0) return failure('invalid', 'header.checks', HEADER_CHECKS_AT, 'the format bit (1) is mandatory, got ' + checks);
  if ((checks & CHECK_RULES) !== 0 && (checks & CHECK_PROOF) === 0) {
    return failure('invalid', 'header.checks', HEADER_CHECKS_AT, 'the rules bit (4) needs the proof bit (2), got ' + checks);
  }
  const difficulty = data[HEADER_DIFFICULTY_AT];
  if (difficulty > MAX_DIFFICULTY) {
    return failure('invalid', 'header.difficulty', HEADER_DIFFICULTY_AT, 'expected at most ' + MAX_DIFFICULTY + ', got ' + difficulty);
  }
  const deadline = readU32(data, HEADER_DEADLINE_AT);
  if (deadline === 0) return failure('invalid', 'header.deadline', HEADER_DEADLINE_AT, 'must not be zero');
  const entryCount = readU16(data, HEADER_COUNT_AT);
  if (entryCount === 0) return failure('invalid', 'header.entryCount', HEADER_COUNT_AT, 'must not be zero');
  return {
    ok: true,
    value: {
      unitId: readU32(data, HEADER_UNIT_AT),
      chainId: readU32(data, HEADER_CHAIN_AT),
      height: readU32(data, HEADER_HEIGHT_AT),
      previousHash: data.subarray(HEADER_PREVIOUS_AT, HEADER_PREVIOUS_AT + 32),
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
