/**
 * Ed25519 verification (RFC 8032) for sig-tier devices, over @noble/ed25519. It needs BigInt,
 * so only Moddable XS images contain it; the core sees it only as a VerifySignature.
 * @module
 */
import { hashes, verify } from '@noble/ed25519';
import type { VerifySignature } from '../core/digest.ts';

/** One-shot SHA-512, e.g. Moddable's native `crypt` Digest or @noble/hashes' sha512. */
export type Sha512 = (data: Uint8Array) => Uint8Array<ArrayBuffer>;

/**
 * Returns a verifier that uses `sha512`. The library keeps its hash in module state, so this
 * installs `sha512` there; every verifier in one program shares it. Verification is strict
 * RFC 8032 (no ZIP-215 leniency), the same rule the node applies, and any defect in the
 * signature, key or lengths yields false rather than an exception.
 */
export function createVerifier(sha512: Sha512): VerifySignature {
  hashes.sha512 = sha512;
  return function verifySignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
    try {
      return verify(signature, message, publicKey, { zip215: false });
    } catch (error) {
      return false;
    }
  };
}
