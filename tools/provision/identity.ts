/**
 * Device identities (docs/decisions.md): an id of 8 random bytes written as 16 lowercase hex
 * characters, and a 32-byte key, both drawn from the operating system's cryptographic source.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { bytesToHex } from '../../firmware/core/hex.ts';

/** A source of `n` cryptographically random bytes. */
export type RandomSource = (n: number) => Uint8Array;

/** The default source: `crypto.randomBytes` (the OS CSPRNG). */
export const systemRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

/** Bytes in a device id and in a device key. */
export const ID_BYTES = 8;
export const KEY_BYTES = 32;

/** A new device's id and key. */
export interface DeviceIdentity {
  readonly id: string;
  readonly key: Uint8Array;
}

/** Draws a fresh identity; `random` is for tests that need to see what was drawn. */
export function createIdentity(random: RandomSource = systemRandom): DeviceIdentity {
  const idBytes = random(ID_BYTES);
  const key = random(KEY_BYTES);
  if (idBytes.length !== ID_BYTES || key.length !== KEY_BYTES) {
    throw new RangeError(`random source returned ${idBytes.length} and ${key.length} bytes, expected ${ID_BYTES} and ${KEY_BYTES}`);
  }
  return { id: bytesToHex(idBytes), key };
}
