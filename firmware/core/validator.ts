/**
 * The streaming validation loop. One validator per work unit, opened from its header; each
 * entry is judged and folded in as it arrives. Between entries the validator keeps only fixed
 * state (counters, the last sender key, the verdict chain, the accepted-ids frontier), so its
 * memory does not grow with the unit.
 *
 * An entry is judged in steps (`begin`, then `step` until the verdict), each of bounded cost, so
 * that a device can yield between them: one step decodes the entry and runs the cheap checks,
 * proof steps climb at most `levels` levels of the state proof, signature steps run at most
 * `verifierSteps` steps of the verifier, and fold steps chain the verdict and merge an accepted
 * id into the frontier, at most `levels` merges a step; after the last entry they also fold the
 * frontier into the accepted root, so that `finish` is cheap. `check` runs them all at once.
 * @module
 */
import { bytes, misuse, u32 } from './assert.ts';
import { compareBytes, writeU16, writeU32 } from './bytes.ts';
import { copy32, type Digest, type SignatureVerifier, type VerifySignature } from './digest.ts';
import { decodeEntry, type Entry } from './entry.ts';
import { DECODE_INVALID, DECODE_TIER, failure, type DecodeError, type Decoded } from './errors.ts';
import { decodeHeader, type UnitHeader } from './header.ts';
import {
  CHECK_PROOF, CHECK_RULES, CHECK_SIGNATURE, DEVICE_ID_SIZE, ENTRY_PROOF_AT, FIELD_HEADER_CHECKS, FIELD_PROOF_LEAF,
  FIELD_PROOF_SIBLINGS, FIELD_TX_AMOUNT, FIELD_TX_CHAIN_ID, FIELD_TX_FEE, FIELD_TX_NONCE, FIELD_TX_SENDER,
  FIELD_TX_SIGNATURE, FRONTIER_LEVELS, HEADER_CHECKS_AT, MAX_PROOF_DEPTH, PROOF_SIBLINGS_AT, RESULT_ACCEPTED_AT, RESULT_ACCEPTED_ROOT_AT, RESULT_CHAIN_AT, RESULT_COUNTER_AT,
  RESULT_ENTRIES_AT, RESULT_SIZE, RESULT_UNIT_AT, TX_AMOUNT_AT, TX_BODY_SIZE, TX_CHAIN_AT, TX_FEE_AT, TX_NONCE_AT,
  TX_SENDER_AT, TX_SIGNATURE_AT,
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

/** How much work of variable size one {@link UnitValidator.step} may do. */
export interface StepBounds {
  /** state proof levels or frontier merges, one SHA-256 of 65 bytes each */
  levels: number;
  /** steps of the stepped signature verifier */
  verifierSteps: number;
}

/** What the entry being judged waits for: the validator's next stage, or `noEntry` between entries. */
type Stage = (bounds: StepBounds) => Verdict | null;

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
  private readonly verify: SignatureVerifier | VerifySignature | null;
  /** whether lastSender holds a well-formed entry's sender yet */
  private hasSender: boolean;
  private readonly lastSender: Uint8Array;
  private readonly chain: Uint8Array;
  private readonly frontier: Uint8Array;
  private readonly scratch: Uint8Array;
  private readonly sum: Uint32Array;
  /**
   * the entry being judged, its stage and what the stages pass on: the decoded entry, a proof,
   * frontier or root node and its level, the verdict; after the last entry the node is the
   * accepted root
   */
  private entryBytes: Uint8Array | null;
  private nextStage: Stage;
  private decoded: Entry | null;
  private readonly hashNode: Uint8Array;
  private level: number;
  private verdict: Verdict | null;

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
    this.entryBytes = this.decoded = this.verdict = null;
    this.nextStage = this.noEntry;
    this.hashNode = new Uint8Array(32);
    this.level = 0;
  }

  /**
   * Judges the next entry at once: its verdict, folded into the chain (and its id into the
   * accepted root when accepted). Throws as {@link begin} does.
   */
  check(entry: Uint8Array): Verdict {
    this.begin(entry);
    const unbounded: StepBounds = { levels: MAX_PROOF_DEPTH, verifierSteps: Infinity };
    let verdict: Verdict | null = null;
    while (verdict === null) verdict = this.step(unbounded);
    return verdict;
  }

  /**
   * Starts judging the next entry; {@link step} takes it to its verdict. Its bytes must not
   * change until then. Throws RangeError `"entry" extra` past the header's entry count (the caller
   * must stop pulling there), `"entry" busy` while another entry is being judged.
   */
  begin(entry: Uint8Array): void {
    if (this.index >= this.header.entryCount) misuse('entry', 'extra');
    if (this.nextStage !== this.noEntry) misuse('entry', 'busy');
    this.entryBytes = bytes('entry', entry, -1);
    this.nextStage = this.unpack;
  }

  /**
   * Does the next stage of the entry begun, within `bounds`, and returns its verdict once it is
   * folded into the chain (and its id into the accepted root when accepted), else null. Throws
   * RangeError `"entry" idle` when no entry is begun.
   */
  step(bounds: StepBounds): Verdict | null {
    return this.nextStage(bounds);
  }

  /**
   * Closes the unit after its last entry and builds the result for device `deviceId` (8 bytes)
   * under its result `counter`. Throws RangeError `"entry" missing` before every entry is judged.
   */
  finish(deviceId: Uint8Array, counter: number): PendingResult {
    bytes('deviceId', deviceId, DEVICE_ID_SIZE);
    u32('counter', counter);
    if (this.index !== this.header.entryCount) misuse('entry', 'missing');
    const result = new Uint8Array(RESULT_SIZE);
    writeU32(result, RESULT_UNIT_AT, this.header.unitId);
    writeU32(result, RESULT_COUNTER_AT, counter);
    writeU16(result, RESULT_ENTRIES_AT, this.index);
    writeU16(result, RESULT_ACCEPTED_AT, this.accepted);
    result.set(this.hashNode, RESULT_ACCEPTED_ROOT_AT);
    result.set(this.chain, RESULT_CHAIN_AT);
    return { bytes: result, digest: resultDigest(this.digest, this.headerHash, deviceId, result), difficulty: this.header.difficulty };
  }

  // The checks run cheapest first, except that the proof comes before the rules so that a
  // rule is never judged on an unproven balance or nonce; the first that fails names the verdict.

  private noEntry(): Verdict | null {
    return misuse('entry', 'idle');
  }

  /** Decodes the entry and runs the checks that need no hashing; starts the proof. */
  private unpack(): Verdict | null {
    const decoded = decodeEntry(this.entryBytes as Uint8Array);
    if (!decoded.ok) return this.conclude(REASON_MALFORMED, decoded.error);
    this.decoded = decoded.value;
    const tx = decoded.value.tx;
    const header = this.header;
    // Senders ascend strictly, so remembering the last one catches repeats in O(1) memory.
    if (this.hasSender && compareBytes(tx.sender, 0, this.lastSender, 0, 32) <= 0) {
      return this.conclude(REASON_DUPLICATE, fault(FIELD_TX_SENDER, TX_SENDER_AT));
    }
    this.hasSender = true;
    this.lastSender.set(tx.sender);
    if (tx.chainId !== header.chainId) return this.conclude(REASON_WRONG_CHAIN, fault(FIELD_TX_CHAIN_ID, TX_CHAIN_AT));
    if ((header.checks & CHECK_PROOF) === 0) return this.applyRules();
    const proof = decoded.value.proof;
    if (compareBytes(proof.publicKey, 0, tx.sender, 0, 32) !== 0) return this.conclude(REASON_BAD_PROOF, fault(FIELD_PROOF_LEAF, ENTRY_PROOF_AT));
    this.hashNode.set(prefixedHash(this.digest, this.scratch, 0, proof.leaf, null));
    this.level = 0;
    this.nextStage = this.climb;
    return null;
  }

  /** Climbs at most `levels` levels of the proof; at the top, compares the root and runs the rules. */
  private climb(bounds: StepBounds): Verdict | null {
    const proof = (this.decoded as Entry).proof;
    const to = Math.min(this.level + bounds.levels, proof.depth);
    climbProof(this.digest, proof, this.hashNode, this.level, to, this.scratch);
    this.level = to;
    if (to < proof.depth) return null;
    if (compareBytes(this.hashNode, 0, this.header.stateRoot, 0, 32) !== 0) {
      return this.conclude(REASON_BAD_PROOF, fault(FIELD_PROOF_SIBLINGS, ENTRY_PROOF_AT + PROOF_SIBLINGS_AT));
    }
    return this.applyRules();
  }

  /** Nonce, fee and balance; then the signature is begun, or judged at once by a one-shot verifier. */
  private applyRules(): Verdict | null {
    const tx = (this.decoded as Entry).tx;
    const proof = (this.decoded as Entry).proof;
    const header = this.header;
    if ((header.checks & CHECK_RULES) !== 0) {
      if (tx.nonce !== proof.nonce) return this.conclude(REASON_BAD_NONCE, fault(FIELD_TX_NONCE, TX_NONCE_AT));
      if (compareU64(tx.feeLow, tx.feeHigh, header.minFeeLow, header.minFeeHigh) < 0) {
        return this.conclude(REASON_FEE_TOO_LOW, fault(FIELD_TX_FEE, TX_FEE_AT));
      }
      const carry = addU64(tx.amountLow, tx.amountHigh, tx.feeLow, tx.feeHigh, this.sum);
      if (carry !== 0 || compareU64(this.sum[0], this.sum[1], proof.balanceLow, proof.balanceHigh) > 0) {
        return this.conclude(REASON_INSUFFICIENT_FUNDS, fault(FIELD_TX_AMOUNT, TX_AMOUNT_AT));
      }
    }
    const verify = this.verify;
    if (!SIGNATURE_CHECKS || (header.checks & CHECK_SIGNATURE) === 0 || verify === null) return this.conclude(REASON_ACCEPT, null);
    if (typeof verify === 'function') return this.signed(verify(tx.signature, tx.body, tx.sender));
    verify.begin(tx.signature, tx.body, tx.sender);
    this.nextStage = this.verifySteps;
    return null;
  }

  /** At most `verifierSteps` steps of the signature's verification. */
  private verifySteps(bounds: StepBounds): Verdict | null {
    const valid = (this.verify as SignatureVerifier).step(bounds.verifierSteps);
    return valid === null ? null : this.signed(valid);
  }

  private signed(valid: boolean): Verdict | null {
    return this.conclude(valid ? REASON_ACCEPT : REASON_BAD_SIGNATURE, valid ? null : fault(FIELD_TX_SIGNATURE, TX_SIGNATURE_AT));
  }

  /** Settles the verdict; the next steps fold it in. */
  private conclude(code: number, why: DecodeError | null): Verdict | null {
    this.verdict = verdict(code, why);
    this.nextStage = this.fold;
    return null;
  }

  /** Folds the verdict in: an accepted id's leaf goes up the frontier (see merge), then the chain. */
  private fold(bounds: StepBounds): Verdict | null {
    if ((this.verdict as Verdict).code !== 0) return this.chainVerdict(bounds);
    this.hashNode.set(prefixedHash(this.digest, this.scratch, 0, this.digest.sha256((this.entryBytes as Uint8Array).subarray(0, TX_BODY_SIZE)), null));
    this.level = 0;
    this.nextStage = this.merge;
    return this.merge(bounds);
  }

  /** At most `levels` merges of the accepted id's node with the frontier's waiting subtrees. */
  private merge(bounds: StepBounds): Verdict | null {
    this.level = frontierMerge(this.digest, this.frontier, this.accepted, this.hashNode, this.level, bounds.levels, this.scratch);
    if (this.level >= 0) return null;
    this.accepted++;
    return this.chainVerdict(bounds);
  }

  /** Folds the verdict into the chain; after the last entry, starts the accepted root. */
  private chainVerdict(bounds: StepBounds): Verdict | null {
    const scratch = this.scratch;
    scratch.set(this.chain);
    writeU16(scratch, 32, this.index);
    scratch[34] = (this.verdict as Verdict).code;
    this.chain.set(this.digest.sha256(scratch.subarray(0, 35)));
    if (this.index + 1 < this.header.entryCount) return this.release();
    this.level = rootStart(this.digest, this.frontier, this.accepted, this.hashNode);
    this.nextStage = this.root;
    return this.root(bounds);
  }

  /** At most `levels` merges of the frontier's subtrees into the accepted root. */
  private root(bounds: StepBounds): Verdict | null {
    this.level = rootMerge(this.digest, this.frontier, this.accepted, this.hashNode, this.level, bounds.levels, this.scratch);
    return this.level < 0 ? this.release() : null;
  }

  /** The verdict's last step: counts the entry, lets go of it and returns the verdict. */
  private release(): Verdict {
    const done = this.verdict as Verdict;
    this.index++;
    this.entryBytes = this.decoded = this.verdict = null;
    this.nextStage = this.noEntry;
    return done;
  }
}

function verdict(code: number, fault: DecodeError | null): Verdict {
  return { code: code, fault: fault };
}

/** The field a rule failed on, at `offset` in the entry. */
function fault(field: number, offset: number): DecodeError {
  return { code: DECODE_INVALID, field: field, offset: offset };
}
