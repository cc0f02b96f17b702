/**
 * Byte layout of every binary format, shared by the device core and the node's reference
 * encoders in protocol/ so that the two sides cannot drift. All integers are little-endian;
 * a u64 amount is two u32 halves, low word first (Espruino has no BigInt).
 * @module
 */

/** Version byte of a transaction body and of a work unit header. */
export const FORMAT_VERSION = 1;

/** Transaction body: version u8 | chain id u32 | sender 32 | recipient 32 | amount u64 | fee u64 | nonce u32. */
export const TX_VERSION_AT = 0;
export const TX_CHAIN_AT = 1;
export const TX_SENDER_AT = 5;
export const TX_RECIPIENT_AT = 37;
export const TX_AMOUNT_AT = 69;
export const TX_FEE_AT = 77;
export const TX_NONCE_AT = 85;
/** Size of the signed transaction body; the transaction id is SHA-256 of these bytes. */
export const TX_BODY_SIZE = 89;
/** The Ed25519 signature over the body follows it. */
export const TX_SIGNATURE_AT = 89;
/** Size of a signed transaction: body and signature. */
export const TX_SIZE = 153;

/** Account leaf: public key 32 | balance u64 | nonce u32. */
export const LEAF_KEY_AT = 0;
export const LEAF_BALANCE_AT = 32;
export const LEAF_NONCE_AT = 40;
/** Size of an account leaf. */
export const LEAF_SIZE = 44;

/** State proof: leaf 44 | leaf index u32 | depth u8 | siblings depth*32 (from the leaf upward). */
export const PROOF_LEAF_AT = 0;
export const PROOF_INDEX_AT = 44;
export const PROOF_DEPTH_AT = 48;
export const PROOF_SIBLINGS_AT = 49;
/** Deepest state tree a proof may describe: 2^24 accounts, 817-byte proofs. */
export const MAX_PROOF_DEPTH = 24;

/** Work unit entry: signed transaction 153 | sender's state proof. */
export const ENTRY_PROOF_AT = TX_SIZE;
/** Smallest and largest well-formed entry (proof depth 0 and MAX_PROOF_DEPTH). */
export const ENTRY_MIN_SIZE = TX_SIZE + PROOF_SIBLINGS_AT;
export const ENTRY_MAX_SIZE = TX_SIZE + PROOF_SIBLINGS_AT + MAX_PROOF_DEPTH * 32;

/**
 * Work unit header: version u8 | unit id u32 | chain id u32 | height u32 | previous block
 * hash 32 | state root 32 | checks u8 | share difficulty u8 | min fee u64 | deadline ms u32 |
 * entry count u16. The header hash is SHA-256 of these bytes.
 */
export const HEADER_VERSION_AT = 0;
export const HEADER_UNIT_AT = 1;
export const HEADER_CHAIN_AT = 5;
export const HEADER_HEIGHT_AT = 9;
export const HEADER_PREVIOUS_AT = 13;
export const HEADER_STATE_ROOT_AT = 45;
export const HEADER_CHECKS_AT = 77;
export const HEADER_DIFFICULTY_AT = 78;
export const HEADER_MIN_FEE_AT = 79;
export const HEADER_DEADLINE_AT = 87;
export const HEADER_COUNT_AT = 91;
/** Size of a work unit header. */
export const HEADER_SIZE = 93;

/** Bits of the header's `checks` byte. Format and ids are always checked, so bit 0 must be set. */
export const CHECK_FORMAT = 1;
export const CHECK_PROOF = 2;
/** Balance, nonce and fee rules; they read the proven leaf, so they require CHECK_PROOF. */
export const CHECK_RULES = 4;
export const CHECK_SIGNATURE = 8;
export const CHECKS_KNOWN = 15;

/**
 * Largest share difficulty (leading zero bits). The nonce is a u32: at 28 bits a search over
 * all 2^32 nonces misses with probability e^-16.
 */
export const MAX_DIFFICULTY = 28;
/** Largest entry count: the accepted-ids frontier has 16 levels. */
export const MAX_ENTRIES = 0xffff;
/** Levels of the accepted-ids Merkle frontier (2^16 > MAX_ENTRIES). */
export const FRONTIER_LEVELS = 16;

/**
 * Result: unit id u32 | counter u32 | entry count u16 | accepted count u16 | accepted root 32 |
 * verdict chain 32 | share nonce u32 | MAC 32. The result digest covers bytes [0, RESULT_NONCE_AT).
 */
export const RESULT_UNIT_AT = 0;
export const RESULT_COUNTER_AT = 4;
export const RESULT_ENTRIES_AT = 8;
export const RESULT_ACCEPTED_AT = 10;
export const RESULT_ACCEPTED_ROOT_AT = 12;
export const RESULT_CHAIN_AT = 44;
export const RESULT_NONCE_AT = 76;
export const RESULT_MAC_AT = 80;
/** Size of a result with its MAC. */
export const RESULT_SIZE = 112;

/** Size of a device id (16 hex characters on the wire). */
export const DEVICE_ID_SIZE = 8;
/** Domain tag that starts the result digest's input (ASCII). */
export const RESULT_TAG = 'micromine/result/1';

/**
 * Ids of the fields a decode error or a verdict names. The device carries only the number; host
 * code names it for people (protocol/messages.ts spells FIELD_HEADER_ENTRY_COUNT as
 * `header.entryCount`), so no field name takes space in an image. A new field takes the next id.
 */
export const FIELD_TX = 1;
export const FIELD_TX_VERSION = 2;
export const FIELD_TX_CHAIN_ID = 3;
export const FIELD_TX_SENDER = 4;
export const FIELD_TX_RECIPIENT = 5;
export const FIELD_TX_AMOUNT = 6;
export const FIELD_TX_FEE = 7;
export const FIELD_TX_NONCE = 8;
export const FIELD_TX_SIGNATURE = 9;
export const FIELD_LEAF = 10;
export const FIELD_PROOF = 11;
export const FIELD_PROOF_LEAF = 12;
export const FIELD_PROOF_INDEX = 13;
export const FIELD_PROOF_DEPTH = 14;
export const FIELD_PROOF_SIBLINGS = 15;
export const FIELD_ENTRY = 16;
export const FIELD_HEADER = 17;
export const FIELD_HEADER_VERSION = 18;
export const FIELD_HEADER_CHECKS = 19;
export const FIELD_HEADER_DIFFICULTY = 20;
export const FIELD_HEADER_DEADLINE = 21;
export const FIELD_HEADER_ENTRY_COUNT = 22;
export const FIELD_RESULT = 23;
export const FIELD_RESULT_ENTRY_COUNT = 24;
export const FIELD_RESULT_ACCEPTED_COUNT = 25;
export const FIELD_RESULT_NONCE = 26;
export const FIELD_RESULT_MAC = 27;

// Functions come after every constant: esbuild inlines only the constants declared before them.

/** Size of a state proof of `depth` levels. */
export function proofSize(depth: number): number {
  return PROOF_SIBLINGS_AT + depth * 32;
}
