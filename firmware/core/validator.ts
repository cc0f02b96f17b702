/**
 * The streaming validation loop. One validator per work unit, opened from its header; each
 * entry is judged and folded in as it arrives. Between entries the validator keeps only fixed
 * state (counters, the last sender key, the verdict chain, the accepted-ids frontier), so its
 * memory does not grow with the unit.
 * @module
 */
import { bytes, u32 } from './assert.ts';
import { compareBytes, writeU16, writeU32 } from './bytes.ts';
import { copy32, type Digest, type VerifySignature } from './digest.ts';
import { decodeEntry } from './entry.ts';
import { failure, type DecodeError, type Decoded } from './errors.ts';
import { decodeHeader, type UnitHeader } from './header.ts';
import {
  CHECK_PROOF, CHECK_RULES, CHECK_SIGNATURE, DEVICE_ID_SIZE, ENTRY_PROOF_AT, FIELD_HEADER_CHECKS, FIELD_PROOF_LEAF,
  FIELD_PROOF_SIBLINGS, FIELD_TX_AMOUNT, FIELD_TX_CHAIN_ID, FIELD_TX_FEE, FIELD_TX_NONCE, FIELD_TX_SENDER,
  FIELD_TX_SIGNATURE, FRONTIER_LEVELS, HEADER_CHECKS_AT, PROOF_SIBLINGS_AT, RESULT_ACCEPTED_AT, RESULT_ACCEPTED_ROOT_AT, RESULT_CHAIN_AT, RESULT_COUNTER_AT,
  RESULT_ENTRIES_AT, RESULT_SIZE, RESULT_UNIT_AT, TX_AMOUNT_AT, TX_BODY_SIZE, TX_CHAIN_AT, TX_FEE_AT, TX_NONCE_AT,
  TX_SENDER_AT, TX_SIGNATURE_AT,
} from './layout.ts';
import { frontierAdd, frontierRoot } from './merkle.ts';
import { proofRoot } from './proof.ts';
import { reasonCode, type Reason } from './reasons.ts';
import { resultDigest } from './result.ts';
import { addU64, compareU64 } from './u64.ts';

/** What a device brings to validation: its digest, and on sig-tier devices an Ed25519 verifier. */
export interface ValidatorOptions {
  digest: Digest;
  /** null on hash-tier devices: units that ask for signature checks are then refused */
  verify: VerifySignature | null;
}

/** The verdict on one entry. */
export interface Verdict {
  reason: Reason;
  /** the reason's numeric code, as chained and sent */
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
  if ((decoded.value.checks & CHECK_SIGNATURE) !== 0 && options.verify === null) {
    return failure('tier', FIELD_HEADER_CHECKS, HEADER_CHECKS_AT);
  }
  return { ok: true, value: new UnitValidator(own, decoded.value, options) };
}

/** Validates the entries of one unit in order. Create it with openUnit. */
export class UnitValidator {
  /** the decoded header; its hashes view a private copy of the header bytes */
  readonly header: UnitHeader;
  readonly headerHash: Uint8Array;
  /** entries judged so far (read only) */
  index: number;
  /** entries accepted so far (read only) */
  accepted: number;
  private readonly digest: Digest;
  private readonly verify: VerifySignature | null;
  /** whether lastSender holds a well-formed entry's sender yet */
  private hasSender: boolean;
  private readonly lastSender: Uint8Array;
  private readonly chain: Uint8Array;
  private readonly frontier: Uint8Array;
  private readonly scratch: Uint8Array;
  private readonly sum: Uint32Array;

  /** Use openUnit, which copies, decodes and checks the header first. */
  constructor(headerBytes: Uint8Array, header: UnitHeader, options: ValidatorOptions) {
    this.header = header;
    this.digest = options.digest;
    this.verify = options.verify;
    this.headerHash = copy32(options.digest.sha256(headerBytes));
    this.index = 0;
    this.accepted = 0;
    this.hasSender = false;
    this.lastSender = new Uint8Array(32);
    // The chain starts at the header hash, binding every verdict to this unit.
    this.chain = copy32(this.headerHash);
    this.frontier = new Uint8Array(FRONTIER_LEVELS * 32);
    this.scratch = new Uint8Array(SCRATCH_SIZE);
    this.sum = new Uint32Array(2);
  }

