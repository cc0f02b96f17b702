/**
 * The node's own judgement, used to audit devices:
 *
 * - {@link Auditor.inContext}: the verdict a correct device gives one entry of one unit, by the
 *   core's own validator over that unit's header and that entry (signature checks when the unit
 *   asked for them). The node builds units with strictly ascending senders, so an entry's
 *   verdict depends only on the header and the entry, and one entry is audited alone.
 * - {@link Auditor.now}: the transaction against the current state, by the ledger's rules (the
 *   ones a block applies, signature included).
 * - {@link Auditor.sample}: the random audit sample, from a seeded generator so tests can
 *   reproduce which verdicts are drawn.
 * @module
 */
import { verify } from '@noble/ed25519';
import type { VerifySignature } from '../../firmware/core/digest.ts';
import { checkEntry, openUnit } from '../../firmware/core/validator.ts';
import { reasonCode } from '../../firmware/core/reasons.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { verifyTxSignature } from '../../protocol/tx.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { checkTransaction, decodeTransaction, isRefusal } from '../ledger/rules.ts';
import type { PendingTx } from '../mempool.ts';
import type { Unit } from '../scheduler/units.ts';

/** Strict RFC 8032 verification, as sig-tier devices do it. */
const verifyEd25519: VerifySignature = (signature, message, publicKey) => {
  try {
    return verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** See the module comment. */
export class Auditor {
  readonly #ledger: Ledger;
  readonly #random: () => number;
  readonly #rate: number;

  constructor(ledger: Ledger, rate: number, seed: number) {
    this.#ledger = ledger;
    this.#rate = rate;
    this.#random = seededRandom(seed);
  }

  /** The verdict code a correct device gives entry `index` of `unit`. */
  inContext(unit: Unit, index: number): number {
    const opened = openUnit(unit.header, { digest: nodeDigest, verify: unit.signatures ? verifyEd25519 : null });
    if (!opened.ok) throw new RangeError(`unit ${unit.id} has a header the core refuses: ${describeDecodeError(opened.error, unit.header)}`);
    return checkEntry(opened.value, unit.entries[index]!).code;
  }

  /** The reason code the ledger's rules give `tx` against the current state; 0 when it would apply. */
  now(tx: PendingTx): number {
    const decoded = decodeTransaction(tx.tx);
    if (isRefusal(decoded)) return reasonCode(decoded.reason);
    const account = this.#ledger.account(decoded.sender);
    const refusal = checkTransaction(decoded, {
      chainId: this.#ledger.chain.chainId,
      minFee: this.#ledger.chain.minFee,
      expectedNonce: account?.nonce ?? 0,
      available: account?.balance ?? 0n,
    });
    return refusal === undefined ? 0 : reasonCode(refusal.reason);
  }

  /** Whether the transaction's signature verifies (strict RFC 8032). */
  signature(tx: PendingTx): boolean {
    return verifyTxSignature(tx.tx);
  }

  /** True for the share of agreeing verdicts the node re-checks anyway. */
  sample(): boolean {
    return this.#random() < this.#rate;
  }
}
