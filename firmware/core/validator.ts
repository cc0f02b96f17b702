/**
 * The streaming validation loop. One validator per work unit, opened from its header; each
 * entry is judged and folded in as it arrives. Between entries the validator keeps only fixed
 * state (counters, the last sender key, the verdict chain, the accepted-ids frontier), so its
 * memory does not grow with the unit.
 *
 * An entry is judged in steps (`beginEntry`, then `stepEntry` until the verdict), each of bounded cost, so
 * that a device can yield between them: one step decodes the entry and runs the cheap checks,
 * proof steps climb at most `levels` levels of the state proof, signature steps run at most
 * `verifierSteps` steps of the verifier, and fold steps chain the verdict and merge an accepted
 * id into the frontier, at most `levels` merges a step; after the last entry they also fold the
 * frontier into the accepted root, so that `finishUnit` is cheap. `checkEntry` runs them all at once.
 * @module
 */
import { bytes, misuse, u32 } from './assert.ts';
import { compareBytes, readU32, writeU16, writeU32 } from './bytes.ts';
import { copy32, type Digest, type SignatureVerifier, type VerifySignature } from './digest.ts';
import { entryError } from './entry.ts';
import { DECODE_INVALID, DECODE_TIER, decodeError, failure, type DecodeError, type Decoded } from './errors.ts';
import { decodeHeader, type UnitHeader } from './header.ts';
import {
  CHECK_PROOF, CHECK_RULES, CHECK_SIGNATURE, DEVICE_ID_SIZE, ENTRY_PROOF_AT, FIELD_HEADER_CHECKS, FIELD_PROOF_LEAF,
  FIELD_PROOF_SIBLINGS, FIELD_TX_AMOUNT, FIELD_TX_CHAIN_ID, FIELD_TX_FEE, FIELD_TX_NONCE, FIELD_TX_SENDER,
  FIELD_TX_SIGNATURE, FRONTIER_LEVELS, HEADER_CHECKS_AT, LEAF_BALANCE_AT, LEAF_KEY_AT, LEAF_NONCE_AT, LEAF_SIZE,
  MAX_PROOF_DEPTH, PROOF_DEPTH_AT, PROOF_INDEX_AT, PROOF_LEAF_AT, PROOF_SIBLINGS_AT, RESULT_ACCEPTED_AT,
  RESULT_ACCEPTED_ROOT_AT, RESULT_CHAIN_AT, RESULT_COUNTER_AT, RESULT_ENTRIES_AT, RESULT_SIZE, RESULT_UNIT_AT,
  TX_AMOUNT_AT, TX_BODY_SIZE, TX_CHAIN_AT, TX_FEE_AT, TX_NONCE_AT, TX_SENDER_AT, TX_SIGNATURE_AT, TX_SIZE,
} from './layout.ts';
import { frontierMerge, rootMerge, rootStart } from './merkle.ts';
import { climbProof, prefixedHash } from './proof.ts';
import {
  REASON_ACCEPT, REASON_BAD_NONCE, REASON_BAD_PROOF, REASON_BAD_SIGNATURE, REASON_DUPLICATE, REASON_FEE_TOO_LOW,
  REASON_INSUFFICIENT_FUNDS, REASON_MALFORMED, REASON_WRONG_CHAIN,
} from './reasons.ts';
import { resultDigest } from './result.ts';
import { SIGNATURE_CHECKS } from './tier.ts';
import { addU64, compareU64 } from './u64.ts';

/** What a device brings to validation: its digest, and on sig-tier devices an Ed25519 verifier. */
export interface ValidatorOptions {
  digest: Digest;
  /**
   * A stepped verifier on sig-tier devices; a one-shot function where nothing needs slicing (the
   * node); null on hash-tier devices, which then refuse units that ask for signature checks.
   */
  verify: SignatureVerifier | VerifySignature | null;
}

