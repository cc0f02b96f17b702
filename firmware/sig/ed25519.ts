/**
 * Ed25519 verification (RFC 8032, strict) for sig-tier devices: a state machine on
 * @noble/ed25519's point arithmetic that a device advances a bounded number of steps per slice,
 * so no slice holds the CPU for a whole verify (about 1.3 million computrons). It needs BigInt, so
 * only Moddable XS images contain it; the core sees it only as a SignatureVerifier.
 *
 * The rules are the library's strict ones (`verify(..., { zip215: false })`, cross-checked by the
 * tests): canonical encodings (y < p, no x = 0 with the sign bit set), s < L, small-order public
 * keys refused, and the cofactored equation [8](R + k·A − s·B) = 0. Each step costs at most about
 * one point doubling plus one addition (docs/firmware.md has the measured bound):
 *
 * 1. check the lengths and s < L, and start decoding A;
 * 2. decode a point: its square root by exponentiation, 16 square-and-multiply rounds a step;
 * 3. refuse a small-order A: three doublings, one a step, then the identity test; start decoding R;
 * 4. hash the challenge k = SHA-512(R || A || M) mod L;
 * 5. make the table A, −B, A − B;
 * 6. k·A − s·B by one joint double-and-add ladder (Straus), one bit of both scalars a step;
 * 7. add R, then multiply by 8 (three doublings, one a step) and test for the identity.
 *
 * The library's own `verify` could not be sliced, and its first multiplication of the base point
 * builds a table of 4,224 points (about 21,000 XS slots, four times a Moddable ESP32's heap).
 * This module never calls `multiply`, so no table is ever built, and the joint ladder makes one
 * pass over the scalars where two multiplications made two.
 * @module
 */
import { Point } from '@noble/ed25519';
import type { SignatureVerifier } from '../core/digest.ts';

/** One-shot SHA-512, e.g. Moddable's native `crypt` Digest or @noble/hashes' sha512. */
export type Sha512 = (data: Uint8Array) => Uint8Array;

/**
 * Returns a stepped verifier using `sha512` for the challenge hash. Any defect in the signature,
 * key, lengths or encodings yields false, never an exception.
 *
 * The constants and helpers live inside: every module-level name of a bundled image holds a slot
 * of the module's frame while the image loads, and a Moddable ESP32-C3 has a 384-slot stack.
 */
