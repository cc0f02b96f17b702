/**
 * The transaction rules as the node applies them, in the devices' order (firmware/core's
 * validator) with the signature last because it is the costly check: malformed, duplicate,
 * wrong chain, bad nonce, fee too low, insufficient funds, bad signature. Decoding and the
 * signature check are the formats' own (firmware/core decodeTx, protocol verifyTxSignature,
 * strict RFC 8032 like sig-tier devices), so the node and the devices cannot disagree on them.
 * @module
 */
import { decodeTx } from '../../firmware/core/tx.ts';
import type { Reason } from '../../firmware/core/reasons.ts';
import { joinU64 } from '../../protocol/fields.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { txId, verifyTxSignature } from '../../protocol/tx.ts';
import { toHex } from '../bytes.ts';

/** The account nonce is a u32 in the leaf: the nonce that would push it past that is refused. */
const LAST_NONCE = 0xffffffff;

/** Why a transaction is refused: a verdict reason of the formats other than accept and bad-proof (the node reads its own state). */
export type TxRejection = Exclude<Reason, 'accept' | 'bad-proof'>;

/** A decoded, well-formed transaction with the keys the node indexes by. */
export interface DecodedTx {
  readonly bytes: Uint8Array;
  readonly id: Uint8Array;
  /** Lowercase hex of `id`. */
  readonly key: string;
  readonly chainId: number;
  readonly sender: Uint8Array;
  readonly senderKey: string;
  readonly recipient: Uint8Array;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly nonce: number;
}

/** A refusal with a message naming the field. */
export interface Refusal {
  readonly reason: TxRejection;
  readonly message: string;
}

/** The parts of an account the rules read. */
export interface AccountView {
  readonly balance: bigint;
  readonly nonce: number;
}

/** What the rules compare against. */
export interface RuleContext {
  readonly chainId: number;
  readonly minFee: bigint;
  /** Nonce the transaction must carry (the account's nonce, plus pending ones at intake). */
  readonly expectedNonce: number;
  /** Balance available to it (the account's balance, minus what pending ones reserve at intake). */
  readonly available: bigint;
  /**
   * True when this node already verified the signature of these exact bytes (at intake): the
   * check is then not repeated. The signature is a pure function of the bytes, so the answer
   * cannot have changed; `verify` never passes it and re-checks every signature.
   */
  readonly signatureVerified?: boolean;
}

/** Decodes a signed transaction, or refuses it as malformed with the decoder's message. */
export function decodeTransaction(bytes: Uint8Array): DecodedTx | Refusal {
  const decoded = decodeTx(bytes);
  if (!decoded.ok) return { reason: 'malformed', message: describeDecodeError(decoded.error, bytes) };
  const t = decoded.value;
  const id = txId(bytes);
  return {
    bytes,
    id,
    key: toHex(id),
    chainId: t.chainId,
    sender: t.sender.slice(),
    senderKey: toHex(t.sender),
    recipient: t.recipient.slice(),
    amount: joinU64(t.amountLow, t.amountHigh),
    fee: joinU64(t.feeLow, t.feeHigh),
    nonce: t.nonce,
  };
}

/** True when `value` is a refusal rather than a decoded transaction. */
export function isRefusal(value: DecodedTx | Refusal): value is Refusal {
  return 'reason' in value;
}

/** Checks chain, nonce, fee, funds and signature; undefined when the transaction passes. */
export function checkTransaction(tx: DecodedTx, context: RuleContext): Refusal | undefined {
  if (tx.chainId !== context.chainId) return { reason: 'wrong-chain', message: `"tx.chainId" expected ${context.chainId}, got ${tx.chainId}` };
  if (tx.nonce !== context.expectedNonce) return { reason: 'bad-nonce', message: `"tx.nonce" expected ${context.expectedNonce}, got ${tx.nonce}` };
  if (tx.nonce === LAST_NONCE) return { reason: 'bad-nonce', message: `"tx.nonce" ${LAST_NONCE} is the last u32: the account nonce would overflow` };
  if (tx.fee < context.minFee) return { reason: 'fee-too-low', message: `"tx.fee" expected at least ${context.minFee}, got ${tx.fee}` };
  if (tx.amount + tx.fee > context.available) {
    return { reason: 'insufficient-funds', message: `"tx.amount" plus fee is ${tx.amount + tx.fee}, above the available balance ${context.available}` };
  }
  if (context.signatureVerified !== true && !verifyTxSignature(tx.bytes)) return { reason: 'bad-signature', message: '"tx.signature" does not verify under the sender\'s key' };
  return undefined;
}
