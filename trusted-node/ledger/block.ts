/**
 * The ledger's block header and credit formats (the node's own: devices never see a block).
 * Roots reuse the formats' Merkle definitions: the transaction root is the RFC 6962 tree over
 * transaction ids that devices compute as their accepted root, the credit root the same tree
 * over credit leaves, and the state root the state tree of protocol/state.ts.
 *
 * Block header, 153 bytes, little-endian like every format:
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 1 | version (1) |
 * | 1 | 4 | chain id |
 * | 5 | 4 | height |
 * | 9 | 8 | time, ms since the Unix epoch (u64) |
 * | 17 | 32 | previous block hash (zeros for block 0) |
 * | 49 | 32 | transaction root |
 * | 81 | 32 | credit root |
 * | 113 | 32 | state root after the block |
 * | 145 | 4 | transaction count |
 * | 149 | 4 | credit count |
 *
 * Block hash = SHA-256(header). Credit leaf, 40 bytes: account public key 32 | amount u64.
 * @module
 */
import { bytes, u32 } from '../../firmware/core/assert.ts';
import { writeU32 } from '../../firmware/core/bytes.ts';
import { sha256 } from '../../protocol/digest.ts';
import { u64, writeU64 } from '../../protocol/fields.ts';
import { acceptedRoot } from '../../protocol/result.ts';
import type { BlockHeader, Credit } from '../store/types.ts';

/** Version byte of block headers. */
export const BLOCK_VERSION = 1;
/** Size of an encoded block header. */
export const BLOCK_HEADER_SIZE = 153;
/** Size of an encoded credit leaf. */
export const CREDIT_SIZE = 40;
/** Previous hash of block 0. */
export const ZERO_HASH: Uint8Array = new Uint8Array(32);

/** Encodes a block header; throws TypeError/RangeError naming a bad field. */
export function encodeBlockHeader(header: BlockHeader): Uint8Array {
  const out = new Uint8Array(BLOCK_HEADER_SIZE);
  out[0] = header.version;
  if (header.version !== BLOCK_VERSION) throw new RangeError(`"version" expected ${BLOCK_VERSION}, got ${header.version}`);
  writeU32(out, 1, u32('chainId', header.chainId));
  writeU32(out, 5, u32('height', header.height));
  if (!Number.isSafeInteger(header.time) || header.time < 0) throw new RangeError(`"time" expected milliseconds >= 0, got ${header.time}`);
  writeU64(out, 9, BigInt(header.time));
  out.set(bytes('prevHash', header.prevHash, 32), 17);
  out.set(bytes('txRoot', header.txRoot, 32), 49);
  out.set(bytes('creditRoot', header.creditRoot, 32), 81);
  out.set(bytes('stateRoot', header.stateRoot, 32), 113);
  writeU32(out, 145, u32('txCount', header.txCount));
  writeU32(out, 149, u32('creditCount', header.creditCount));
  return out;
}

/** The block hash: SHA-256 of the encoded header. */
export function blockHash(header: BlockHeader): Uint8Array {
  return sha256(encodeBlockHeader(header));
}

/** Encodes a 40-byte credit leaf. */
export function encodeCredit(credit: Credit): Uint8Array {
  const out = new Uint8Array(CREDIT_SIZE);
  out.set(bytes('account', credit.account, 32));
  writeU64(out, 32, u64('amount', credit.amount));
  return out;
}

/** Root over transaction ids in block order (RFC 6962; SHA-256 of nothing when empty). */
export function transactionRoot(ids: readonly Uint8Array[]): Uint8Array {
  return acceptedRoot(ids);
}

/** Root over credit leaves in block order (RFC 6962; SHA-256 of nothing when empty). */
export function creditRoot(credits: readonly Credit[]): Uint8Array {
  return acceptedRoot(credits.map(encodeCredit));
}