  /**
   * Judges the next entry, folds its verdict into the chain (and its id into the accepted root
   * when accepted) and returns the verdict. Throws RangeError when called past the header's
   * entry count: the caller must stop pulling there.
   */
  check(entry: Uint8Array): Verdict {
    if (this.index >= this.header.entryCount) {
      throw new RangeError('"entry" expected at most ' + this.header.entryCount + ' entries, got one more');
    }
    bytes('entry', entry, -1);
    const verdict = this.judge(entry);
    if (verdict.code === 0) {
      frontierAdd(this.digest, this.frontier, this.accepted, this.digest.sha256(entry.subarray(0, TX_BODY_SIZE)), this.scratch);
      this.accepted++;
    }
    const scratch = this.scratch;
    scratch.set(this.chain);
    writeU16(scratch, 32, this.index);
    scratch[34] = verdict.code;
    this.chain.set(this.digest.sha256(scratch.subarray(0, 35)));
    this.index++;
    return verdict;
  }

  /**
   * Closes the unit after its last entry and builds the result for device `deviceId` (8 bytes)
   * under its result `counter`. Throws RangeError if entries are missing.
   */
  finish(deviceId: Uint8Array, counter: number): PendingResult {
    bytes('deviceId', deviceId, DEVICE_ID_SIZE);
    u32('counter', counter);
    if (this.index !== this.header.entryCount) {
      throw new RangeError('"entry" expected ' + this.header.entryCount + ' entries, got ' + this.index);
    }
    const result = new Uint8Array(RESULT_SIZE);
    writeU32(result, RESULT_UNIT_AT, this.header.unitId);
    writeU32(result, RESULT_COUNTER_AT, counter);
    writeU16(result, RESULT_ENTRIES_AT, this.index);
    writeU16(result, RESULT_ACCEPTED_AT, this.accepted);
    result.set(frontierRoot(this.digest, this.frontier, this.accepted, this.scratch), RESULT_ACCEPTED_ROOT_AT);
    result.set(this.chain, RESULT_CHAIN_AT);
    return { bytes: result, digest: resultDigest(this.digest, this.headerHash, deviceId, result), difficulty: this.header.difficulty };
  }

  /** The rules, cheapest first; the first that fails names the verdict. */
  private judge(entry: Uint8Array): Verdict {
    const decoded = decodeEntry(entry);
    if (!decoded.ok) return verdict('malformed', decoded.error);
    const tx = decoded.value.tx;
    const proof = decoded.value.proof;
    const header = this.header;
    // Senders ascend strictly, so remembering the last one catches repeats in O(1) memory.
    if (this.hasSender && compareBytes(tx.sender, 0, this.lastSender, 0, 32) <= 0) {
      return verdict('duplicate', fault(FIELD_TX_SENDER, TX_SENDER_AT));
    }
    this.hasSender = true;
    this.lastSender.set(tx.sender);
    if (tx.chainId !== header.chainId) {
      return verdict('wrong-chain', fault(FIELD_TX_CHAIN_ID, TX_CHAIN_AT));
    }
    if ((header.checks & CHECK_PROOF) !== 0) {
      if (compareBytes(proof.publicKey, 0, tx.sender, 0, 32) !== 0) {
        return verdict('bad-proof', fault(FIELD_PROOF_LEAF, ENTRY_PROOF_AT));
      }
      if (compareBytes(proofRoot(this.digest, proof, this.scratch), 0, header.stateRoot, 0, 32) !== 0) {
        return verdict('bad-proof', fault(FIELD_PROOF_SIBLINGS, ENTRY_PROOF_AT + PROOF_SIBLINGS_AT));
      }
    }
    if ((header.checks & CHECK_RULES) !== 0) {
      if (tx.nonce !== proof.nonce) return verdict('bad-nonce', fault(FIELD_TX_NONCE, TX_NONCE_AT));
      if (compareU64(tx.feeLow, tx.feeHigh, header.minFeeLow, header.minFeeHigh) < 0) {
        return verdict('fee-too-low', fault(FIELD_TX_FEE, TX_FEE_AT));
      }
      const carry = addU64(tx.amountLow, tx.amountHigh, tx.feeLow, tx.feeHigh, this.sum);
      if (carry !== 0 || compareU64(this.sum[0], this.sum[1], proof.balanceLow, proof.balanceHigh) > 0) {
        return verdict('insufficient-funds', fault(FIELD_TX_AMOUNT, TX_AMOUNT_AT));
      }
    }
    if ((header.checks & CHECK_SIGNATURE) !== 0 && this.verify !== null && !this.verify(tx.signature, tx.body, tx.sender)) {
      return verdict('bad-signature', fault(FIELD_TX_SIGNATURE, TX_SIGNATURE_AT));
    }
    return verdict('accept', null);
  }
}

function verdict(reason: Reason, fault: DecodeError | null): Verdict {
  return { reason: reason, code: reasonCode(reason), fault: fault };
}

/** The field a rule failed on, at `offset` in the entry. */
function fault(field: number, offset: number): DecodeError {
  return { code: 'invalid', field: field, offset: offset };
}
