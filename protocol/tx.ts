/**
 * Reference encoder for transactions: build, sign, hash. The layout comes from
 * firmware/core/layout.ts; decoding is the core's own decodeTx.
 * @module
 */
import { getPublicKey, sign, verify } from '@noble/ed25519';
import { bytes, u32 } from '../firmware/core/assert.ts';
import { writeU32 } from '../firmware/core/bytes.ts';
import {
  FORMAT_VERSION, TX_AMOUNT_AT, TX_BODY_SIZE, TX_CHAIN_AT, TX_FEE_AT, TX_NONCE_AT, TX_RECIPIENT_AT, TX_SENDER_AT,
  TX_SIGNATURE_AT, TX_SIZE, TX_VERSION_AT,
} from '../firmware/core/layout.ts';
import { sha256 } from './digest.ts';
import { knownKeys, u64, writeU64 } from './fields.ts';

/** The fields of a transaction body. */
export interface TxFields {
  chainId: number;
  /** sender's Ed25519 public key (32 bytes) */
  sender: Uint8Array;
  /** recipient's Ed25519 public key (32 bytes) */
  recipient: Uint8Array;
  amount: bigint;
  fee: bigint;
  /** must equal the sender account's nonce */
  nonce: number;
}

const TX_KEYS = ['chainId', 'sender', 'recipient', 'amount', 'fee', 'nonce'] as const;

/**
 * Encodes the 89-byte body. Field types and ranges are checked; the rules a validator applies
 * (non-zero amount, sender differs from recipient) are not, so tests can build bad transactions.
 */
export function encodeTxBody(fields: TxFields): Uint8Array {
  knownKeys('tx', fields, TX_KEYS);
  const body = new Uint8Array(TX_BODY_SIZE);
  body[TX_VERSION_AT] = FORMAT_VERSION;
  writeU32(body, TX_CHAIN_AT, u32('chainId', fields.chainId));
  body.set(bytes('sender', fields.sender, 32), TX_SENDER_AT);
  body.set(bytes('recipient', fields.recipient, 32), TX_RECIPIENT_AT);
  writeU64(body, TX_AMOUNT_AT, u64('amount', fields.amount));
  writeU64(body, TX_FEE_AT, u64('fee', fields.fee));
  writeU32(body, TX_NONCE_AT, u32('nonce', fields.nonce));
  return body;
}

/** Joins a body and its 64-byte signature into a 153-byte transaction. */
export function joinTx(body: Uint8Array, signature: Uint8Array): Uint8Array {
  const tx = new Uint8Array(TX_SIZE);
  tx.set(bytes('body', body, TX_BODY_SIZE));
  tx.set(bytes('signature', signature, 64), TX_SIGNATURE_AT);
  return tx;
}

/**
 * Builds and signs a transaction with the sender's 32-byte Ed25519 secret key, which must be
 * the key of `fields.sender`.
 */
export function signTx(fields: TxFields, secretKey: Uint8Array): Uint8Array {
  bytes('secretKey', secretKey, 32);
  const body = encodeTxBody(fields);
  if (!sameBytes(getPublicKey(secretKey), fields.sender)) throw new RangeError('"secretKey" is not the key of "sender"');
  return joinTx(body, sign(body, secretKey));
}

/** The transaction id: SHA-256 of the signed body (the first 89 bytes). */
export function txId(tx: Uint8Array): Uint8Array {
  if (!(tx instanceof Uint8Array) || tx.length < TX_BODY_SIZE) throw new RangeError(`"tx" expected at least ${TX_BODY_SIZE} bytes`);
  return sha256(tx.subarray(0, TX_BODY_SIZE));
}

/** Strict RFC 8032 verification of a transaction's signature, as sig-tier devices do it. */
export function verifyTxSignature(tx: Uint8Array): boolean {
  bytes('tx', tx, TX_SIZE);
  try {
    return verify(tx.subarray(TX_SIGNATURE_AT), tx.subarray(0, TX_BODY_SIZE), tx.subarray(TX_SENDER_AT, TX_SENDER_AT + 32), { zip215: false });
  } catch {
    return false;
  }
}

/** An Ed25519 public key for a 32-byte secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return getPublicKey(bytes('secretKey', secretKey, 32));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
