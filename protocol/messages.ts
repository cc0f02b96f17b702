/**
 * Words for what devices report as numbers. An image carries decode errors and verdict faults as
 * a code, a field id and an offset (firmware/core/errors.ts), and a node line it refuses as a
 * LINE_* code (firmware/core/wire/protocol.ts), because every byte of text costs flash on an
 * appliance; the node, the simulator, the tools and the tests name them here, the one place
 * those words live. Field names come from the FIELD_* ids of firmware/core/layout.ts
 * (FIELD_HEADER_ENTRY_COUNT is `header.entryCount`), so there is no second list to drift.
 * @module
 */
import { readU16, readU32 } from '../firmware/core/bytes.ts';
import {
  DECODE_INVALID, DECODE_OVERSIZED, DECODE_TIER, DECODE_TRUNCATED, DECODE_UNSUPPORTED, type DecodeError, type DecodeErrorCode,
} from '../firmware/core/errors.ts';
import type { UnitHeader } from '../firmware/core/header.ts';
import * as layout from '../firmware/core/layout.ts';
import { reasonOf } from '../firmware/core/reasons.ts';
import type { Verdict } from '../firmware/core/validator.ts';
import * as wire from '../firmware/core/wire/protocol.ts';

/** `FIELD_PROOF_SIBLINGS` → `proof.siblings`: the structure, a dot, then the field in camel case. */
function nameOf(constant: string): string {
  const words = constant.slice('FIELD_'.length).toLowerCase().split('_');
  const field = words.slice(1).map((word, i) => (i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1))).join('');
  return field === '' ? words[0]! : `${words[0]}.${field}`;
}

const FIELD_NAMES = new Map<number, string>(
  Object.entries(layout).filter(([name]) => name.startsWith('FIELD_')).map(([name, id]) => [id as number, nameOf(name)]),
);

/** The name of a field id, e.g. `tx.nonce`; an id no version defines reads `field <id>`. */
export function fieldName(field: number): string {
  return FIELD_NAMES.get(field) ?? `field ${field}`;
}

/** The id of a field name (the inverse of {@link fieldName}); throws RangeError for an unknown name. */
export function fieldId(name: string): number {
  for (const [id, known] of FIELD_NAMES) if (known === name) return id;
  throw new RangeError(`"name" expected a field name (${[...FIELD_NAMES.values()].join(', ')}), got ${name}`);
}

/** The name of each DECODE_* code of firmware/core/errors.ts. */
const DECODE_ERROR_NAMES = new Map<number, string>([
  [DECODE_TRUNCATED, 'truncated'], [DECODE_OVERSIZED, 'oversized'], [DECODE_UNSUPPORTED, 'unsupported'], [DECODE_INVALID, 'invalid'],
  [DECODE_TIER, 'tier'],
]);

/** The name of a decode error code, e.g. `truncated`; a code no version defines reads `code <n>`. */
export function decodeErrorName(code: number): string {
  return DECODE_ERROR_NAMES.get(code) ?? `code ${code}`;
}

/** The code of a decode error name (the inverse of {@link decodeErrorName}); throws RangeError for an unknown name. */
export function decodeErrorCode(name: string): DecodeErrorCode {
  for (const [code, known] of DECODE_ERROR_NAMES) if (known === name) return code as DecodeErrorCode;
  throw new RangeError(`"name" expected a decode error name (${[...DECODE_ERROR_NAMES.values()].join(', ')}), got ${name}`);
}

/** Fixed sizes of the structures a size error can name. */
const SIZES = new Map<number, number>([
  [layout.FIELD_TX, layout.TX_SIZE], [layout.FIELD_HEADER, layout.HEADER_SIZE],
  [layout.FIELD_RESULT, layout.RESULT_SIZE], [layout.FIELD_LEAF, layout.LEAF_SIZE],
]);

/** Width in bytes of the integer fields whose value an error can quote. */
const WIDTHS = new Map<number, number>([
  [layout.FIELD_TX_VERSION, 1], [layout.FIELD_TX_CHAIN_ID, 4], [layout.FIELD_TX_NONCE, 4], [layout.FIELD_PROOF_INDEX, 4],
  [layout.FIELD_PROOF_DEPTH, 1], [layout.FIELD_HEADER_VERSION, 1], [layout.FIELD_HEADER_CHECKS, 1],
  [layout.FIELD_HEADER_DIFFICULTY, 1], [layout.FIELD_HEADER_DEADLINE, 4], [layout.FIELD_HEADER_ENTRY_COUNT, 2],
  [layout.FIELD_RESULT_ENTRY_COUNT, 2], [layout.FIELD_RESULT_ACCEPTED_COUNT, 2],
]);