/** How much work of variable size one {@link stepEntry} may do. */
export interface StepBounds {
  /** state proof levels or frontier merges, one SHA-256 of 65 bytes each */
  levels: number;
  /** steps of the stepped signature verifier */
  verifierSteps: number;
}

/** What the entry being judged waits for: the validator's next stage (null between entries). */
type Stage = (validator: UnitValidator, bounds: StepBounds) => Verdict | null;

/** The verdict on one entry. */
export interface Verdict {
  /** the reason's numeric code (a REASON_* of reasons.ts), as chained and sent; `reasonOf` names it */
  code: number;
  /**
   * null for `accept`; otherwise the field at fault and its offset in the entry: the decoder's
   * error for `malformed`, an `invalid` one naming the field a rule failed on for the others
   * (protocol/messages.ts words it, e.g. `"tx.nonce" at offset 85: expected 3, got 5`)
   */
  fault: DecodeError | null;
}

/** A finished unit's result before the share and the MAC are filled in. */
export interface PendingResult {
  /** RESULT_SIZE bytes; the nonce and MAC fields are zero until sealResult */
  bytes: Uint8Array;
  /** the result digest the share and MAC cover */
  digest: Uint8Array;
  difficulty: number;
}

/**
 * One unit being validated: plain state that the functions of this module advance (a class would
 * cost its `this.` in every image, and closures per validator would cost RAM). Create it with
 * {@link openUnit}; callers read `header`, `headerHash`, `index` and `accepted`, and leave the
 * rest, the stages' working state, to this module.
 */
export interface UnitValidator {
  /** the decoded header; its hashes view a private copy of the header bytes */
  readonly header: UnitHeader;
  readonly headerHash: Uint8Array;
  /** entries judged so far */
  index: number;
  /** entries accepted so far */
  accepted: number;
  readonly digest: Digest;
  readonly verify: SignatureVerifier | VerifySignature | null;
  /** whether lastSender holds a well-formed entry's sender yet */
  hasSender: boolean;
  readonly lastSender: Uint8Array;
  readonly chain: Uint8Array;
  readonly frontier: Uint8Array;
  readonly scratch: Uint8Array;
  readonly sum: Uint32Array;
  /**
   * the entry being judged (checked, then read at the layout's offsets), its stage and what the
   * stages pass on: a proof, frontier or root node and its level, the verdict; after the last
   * entry the node is the accepted root
   */
  entryBytes: Uint8Array | null;
  nextStage: Stage | null;
  readonly hashNode: Uint8Array;
  level: number;
  verdict: Verdict | null;
}

/** Where the sender's account leaf starts in an entry. */
const LEAF_AT = ENTRY_PROOF_AT + PROOF_LEAF_AT;

/** Scratch big enough for the largest one-shot input the loop hashes: 0x01 || left || right. */
const SCRATCH_SIZE = 65;

/**
 * Opens a work unit. Fails with the header's decode error, or with code `tier` when the unit
 * asks for signature checks and `options.verify` is null: a hash-tier device refuses the whole
 * unit before any entry rather than answer "unchecked".
 */
export function openUnit(header: Uint8Array, options: ValidatorOptions): Decoded<UnitValidator> {
  // A private copy: the caller may reuse its buffer, and the decoded hashes view these bytes.
  const own = new Uint8Array(header.length);
  own.set(header);
  const decoded = decodeHeader(own);
  if (!decoded.ok) return decoded;
  if ((decoded.value.checks & CHECK_SIGNATURE) !== 0 && (!SIGNATURE_CHECKS || options.verify === null)) {
    return failure(DECODE_TIER, FIELD_HEADER_CHECKS, HEADER_CHECKS_AT);
  }
  const headerHash = copy32(options.digest.sha256(own));
  return {
    ok: true,
    value: {
      header: decoded.value,
      headerHash: headerHash,
      index: 0,
      accepted: 0,
      digest: options.digest,
      verify: options.verify,
      hasSender: false,
      lastSender: new Uint8Array(32),
      // The chain starts at the header hash, binding every verdict to this unit.
      chain: copy32(headerHash),
      frontier: new Uint8Array(FRONTIER_LEVELS * 32),
      scratch: new Uint8Array(SCRATCH_SIZE),
      sum: new Uint32Array(2),
      entryBytes: null,
      nextStage: null,
      hashNode: new Uint8Array(32),
      level: 0,
      verdict: null,
    },
  };
}

