/**
 * Work unit entry decoding: a signed transaction followed by the sender's state proof.
 * @module
 */
import { DECODE_OVERSIZED, DECODE_TRUNCATED, decodeError, type DecodeError, type Decoded } from './errors.ts';
import { ENTRY_MAX_SIZE, ENTRY_MIN_SIZE, ENTRY_PROOF_AT, FIELD_ENTRY } from './layout.ts';
import { proofError, readProof, type StateProof } from './proof.ts';
import { readTx, txError, type Transaction } from './tx.ts';

/** A decoded entry; byte fields are views into the input. */
export interface Entry {
  tx: Transaction;
  proof: StateProof;
}

/**
 * Checks an entry (202 to 970 bytes): null when it is well-formed, else the first defect. The
 * validator reads what it needs at the layout's offsets afterwards.
 */
export function entryError(data: Uint8Array): DecodeError | null {
  if (data.length < ENTRY_MIN_SIZE) return decodeError(DECODE_TRUNCATED, FIELD_ENTRY, data.length);
  if (data.length > ENTRY_MAX_SIZE) return decodeError(DECODE_OVERSIZED, FIELD_ENTRY, ENTRY_MAX_SIZE);
  return txError(data, 0) || proofError(data, ENTRY_PROOF_AT);
}

/** Decodes an entry (202 to 970 bytes). */
export function decodeEntry(data: Uint8Array): Decoded<Entry> {
  const error = entryError(data);
  return error ? { ok: false, error: error } : { ok: true, value: { tx: readTx(data, 0), proof: readProof(data, ENTRY_PROOF_AT) } };
}