/** What the decoders reject, by field and code, when no bytes are at hand to say more. */
const PROBLEMS: { [field: number]: string } = {
  [layout.FIELD_TX_VERSION]: `expected ${layout.FORMAT_VERSION}`,
  [layout.FIELD_TX_AMOUNT]: 'must not be zero',
  [layout.FIELD_TX_RECIPIENT]: 'equals the sender',
  [layout.FIELD_PROOF_DEPTH]: `expected at most ${layout.MAX_PROOF_DEPTH}`,
  [layout.FIELD_PROOF_INDEX]: 'expected below 2^depth',
  [layout.FIELD_PROOF_SIBLINGS]: 'shorter than the proof\'s depth needs',
  [layout.FIELD_HEADER_VERSION]: `expected ${layout.FORMAT_VERSION}`,
  [layout.FIELD_HEADER_DIFFICULTY]: `expected at most ${layout.MAX_DIFFICULTY}`,
  [layout.FIELD_HEADER_DEADLINE]: 'must not be zero',
  [layout.FIELD_HEADER_ENTRY_COUNT]: 'must not be zero',
  [layout.FIELD_RESULT_ENTRY_COUNT]: 'must not be zero',
  [layout.FIELD_RESULT_ACCEPTED_COUNT]: 'expected at most the entry count',
};

/** The integer of `field` at `offset` in `data`, or undefined when it is not all there. */
function valueAt(data: Uint8Array | undefined, field: number, offset: number): number | undefined {
  const width = WIDTHS.get(field);
  if (data === undefined || width === undefined || offset + width > data.length) return undefined;
  return width === 1 ? data[offset] : width === 2 ? readU16(data, offset) : readU32(data, offset);
}

function checksProblem(code: DecodeError['code'], checks: number | undefined): string {
  if (code === DECODE_UNSUPPORTED) return 'unknown check bits';
  if (code === DECODE_TIER) return 'the unit asks for signature checks, which a hash-tier device cannot do';
  if (checks === undefined) return 'the format bit (1) is mandatory, and the rules bit (4) needs the proof bit (2)';
  return (checks & layout.CHECK_FORMAT) === 0 ? 'the format bit (1) is mandatory' : 'the rules bit (4) needs the proof bit (2)';
}

/** What is wrong, without the field and offset; `data` (the decoded bytes) adds the values found. */
function problemOf(error: DecodeError, data?: Uint8Array): string {
  const { code, field, offset } = error;
  const got = data === undefined ? '' : `, got ${data.length}`;
  if (code === DECODE_TRUNCATED || code === DECODE_OVERSIZED) {
    const size = SIZES.get(field);
    if (size !== undefined) return `expected ${size} bytes${got}`;
    if (field === layout.FIELD_ENTRY) {
      return code === DECODE_TRUNCATED ? `expected at least ${layout.ENTRY_MIN_SIZE} bytes${got}` : `expected at most ${layout.ENTRY_MAX_SIZE} bytes${got}`;
    }
    if (field === layout.FIELD_PROOF) return code === DECODE_TRUNCATED ? `expected at least ${layout.PROOF_SIBLINGS_AT} bytes` : 'longer than its depth needs';
  }
  const value = valueAt(data, field, offset);
  if (field === layout.FIELD_HEADER_CHECKS) return checksProblem(code, value) + (value === undefined ? '' : `, got ${value}`);
  if (field === layout.FIELD_PROOF_INDEX && value !== undefined && data !== undefined && offset + 4 < data.length) {
    return `expected below 2^${data[offset + layout.PROOF_DEPTH_AT - layout.PROOF_INDEX_AT]}, got ${value}`;
  }
  if (field === layout.FIELD_RESULT_ACCEPTED_COUNT && value !== undefined && data !== undefined) {
    return `expected at most ${readU16(data, offset + layout.RESULT_ENTRIES_AT - layout.RESULT_ACCEPTED_AT)}, got ${value}`;
  }
  const problem = PROBLEMS[field] ?? decodeErrorName(code);
  return value === undefined || problem === 'must not be zero' ? problem : `${problem}, got ${value}`;
}

