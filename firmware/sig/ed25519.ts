/**
 * Ed25519 verification (RFC 8032, strict) for sig-tier devices, on @noble/ed25519's point
 * arithmetic. It needs BigInt, so only Moddable XS images contain it; the core sees it only as
 * a VerifySignature.
 *
 * Why not the library's own `verify`: any multiplication of the base point there builds a
 * process-wide table of 4,224 precomputed points, about 21,000 XS slots that stay in RAM, four
 * times the whole heap of a Moddable ESP32 (4,928 slots), and the device would abort. A signer
 * choosing the base point as its key, or an R that makes the final sum equal it, would trigger
 * it just the same. So this module never multiplies a point that may be the base point:
 * s·B is computed as (s/2)·(2B), which takes the library's table-free ladder, and the cofactor is
 * cleared by three doublings. The rules are the library's strict ones (the same as
 * `verify(..., { zip215: false })`, cross-checked by the tests): canonical encodings, s < L,
 * small-order public keys refused, and the cofactored equation [8](R + k·A − s·B) = 0.
 * @module
 */
import { Point } from '@noble/ed25519';
import type { VerifySignature } from '../core/digest.ts';

/** One-shot SHA-512, e.g. Moddable's native `crypt` Digest or @noble/hashes' sha512. */
export type Sha512 = (data: Uint8Array) => Uint8Array;

const L = Point.CURVE().n;
/** The inverse of 2 modulo the group order L (odd): s·B = (s·HALF mod L)·(2B). */
const HALF = (L + 1n) / 2n;
const TWICE_BASE = Point.BASE.double();

/**
 * `a` mod `m` in [0, m). Written here rather than taken from the library's `etc`, whose other
 * helpers (random bytes, hex, concatenation) would then stay in every image (410 bytes).
 */
function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r >= 0n ? r : r + m;
}

function littleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

/** n·P for n in [0, L), never through the base-point table. */
function multiply(point: Point, n: bigint): Point {
  return point.equals(Point.BASE) ? TWICE_BASE.multiply(mod(n * HALF, L), false) : point.multiply(n, false);
}

/** 8·P by doubling, so no multiplication by the cofactor can meet the base point. */
function timesEight(point: Point): Point {
  return point.double().double().double();
}

/**
 * Returns a verifier using `sha512` for the challenge hash. Any defect in the signature, key,
 * lengths or encodings yields false rather than an exception.
 */
export function createVerifier(sha512: Sha512): VerifySignature {
  return function verifySignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32 || !(message instanceof Uint8Array)) return false;
    try {
      const encodedR = signature.subarray(0, 32);
      const a = Point.fromBytes(publicKey, false);
      const r = Point.fromBytes(encodedR, false);
      const s = littleEndian(signature.subarray(32, 64));
      if (s >= L || timesEight(a).is0()) return false;
      const challenge = new Uint8Array(64 + message.length);
      challenge.set(encodedR);
      challenge.set(publicKey, 32);
      challenge.set(message, 64);
      const k = mod(littleEndian(sha512(challenge)), L);
      return timesEight(r.add(multiply(a, k)).subtract(multiply(Point.BASE, s))).is0();
    } catch (error) {
      return false;
    }
  };
}
