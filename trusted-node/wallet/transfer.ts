/**
 * Building transfers, including deliberately broken ones for demos and tests. Each defect
 * makes exactly one rule fail and names the verdict reason the node must answer with.
 * @module
 */
import { TX_SIGNATURE_AT } from '../../firmware/core/layout.ts';
import { signTx, txId } from '../../protocol/tx.ts';
import { toHex } from '../bytes.ts';
import type { TxRejection } from '../ledger/rules.ts';
import type { WalletKey } from './keys.ts';

/** A deliberate defect. */
export type Defect = 'bad-signature' | 'overspend' | 'wrong-nonce' | 'low-fee' | 'wrong-chain' | 'duplicate';

/** Every defect and the rejection reason it must cause. */
export const DEFECTS: Readonly<Record<Defect, TxRejection>> = {
  'bad-signature': 'bad-signature',
  overspend: 'insufficient-funds',
  'wrong-nonce': 'bad-nonce',
  'low-fee': 'fee-too-low',
  'wrong-chain': 'wrong-chain',
  duplicate: 'duplicate',
};

/** What the wallet knows about the chain and the sender when it builds a transfer. */
export interface TransferContext {
  readonly chainId: number;
  readonly minFee: bigint;
  /** Nonce the next transaction must carry (committed plus pending). */
  readonly nextNonce: number;
  /** Balance not yet reserved by pending transactions. */
  readonly available: bigint;
}

/** A transfer request; fee and nonce default to the minimum fee and the next nonce. */
export interface TransferRequest {
  readonly from: WalletKey;
  readonly to: Uint8Array;
  readonly amount: bigint;
  readonly fee?: bigint;
  readonly nonce?: number;
  readonly defect?: Defect;
}

/** A signed transfer. */
export interface BuiltTransfer {
  readonly tx: Uint8Array;
  readonly id: string;
  readonly fee: bigint;
  readonly nonce: number;
  readonly amount: bigint;
}

/** Builds and signs a transfer, applying the requested defect. Throws RangeError when a defect cannot apply. */
export function buildTransfer(request: TransferRequest, context: TransferContext): BuiltTransfer {
  const defect = request.defect;
  let fee = request.fee ?? context.minFee;
  let amount = request.amount;
  let nonce = request.nonce ?? context.nextNonce;
  let chainId = context.chainId;
  if (defect === 'low-fee') {
    if (context.minFee === 0n) throw new RangeError('"low-fee" needs a chain with a minimum fee above 0');
    fee = context.minFee - 1n;
  }
  if (defect === 'overspend') amount = context.available - fee + 1n;
  if (defect === 'wrong-nonce') nonce = context.nextNonce + 1;
  if (defect === 'wrong-chain') chainId = (context.chainId + 1) >>> 0;
  if (amount <= 0n) throw new RangeError(`"amount" expected above 0, got ${amount}`);
  const tx = signTx({ chainId, sender: request.from.publicKey, recipient: request.to, amount, fee, nonce }, request.from.secretKey);
  if (defect === 'bad-signature') tx[TX_SIGNATURE_AT + 10]! ^= 0x01;
  return { tx, id: toHex(txId(tx)), fee, nonce, amount };
}
