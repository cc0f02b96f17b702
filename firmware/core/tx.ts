/**
 * Signed transaction decoding. Fields are views into the input, never copies.
 * @module
 */
import { compareBytes, readU32 } from './bytes.ts';
import { DECODE_INVALID, DECODE_UNSUPPORTED, decodeError, sizeError, type DecodeError, type Decoded } from './errors.ts';
import {
  FIELD_TX, FIELD_TX_AMOUNT, FIELD_TX_RECIPIENT, FIELD_TX_VERSION, FORMAT_VERSION, TX_AMOUNT_AT, TX_BODY_SIZE, TX_CHAIN_AT,
  TX_FEE_AT, TX_NONCE_AT, TX_RECIPIENT_AT, TX_SENDER_AT, TX_SIGNATURE_AT, TX_SIZE, TX_VERSION_AT,
} from './layout.ts';

/** A decoded transaction; amounts are u64 as (low, high) u32 halves. */
export interface Transaction {
  /** the signed body (89 bytes); the transaction id is its SHA-256 */
  body: Uint8Array;
  chainId: number;
  sender: Uint8Array;
  recipient: Uint8Array;
  amountLow: number;
  amountHigh: number;
  feeLow: number;
  feeHigh: number;
  nonce: number;
  signature: Uint8Array;
}

/**
 * Checks the transaction at `data[at..at+153)` (the caller has checked the length): null when it
 * is well-formed, else the first defect, with offsets relative to `data`. The validator checks
 * entries this way and reads the few fields it needs from the bytes, building no object.
 */
export function txError(data: Uint8Array, at: number): DecodeError | null {
  if (data[at + TX_VERSION_AT] !== FORMAT_VERSION) return decodeError(DECODE_UNSUPPORTED, FIELD_TX_VERSION, at + TX_VERSION_AT);
  if (readU32(data, at + TX_AMOUNT_AT) === 0 && readU32(data, at + TX_AMOUNT_AT + 4) === 0) return decodeError(DECODE_INVALID, FIELD_TX_AMOUNT, at + TX_AMOUNT_AT);
  if (compareBytes(data, at + TX_SENDER_AT, data, at + TX_RECIPIENT_AT, 32) === 0) return decodeError(DECODE_INVALID, FIELD_TX_RECIPIENT, at + TX_RECIPIENT_AT);
  return null;
}

/** The fields of the well-formed transaction at `data[at..at+153)` (see {@link txError}). */
export function readTx(data: Uint8Array, at: number): Transaction {
  return {
    body: data.subarray(at, at + TX_BODY_SIZE),
    chainId: readU32(data, at + TX_CHAIN_AT),
    sender: data.subarray(at + TX_SENDER_AT, at + TX_SENDER_AT + 32),
    recipient: data.subarray(at + TX_RECIPIENT_AT, at + TX_RECIPIENT_AT + 32),
    amountLow: readU32(data, at + TX_AMOUNT_AT),
    amountHigh: readU32(data, at + TX_AMOUNT_AT + 4),
    feeLow: readU32(data, at + TX_FEE_AT),
    feeHigh: readU32(data, at + TX_FEE_AT + 4),
    nonce: readU32(data, at + TX_NONCE_AT),
    signature: data.subarray(at + TX_SIGNATURE_AT, at + TX_SIZE),
  };
}

/** Decodes a signed transaction of exactly 153 bytes. */
export function decodeTx(data: Uint8Array): Decoded<Transaction> {
  const error = sizeError(data, TX_SIZE, FIELD_TX) || txError(data, 0);
  return error ? { ok: false, error: error } : { ok: true, value: readTx(data, 0) };
}