/**
 * Judges the next entry at once: its verdict, folded into the chain (and its id into the
 * accepted root when accepted). Throws as {@link beginEntry} does.
 */
export function checkEntry(validator: UnitValidator, entry: Uint8Array): Verdict {
  beginEntry(validator, entry);
  const unbounded: StepBounds = { levels: MAX_PROOF_DEPTH, verifierSteps: Infinity };
  let verdict: Verdict | null = null;
  while (verdict === null) verdict = stepEntry(validator, unbounded);
  return verdict;
}

/**
 * Starts judging the next entry; {@link stepEntry} takes it to its verdict. Its bytes must not
 * change until then. Throws RangeError `"entry" extra` past the header's entry count (the caller
 * must stop pulling there), `"entry" busy` while another entry is being judged.
 */
export function beginEntry(validator: UnitValidator, entry: Uint8Array): void {
  if (validator.index >= validator.header.entryCount) misuse('entry', 'extra');
  if (validator.nextStage !== null) misuse('entry', 'busy');
  validator.entryBytes = bytes('entry', entry, -1);
  validator.nextStage = stages.unpack;
}

/**
 * Does the next stage of the entry begun, within `bounds`, and returns its verdict once it is
 * folded into the chain (and its id into the accepted root when accepted), else null. Throws
 * RangeError `"entry" idle` when no entry is begun.
 */
export function stepEntry(validator: UnitValidator, bounds: StepBounds): Verdict | null {
  const stage = validator.nextStage;
  return stage === null ? misuse('entry', 'idle') : stage(validator, bounds);
}

/**
 * Closes the unit after its last entry and builds the result for device `deviceId` (8 bytes)
 * under its result `counter`. Throws RangeError `"entry" missing` before every entry is judged.
 */
export function finishUnit(validator: UnitValidator, deviceId: Uint8Array, counter: number): PendingResult {
  bytes('deviceId', deviceId, DEVICE_ID_SIZE);
  u32('counter', counter);
  const header = validator.header;
  if (validator.index !== header.entryCount) misuse('entry', 'missing');
  const result = new Uint8Array(RESULT_SIZE);
  writeU32(result, RESULT_UNIT_AT, header.unitId);
  writeU32(result, RESULT_COUNTER_AT, counter);
  writeU16(result, RESULT_ENTRIES_AT, validator.index);
  writeU16(result, RESULT_ACCEPTED_AT, validator.accepted);
  result.set(validator.hashNode, RESULT_ACCEPTED_ROOT_AT);
  result.set(validator.chain, RESULT_CHAIN_AT);
  return { bytes: result, digest: resultDigest(validator.digest, validator.headerHash, deviceId, result), difficulty: header.difficulty };
}

// The stages. Each takes the validator and the step's bounds, and returns the verdict once it is
// folded in, else null with `nextStage` set to what comes next. They are methods of one object,
// not function declarations: XS gives every declared function a prototype object, about 9 slots
// each against 6 for a method, and the image keeps them all from load. The checks run cheapest first,
// except that the proof comes before the rules so that a rule is never judged on an unproven
// balance or nonce; the first that fails names the verdict.

