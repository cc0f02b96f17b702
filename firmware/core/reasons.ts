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
