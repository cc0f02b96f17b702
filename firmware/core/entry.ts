/**
 * Work unit entry decoding: a signed transaction followed by the sender's state proof.
 * @module
 */
import { DECODE_OVERSIZED, DECODE_TRUNCATED, failure, type Decoded } from './errors.ts';
import { ENTRY_MAX_SIZE, ENTRY_MIN_SIZE, ENTRY_PROOF_AT, FIELD_ENTRY } from './layout.ts';
import { readProof, type StateProof } from './proof.ts';
import { readTx, type Transaction } from './tx.ts';

/** A decoded entry; byte fields are views into the input. */
export interface Entry {
  tx: Transaction;
  proof: StateProof;
}

/** Decodes an entry (202 to 970 bytes). */
export function decodeEntry(data: Uint8Array): Decoded<Entry> {
  if (data.length < ENTRY_MIN_SIZE) return failure(DECODE_TRUNCATED, FIELD_ENTRY, data.length);
  if (data.length > ENTRY_MAX_SIZE) return failure(DECODE_OVERSIZED, FIELD_ENTRY, ENTRY_MAX_SIZE);
  const tx = readTx(data, 0);
  if (!tx.ok) return tx;
  const proof = readProof(data, ENTRY_PROOF_AT);
  if (!proof.ok) return proof;
  return { ok: true, value: { tx: tx.value, proof: proof.value } };
}