export function createVerifier(sha512: Sha512): SignatureVerifier {
  const P = Point.CURVE().p;
  const L = Point.CURVE().n;
  /** A square root of −1 modulo p: 2^((p−1)/4). */
  const SQRT_M1 = 0x2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0n;
  const LOW_255 = (1n << 255n) - 1n;

  /** a·b mod p for a, b in [0, p): 2^255 ≡ 19 folds the product, cheaper in XS than `%` alone. */
  function mul(a: bigint, b: bigint): bigint {
    let r = a * b;
    r = (r >> 255n) * 19n + (r & LOW_255);
    r = (r >> 255n) * 19n + (r & LOW_255);
    return r >= P ? r - P : r;
  }

  /** a − b mod p for a, b in [0, p). */
  function sub(a: bigint, b: bigint): bigint {
    return a >= b ? a - b : a - b + P;
  }

  function littleEndian(bytes: Uint8Array): bigint {
    let value = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
    return value;
  }

  function bit(n: bigint, index: number): number {
    return Number((n >> BigInt(index)) & 1n);
  }

  const none: Uint8Array = new Uint8Array(0);
  let signature = none;
  let message = none;
  let publicKey = none;
  let verdict: boolean | null = false;
  /** the next step: the state of the machine */
  let next = start;
  /** the exponent bit, ladder bit or doubling the next step does */
  let at = 0;
  let s = 0n;
  let k = 0n;
  // The point being decoded: y, its sign bit, u = y² − 1, v = dy² + 1, u·v³, w = u·v⁷, and t, w to the exponent's bits so far.
  let y = 0n;
  let sign = 0n;
  let u = 0n;
  let v = 0n;
  let uv3 = 0n;
  let w = 0n;
  let t = 0n;
  let a: Point | null = null;
  let r: Point | null = null;
  let sum = Point.ZERO;
  let table: Point[] = [];

  /** Settles the verdict and lets go of the inputs and points, so nothing stays on the heap between signatures. */
  function finish(valid: boolean): void {
    verdict = valid;
    signature = message = publicKey = none;
    a = r = null;
    sum = Point.ZERO;
    table = [];
    s = k = y = u = v = uv3 = w = t = 0n;
  }

  function start(): void {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return finish(false);
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32 || !(message instanceof Uint8Array)) return finish(false);
    s = littleEndian(signature.subarray(32, 64));
    if (s >= L) return finish(false);
    decodeFrom(publicKey);
  }

  /** Starts decoding the point `bytes` (RFC 8032 5.1.3, as the library computes it). */
  function decodeFrom(bytes: Uint8Array): void {
    const full = littleEndian(bytes);
    y = full & LOW_255;
    sign = full >> 255n;
    if (y >= P) return finish(false);
    const y2 = mul(y, y);
    u = sub(y2, 1n);
    v = mul(Point.CURVE().d, y2) + 1n;
    if (v === P) v = 0n;
    const v3 = mul(mul(v, v), v);
    uv3 = mul(u, v3);
    w = mul(uv3, mul(v3, v));
    t = 1n;
    // The exponent (p − 5) / 8 = 2^252 − 3 has 252 bits, every one set but bit 1.
    at = 251;
    next = decode;
  }

  /** Square-and-multiply rounds of w^((p − 5) / 8); then the root x = u·v³·t, or false. */
  function decode(): void {
    for (const end = Math.max(at - 16, -1); at > end; at--) {
      t = mul(t, t);
      if (at !== 1) t = mul(t, w);
    }
    if (at >= 0) return;
    let x = mul(uv3, t);
    const vx2 = mul(v, mul(x, x));
    if (vx2 !== u) {
      if (vx2 !== sub(0n, u)) return finish(false);
      x = mul(x, SQRT_M1);
    }
    if (x === 0n && sign === 1n) return finish(false);
    if ((x & 1n) !== sign) x = sub(0n, x);
    const point = Point.fromAffine({ x: x, y: y });
    if (a === null) {
      a = sum = point;
      at = 3;
      next = smallOrder;
    } else {
      r = point;
      next = challenge;
    }
  }

  function smallOrder(): void {
    sum = sum.double();
    if (--at > 0) return;
    if (sum.is0()) return finish(false);
    decodeFrom(signature.subarray(0, 32));
  }

  function challenge(): void {
    const hashed = new Uint8Array(64 + message.length);
    hashed.set(signature.subarray(0, 32));
    hashed.set(publicKey, 32);
    hashed.set(message, 64);
    k = littleEndian(sha512(hashed)) % L;
    next = makeTable;
  }

  function makeTable(): void {
    const negatedBase = Point.BASE.negate();
    table = [a as Point, negatedBase, (a as Point).add(negatedBase)];
    sum = Point.ZERO;
    // Scalars are below L < 2^253.
    at = 252;
    next = ladder;
  }

  function ladder(): void {
    if (at < 0) {
      sum = sum.add(r as Point);
      at = 3;
      next = clear;
      return;
    }
    sum = sum.double();
    const pick = bit(k, at) | (bit(s, at) << 1);
    if (pick !== 0) sum = sum.add(table[pick - 1]);
    at--;
  }

  function clear(): void {
    sum = sum.double();
    if (--at === 0) finish(sum.is0());
  }

  return {
    begin: function (sig: Uint8Array, msg: Uint8Array, key: Uint8Array): void {
      signature = sig;
      message = msg;
      publicKey = key;
      verdict = null;
      a = r = null;
      next = start;
    },
    step: function (budget: number): boolean | null {
      try {
        for (let n = 0; n < budget && verdict === null; n++) next();
      } catch (error) {
        finish(false);
      }
      return verdict;
    },
  };
}