const stages = {
  /** Checks the entry's format and runs the checks that need no hashing; starts the proof. */
  unpack(v: UnitValidator): Verdict | null {
    const entry = v.entryBytes as Uint8Array;
    const malformed = entryError(entry);
    if (malformed !== null) return stages.conclude(v, REASON_MALFORMED, malformed);
    const header = v.header;
    // Senders ascend strictly, so remembering the last one catches repeats in O(1) memory.
    if (v.hasSender && compareBytes(entry, TX_SENDER_AT, v.lastSender, 0, 32) <= 0) {
      return stages.conclude(v, REASON_DUPLICATE, decodeError(DECODE_INVALID, FIELD_TX_SENDER, TX_SENDER_AT));
    }
    v.hasSender = true;
    v.lastSender.set(entry.subarray(TX_SENDER_AT, TX_SENDER_AT + 32));
    if (readU32(entry, TX_CHAIN_AT) !== header.chainId) return stages.conclude(v, REASON_WRONG_CHAIN, decodeError(DECODE_INVALID, FIELD_TX_CHAIN_ID, TX_CHAIN_AT));
    if ((header.checks & CHECK_PROOF) === 0) return stages.applyRules(v);
    if (compareBytes(entry, LEAF_AT + LEAF_KEY_AT, entry, TX_SENDER_AT, 32) !== 0) return stages.conclude(v, REASON_BAD_PROOF, decodeError(DECODE_INVALID, FIELD_PROOF_LEAF, ENTRY_PROOF_AT));
    v.hashNode.set(prefixedHash(v.digest, v.scratch, 0, entry.subarray(LEAF_AT, LEAF_AT + LEAF_SIZE), null));
    v.level = 0;
    v.nextStage = stages.climb;
    return null;
  },

  /** Climbs at most `levels` levels of the proof; at the top, compares the root and runs the rules. */
  climb(v: UnitValidator, bounds: StepBounds): Verdict | null {
    const entry = v.entryBytes as Uint8Array;
    const depth = entry[ENTRY_PROOF_AT + PROOF_DEPTH_AT];
    const to = Math.min(v.level + bounds.levels, depth);
    climbProof(v.digest, entry.subarray(ENTRY_PROOF_AT + PROOF_SIBLINGS_AT), readU32(entry, ENTRY_PROOF_AT + PROOF_INDEX_AT), v.hashNode, v.level, to, v.scratch);
    v.level = to;
    if (to < depth) return null;
    if (compareBytes(v.hashNode, 0, v.header.stateRoot, 0, 32) !== 0) {
      return stages.conclude(v, REASON_BAD_PROOF, decodeError(DECODE_INVALID, FIELD_PROOF_SIBLINGS, ENTRY_PROOF_AT + PROOF_SIBLINGS_AT));
    }
    return stages.applyRules(v);
  },

  /** Nonce, fee and balance; then the signature is begun, or judged at once by a one-shot verifier. */
  applyRules(v: UnitValidator): Verdict | null {
    const entry = v.entryBytes as Uint8Array;
    const header = v.header;
    if ((header.checks & CHECK_RULES) !== 0) {
      if (readU32(entry, TX_NONCE_AT) !== readU32(entry, LEAF_AT + LEAF_NONCE_AT)) return stages.conclude(v, REASON_BAD_NONCE, decodeError(DECODE_INVALID, FIELD_TX_NONCE, TX_NONCE_AT));
      const feeLow = readU32(entry, TX_FEE_AT);
      const feeHigh = readU32(entry, TX_FEE_AT + 4);
      if (compareU64(feeLow, feeHigh, header.minFeeLow, header.minFeeHigh) < 0) return stages.conclude(v, REASON_FEE_TOO_LOW, decodeError(DECODE_INVALID, FIELD_TX_FEE, TX_FEE_AT));
      const carry = addU64(readU32(entry, TX_AMOUNT_AT), readU32(entry, TX_AMOUNT_AT + 4), feeLow, feeHigh, v.sum);
      if (carry !== 0 || compareU64(v.sum[0], v.sum[1], readU32(entry, LEAF_AT + LEAF_BALANCE_AT), readU32(entry, LEAF_AT + LEAF_BALANCE_AT + 4)) > 0) {
        return stages.conclude(v, REASON_INSUFFICIENT_FUNDS, decodeError(DECODE_INVALID, FIELD_TX_AMOUNT, TX_AMOUNT_AT));
      }
    }
    if (!SIGNATURE_CHECKS || (header.checks & CHECK_SIGNATURE) === 0 || v.verify === null) return stages.conclude(v, REASON_ACCEPT, null);
    const verify = v.verify;
    const signature = entry.subarray(TX_SIGNATURE_AT, TX_SIZE);
    const body = entry.subarray(0, TX_BODY_SIZE);
    const sender = entry.subarray(TX_SENDER_AT, TX_SENDER_AT + 32);
    if (typeof verify === 'function') return signed(v, verify(signature, body, sender));
    verify.begin(signature, body, sender);
    v.nextStage = verifySteps;
    return null;
  },

  /** Settles the verdict; the next steps fold it in. */
  conclude(v: UnitValidator, code: number, why: DecodeError | null): Verdict | null {
    v.verdict = { code: code, fault: why };
    v.nextStage = stages.fold;
    return null;
  },

  /** Folds the verdict in: an accepted id's leaf goes up the frontier (see merge), then the chain. */
  fold(v: UnitValidator, bounds: StepBounds): Verdict | null {
    if ((v.verdict as Verdict).code !== 0) return stages.chainVerdict(v, bounds);
    v.hashNode.set(prefixedHash(v.digest, v.scratch, 0, v.digest.sha256((v.entryBytes as Uint8Array).subarray(0, TX_BODY_SIZE)), null));
    v.level = 0;
    v.nextStage = stages.merge;
    return stages.merge(v, bounds);
  },

  /** At most `levels` merges of the accepted id's node with the frontier's waiting subtrees. */
  merge(v: UnitValidator, bounds: StepBounds): Verdict | null {
    v.level = frontierMerge(v.digest, v.frontier, v.accepted, v.hashNode, v.level, bounds.levels, v.scratch);
    if (v.level >= 0) return null;
    v.accepted++;
    return stages.chainVerdict(v, bounds);
  },

  /** Folds the verdict into the chain; after the last entry, starts the accepted root. */
  chainVerdict(v: UnitValidator, bounds: StepBounds): Verdict | null {
    const scratch = v.scratch;
    scratch.set(v.chain);
    writeU16(scratch, 32, v.index);
    scratch[34] = (v.verdict as Verdict).code;
    v.chain.set(v.digest.sha256(scratch.subarray(0, 35)));
    if (v.index + 1 < v.header.entryCount) return stages.release(v);
    v.level = rootStart(v.digest, v.frontier, v.accepted, v.hashNode);
    v.nextStage = stages.root;
    return stages.root(v, bounds);
  },

  /** At most `levels` merges of the frontier's subtrees into the accepted root. */
  root(v: UnitValidator, bounds: StepBounds): Verdict | null {
    v.level = rootMerge(v.digest, v.frontier, v.accepted, v.hashNode, v.level, bounds.levels, v.scratch);
    return v.level < 0 ? stages.release(v) : null;
  },

  /** The verdict's last step: counts the entry, lets go of it and returns the verdict. */
  release(v: UnitValidator): Verdict {
    const done = v.verdict as Verdict;
    v.index++;
    v.entryBytes = v.verdict = null;
    v.nextStage = null;
    return done;
  },
};

/**
 * At most `verifierSteps` steps of the signature's verification. This and `signed` stay out of
 * `stages` so that hash-tier images, where nothing refers to them, drop them.
 */
function verifySteps(v: UnitValidator, bounds: StepBounds): Verdict | null {
  const valid = (v.verify as SignatureVerifier).step(bounds.verifierSteps);
  return valid === null ? null : signed(v, valid);
}

function signed(v: UnitValidator, valid: boolean): Verdict | null {
  return stages.conclude(v, valid ? REASON_ACCEPT : REASON_BAD_SIGNATURE, valid ? null : decodeError(DECODE_INVALID, FIELD_TX_SIGNATURE, TX_SIGNATURE_AT));
}
