/**
 * The digest interface through which every hash reaches the core, and HMAC-SHA256 on top of it.
 * A target plugs its native C digest (Moddable `crypt` Digest, Espruino `crypto.SHA256`); the
 * interface is one-shot because Espruino's SHA256 has no incremental update.
 * @module
 */

/** One-shot SHA-256. The result may be reused by the next call: the core copies what it keeps. */
export interface Digest {
  sha256(data: Uint8Array): Uint8Array;
}

/** Ed25519 verification in one call, as the node does it natively. Must return false, not throw, on bad input. */
export type VerifySignature = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * Ed25519 verification in bounded steps, injected by sig-tier devices (firmware/sig): `begin`
 * takes a signature, then each `step(budget)` does at most `budget` steps of bounded cost and
 * returns the verdict once it is known, else null. The arrays must not change until the verdict.
 * Bad input gives false, never an exception.
 */
export interface SignatureVerifier {
  begin(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): void;
  step(budget: number): boolean | null;
}

/** A stepped verifier run to its verdict in one call, for code that needs no slicing (the node, tests). */
export function verifyAtOnce(verifier: SignatureVerifier): VerifySignature {
  return function (signature, message, publicKey) {
    verifier.begin(signature, message, publicKey);
    return verifier.step(Infinity) as boolean;
  };
}

const BLOCK = 64;

/** HMAC-SHA256 (RFC 2104) of `message` under `key`: four SHA-256 compressions for short inputs. */
export function hmacSha256(digest: Digest, key: Uint8Array, message: Uint8Array): Uint8Array {
  const padded = new Uint8Array(BLOCK);
  padded.set(key.length > BLOCK ? digest.sha256(key) : key);
  const inner = new Uint8Array(BLOCK + message.length);
  const outer = new Uint8Array(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = padded[i] ^ 0x36;
    outer[i] = padded[i] ^ 0x5c;
  }
  inner.set(message, BLOCK);
  outer.set(digest.sha256(inner), BLOCK);
  return copy32(digest.sha256(outer));
}

/** A private copy of a 32-byte digest result. */
export function copy32(hash: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(hash);
  return out;
}
