/**
 * Whether this code checks Ed25519 signatures: true from source (the node, the tools and the
 * tests) and in sig-tier images. The build serves hash-tier images this module with `false`
 * (tools/build/bundle.ts), so that the signature paths drop out of them; a hash-tier device still
 * refuses a unit that asks for signature checks (openUnit's `tier` error).
 * @module
 */

/** False only in hash-tier images. */
export const SIGNATURE_CHECKS: boolean = true;
