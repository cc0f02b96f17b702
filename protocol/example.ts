/**
 * Deterministic example ledgers and units: the same keys and bytes on every run, for the
 * worked examples in docs/protocol.md, the tests and the cost measurements. Keys derive from
 * public strings, so never use them for value.
 * @module
 */
import { compareBytes } from '../firmware/core/bytes.ts';
import { u32 } from '../firmware/core/assert.ts';
import { sha256 } from './digest.ts';
import { StateTree, depthFor, type Account } from './state.ts';
import { publicKeyOf, signTx, type TxFields } from './tx.ts';
import { encodeEntry } from './unit.ts';

/** A ledger of example accounts and its state tree. */
export interface ExampleLedger {
  chainId: number;
  secretKeys: Uint8Array[];
  accounts: Account[];
  tree: StateTree;
  /** account slots ordered by public key, the order a unit's entries need */
  bySender: number[];
}

/** The secret key of example account `index`: SHA-256 of "micromine example account <index>". */
export function exampleSecretKey(index: number): Uint8Array {
  return sha256(new TextEncoder().encode(`micromine example account ${u32('index', index)}`));
}

/**
 * `count` example accounts on chain `chainId`, account i with balance 1000 * (i + 1) and
 * nonce i, in a state tree of depth `depth` (the smallest that fits when omitted).
 */
export function exampleLedger(count: number, chainId = 1, depth = depthFor(count)): ExampleLedger {
  const secretKeys = Array.from({ length: count }, (_, i) => exampleSecretKey(i));
  const accounts = secretKeys.map((key, i) => ({ publicKey: publicKeyOf(key), balance: 1000n * BigInt(i + 1), nonce: i }));
  const bySender = accounts.map((_, i) => i).sort((a, b) => compareBytes(accounts[a].publicKey, 0, accounts[b].publicKey, 0, 32));
  return { chainId, secretKeys, accounts, tree: new StateTree(depth, accounts), bySender };
}

/**
 * A valid signed transfer from slot `from` to slot `to` (amount 10, fee 1, the sender's
 * nonce), with `changes` applied before signing.
 */
export function exampleTx(ledger: ExampleLedger, from: number, to: number, changes: Partial<TxFields> = {}): Uint8Array {
  const fields: TxFields = {
    chainId: ledger.chainId,
    sender: ledger.accounts[from].publicKey,
    recipient: ledger.accounts[to].publicKey,
    amount: 10n,
    fee: 1n,
    nonce: ledger.accounts[from].nonce,
    ...changes,
  };
  return signTx(fields, ledger.secretKeys[from]);
}

/** The entry for a transaction sent from slot `from`: the transaction and that slot's proof. */
export function exampleEntry(ledger: ExampleLedger, from: number, tx: Uint8Array): Uint8Array {
  return encodeEntry(tx, ledger.tree.proof(from));
}