/**
 * A decode error in words, e.g. `"proof.depth" at offset 201: expected at most 24, got 30`.
 * Pass the decoded bytes as `data` to quote the values found.
 */
export function describeDecodeError(error: DecodeError, data?: Uint8Array): string {
  return `"${fieldName(error.field)}" at offset ${error.offset}: ${problemOf(error, data)}`;
}

/** What each rule a verdict can fail on means, by reason (`bad-proof` has two, by field). */
const RULES: { [reason: string]: string } = {
  'duplicate': 'not above the previous entry\'s sender',
  'wrong-chain': 'differs from the unit\'s chain',
  'bad-nonce': 'differs from the nonce of the proven account',
  'fee-too-low': 'below the unit\'s minimum fee',
  'insufficient-funds': 'amount + fee exceeds the balance',
  'bad-signature': 'does not verify under the sender\'s key',
};

/**
 * A verdict in words: '' for `accept`, else the field at fault, e.g.
 * `"tx.nonce" at offset 85: expected 3, got 5`. The entry (and for `wrong-chain` the unit's
 * header) let it quote the values that differ.
 */
export function describeVerdict(verdict: Verdict, entry?: Uint8Array, header?: UnitHeader): string {
  const fault = verdict.fault;
  if (fault === null) return '';
  const reason = reasonOf(verdict.code) ?? `reason ${verdict.code}`;
  if (reason === 'malformed') return describeDecodeError(fault, entry);
  const at = `"${fieldName(fault.field)}" at offset ${fault.offset}: `;
  const whole = entry !== undefined && entry.length >= layout.ENTRY_MIN_SIZE;
  if (reason === 'bad-nonce' && whole) {
    return `${at}expected ${readU32(entry, layout.ENTRY_PROOF_AT + layout.LEAF_NONCE_AT)}, got ${readU32(entry, layout.TX_NONCE_AT)}`;
  }
  if (reason === 'wrong-chain' && whole && header !== undefined) {
    return `${at}expected ${header.chainId}, got ${readU32(entry, layout.TX_CHAIN_AT)}`;
  }
  if (reason === 'bad-proof') {
    return at + (fault.field === layout.FIELD_PROOF_LEAF ? 'the leaf is not the sender\'s account' : 'the proof does not lead to the state root');
  }
  return at + (RULES[reason] ?? reason);
}

/** What each LINE_* code of firmware/core/wire/protocol.ts means. */
const LINE_PROBLEMS: { [problem: number]: string } = {
  [wire.LINE_NOT_JSON]: 'not JSON',
  [wire.LINE_SHAPE]: 'expected {"id","result","error"} or {"id":null,"method","params"}',
  [wire.LINE_NOT_NOTIFICATION]: 'a node request must be a notification ("id": null)',
  [wire.LINE_UNKNOWN_NOTIFICATION]: 'unknown notification',
  [wire.LINE_PARAMS]: `notification params must be [difficulty 0-${layout.MAX_DIFFICULTY}] (mm.difficulty) or [unit id, header hex, difficulty] (mm.notify)`,
  [wire.LINE_NOTIFY_MISMATCH]: 'mm.notify unit id or difficulty differs from its header',
  [wire.LINE_UNSOLICITED]: 'an answer to a request that is not awaiting one',
  [wire.LINE_RESULT_AND_ERROR]: 'an answer carries "result" or "error", not both',
  [wire.LINE_ERROR_SHAPE]: '"error" must be [code, message, null]',
  [wire.LINE_RESULT_SHAPE]: 'the result does not have the shape of the awaited method\'s answer (docs/protocol-wire.md)',
  [wire.LINE_ENTRY_COUNT]: 'an entry where the unit\'s header count says there is none, or none where there is one',
  [wire.LINE_ENTRY_LENGTH]: `an entry of a length no entry has (${layout.ENTRY_MIN_SIZE}-${layout.ENTRY_MAX_SIZE} bytes)`,
  [wire.LINE_ENTRY_HEX]: 'an entry that is not lowercase hex',
};

/** Why the device refused a node line, from its LINE_* code, e.g. `not JSON`. */
export function describeInvalidLine(problem: number): string {
  return LINE_PROBLEMS[problem] ?? `line problem ${problem}`;
}
