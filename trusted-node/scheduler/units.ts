/**
 * Work units as the node keeps them while a device works: the header it was sent, the entries
 * it pulls, and for each entry either the job (a transaction under validation) or, for a probe
 * unit, the verdict the node already knows. Headers and entries are the formats' own encoders.
 * @module
 */
import { u32 } from '../../firmware/core/assert.ts';
import { compareBytes, writeU32 } from '../../firmware/core/bytes.ts';
import { HEADER_UNIT_AT, TX_SENDER_AT } from '../../firmware/core/layout.ts';
import { encodeHeader, HASH_TIER_CHECKS, SIG_TIER_CHECKS } from '../../protocol/unit.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { BlockRecord } from '../store/types.ts';
import type { Job } from './jobs.ts';

/** `consensus`: transactions under validation; `probe`: entries whose verdicts the node knows. */
export type UnitKind = 'consensus' | 'probe';

/** A unit handed to a device. */
export interface Unit {
  readonly id: number;
  readonly kind: UnitKind;
  readonly deviceId: string;
  readonly header: Uint8Array;
  readonly entries: readonly Uint8Array[];
  /** The transaction id of each entry. */
  readonly txIds: readonly Uint8Array[];
  /** Consensus units: the job of each entry. */
  readonly jobs: readonly Job[];
  /** Probe units: the verdict code each entry must get. */
  readonly expected: readonly number[];
  /** Whether the unit asks for signature checks. */
  readonly signatures: boolean;
  readonly difficulty: number;
  /** Node clock when it was assigned. */
  readonly assignedAt: number;
  /** Set when one of its verdicts was proven wrong: its rewards are void and it earns no more. */
  voided: boolean;
}

/** One entry of a unit being built, with its sender for ordering. */
export interface PlannedEntry {
  readonly entry: Uint8Array;
  readonly txId: Uint8Array;
}

/** What the header of a unit says besides its entries. */
export interface HeaderPlan {
  readonly unitId: number;
  readonly signatures: boolean;
  readonly difficulty: number;
  readonly deadlineMs: number;
}

/** The header of a unit over the ledger's head and current state root. */
export function unitHeader(ledger: Ledger, plan: HeaderPlan, entryCount: number): Uint8Array {
  return encodeHeader({
    unitId: plan.unitId,
    chainId: ledger.chain.chainId,
    height: ledger.head.header.height,
    previousHash: ledger.head.hash,
    stateRoot: ledger.stateRoot,
    checks: plan.signatures ? SIG_TIER_CHECKS : HASH_TIER_CHECKS,
    difficulty: plan.difficulty,
    minFee: ledger.chain.minFee,
    deadline: plan.deadlineMs,
    entryCount,
  });
}

/**
 * Unit headers as {@link unitHeader} encodes them, each kind encoded once per ledger state.
 * Between two blocks the headers handed out differ only in their unit id for each tier,
 * difficulty, deadline and entry count, so a header is a copy of its kind's with the id written in.
 */
export class UnitHeaders {
  readonly #ledger: Ledger;
  /** The head and state root the kept headers were encoded over. */
  #head: BlockRecord | null = null;
  readonly #stateRoot = new Uint8Array(32);
  readonly #byKind = new Map<string, Uint8Array>();

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  /** The header of a unit over the ledger's head and current state root. */
  header(plan: HeaderPlan, entryCount: number): Uint8Array {
    const ledger = this.#ledger;
    if (ledger.head !== this.#head || compareBytes(ledger.stateRoot, 0, this.#stateRoot, 0, 32) !== 0) {
      this.#head = ledger.head;
      this.#stateRoot.set(ledger.stateRoot);
      this.#byKind.clear();
    }
    const kind = `${plan.signatures}/${plan.difficulty}/${plan.deadlineMs}/${entryCount}`;
    let encoded = this.#byKind.get(kind);
    if (encoded === undefined) this.#byKind.set(kind, (encoded = unitHeader(ledger, plan, entryCount)));
    const header = encoded.slice();
    writeU32(header, HEADER_UNIT_AT, u32('unitId', plan.unitId));
    return header;
  }
}

/** Orders entries by sender, strictly ascending, as the formats require of a unit. */
export function bySender(a: { readonly entry: Uint8Array }, b: { readonly entry: Uint8Array }): number {
  return compareBytes(a.entry, TX_SENDER_AT, b.entry, TX_SENDER_AT, 32);
}

/** True when the ledger's state is its head's: not between a block's state change and its durable commit. */
export function stateIsSettled(ledger: Ledger): boolean {
  return compareBytes(ledger.stateRoot, 0, ledger.head.header.stateRoot, 0, 32) === 0;
}
