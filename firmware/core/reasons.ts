/**
 * Verdict reason codes. The name is what TypeScript code speaks; the number (its index in
 * REASONS) is what goes into the verdict chain and onto the wire. Append only: a code never
 * changes meaning.
 * @module
 */

/** Why an entry was accepted or rejected. */
export type Reason =
  | 'accept'
  | 'malformed'
  | 'bad-signature'
  | 'bad-proof'
  | 'insufficient-funds'
  | 'bad-nonce'
  | 'fee-too-low'
  | 'wrong-chain'
  | 'duplicate';

/** The numeric codes, for code that must not spell the names (an image judges by number). */
export const REASON_ACCEPT = 0;
export const REASON_MALFORMED = 1;
export const REASON_BAD_SIGNATURE = 2;
export const REASON_BAD_PROOF = 3;
export const REASON_INSUFFICIENT_FUNDS = 4;
export const REASON_BAD_NONCE = 5;
export const REASON_FEE_TOO_LOW = 6;
export const REASON_WRONG_CHAIN = 7;
export const REASON_DUPLICATE = 8;

/** Every reason, indexed by its numeric code. */
export const REASONS: readonly Reason[] = [
  'accept',
  'malformed',
  'bad-signature',
  'bad-proof',
  'insufficient-funds',
  'bad-nonce',
  'fee-too-low',
  'wrong-chain',
  'duplicate',
];

/** Numeric code of `reason`. */
export function reasonCode(reason: Reason): number {
  return REASONS.indexOf(reason);
}

/** Reason of a numeric code, or undefined for a code no version defines. */
export function reasonOf(code: number): Reason | undefined {
  return REASONS[code];
}
