/**
 * Probe entries: known-answer work for devices when no transaction needs them (an option, off
 * by default). Each probe is a transfer from a real account, with its real state proof against
 * the current root, that breaks exactly one rule the node can judge without a signature check:
 * the next nonce but one (`bad-nonce`), a fee under the minimum (`fee-too-low`), or more than
 * the balance (`insufficient-funds`). The signature is 64 zero bytes, never reached by a correct
 * validator. The expected verdict is computed by the core's own validator, so a device that
 * answers anything else is proven wrong without any audit, and probes keep measuring a
 * device's speed and honesty between transactions. They never enter a block.
 * @module
 */
import { TX_SIZE } from '../../firmware/core/layout.ts';
import { checkEntry, openUnit } from '../../firmware/core/validator.ts';
import { asciiBytes, compareBytes } from '../../firmware/core/bytes.ts';
import { nodeDigest, sha256 } from '../../protocol/digest.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { encodeTxBody, joinTx, txId } from '../../protocol/tx.ts';
import { encodeEntry } from '../../protocol/unit.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { bySender, unitHeader } from './units.ts';

/** A probe entry and the verdict it must get. */
export interface Probe {
  readonly entry: Uint8Array;
  readonly txId: Uint8Array;
  readonly code: number;
}

/** Accounts probes are drawn from (the first ones by slot): enough variety, bounded work per new root. */
const PROBE_ACCOUNTS = 256;

/** The recipient of every probe transfer: not an account anyone holds a key for. */
const PROBE_RECIPIENT = sha256(asciiBytes('micromine probe recipient'));

/** Probes over the ledger's current state, rebuilt when the state root changes. */
export class ProbeSet {
  readonly #ledger: Ledger;
  /** The state root the probes were built over (a copy). */
  #root: Uint8Array | null = null;
  #probes: Probe[] = [];
  #next = 0;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  /** Up to `count` probes from distinct senders, in sender order; empty when the state has no account. */
  take(count: number): Probe[] {
    const root = this.#ledger.stateRoot;
    if (this.#root === null || compareBytes(root, 0, this.#root, 0, 32) !== 0) {
      this.#root = root.slice();
      this.#probes = this.#build();
    }
    const all = this.#probes;
    const taken: Probe[] = [];
    for (let i = 0; i < Math.min(count, all.length); i++) taken.push(all[(this.#next + i) % all.length]!);
    this.#next = all.length === 0 ? 0 : (this.#next + taken.length) % all.length;
    return taken.sort(bySender);
  }

  #build(): Probe[] {
    const ledger = this.#ledger;
    const { chainId, minFee } = ledger.chain;
    const header = unitHeader(ledger, { unitId: 0, signatures: false, difficulty: 0, deadlineMs: 1 }, 1);
    const probes: Probe[] = [];
    for (let slot = 0; slot < Math.min(PROBE_ACCOUNTS, ledger.accountCount); slot++) {
      const account = ledger.accountAt(slot);
      if (account.nonce === 0xffffffff || account.balance === (1n << 64n) - 1n) continue;
      // Which rule the probe breaks rotates with the slot; without a minimum fee there is no fee to undercut.
      const rule = minFee === 0n && slot % 3 === 1 ? 0 : slot % 3;
      const body = encodeTxBody({
        chainId,
        sender: account.publicKey,
        recipient: PROBE_RECIPIENT,
        amount: rule === 2 ? account.balance + 1n : 1n,
        fee: rule === 1 ? minFee - 1n : minFee,
        nonce: rule === 0 ? account.nonce + 1 : account.nonce,
      });
      const tx = joinTx(body, new Uint8Array(TX_SIZE - body.length));
      const entry = encodeEntry(tx, ledger.proof(account.publicKey)!);
      probes.push({ entry, txId: txId(tx), code: expectedVerdict(header, entry) });
    }
    return probes.sort(bySender);
  }
}

/** The core validator's verdict on one entry under `header`; a probe never reaches the signature check. */
function expectedVerdict(header: Uint8Array, entry: Uint8Array): number {
  const opened = openUnit(header, { digest: nodeDigest, verify: null });
  if (!opened.ok) throw new RangeError(`probe header: ${describeDecodeError(opened.error, header)}`);
  return checkEntry(opened.value, entry).code;
}
