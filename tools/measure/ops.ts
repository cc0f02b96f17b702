/** Command bytes understood by xs-bench.ts: the first byte of each command. */
export const QUERY_SHA256 = 0;
export const QUERY_SHA512 = 1;

export const OP = {
  nothing: 0,
  /** open a unit (input: header) validating with the pure-JS digest, without / with signatures */
  openHash: 1,
  openSig: 2,
  /** the same, with SHA-256 done by the host (stands in for a native C digest) */
  openHashNative: 3,
  openSigNative: 4,
  /** signatures with SHA-256 and SHA-512 both done by the host (Moddable's crypt has both) */
  openSigAllNative: 13,
  /** check one entry (input: entry) in the open unit */
  check: 5,
  /** input: digest 32 | attempts u32 LE; JS digest / host digest */
  share: 6,
  shareNative: 11,
  /** input: key 32 | message; JS digest / host digest */
  hmac: 7,
  hmacNative: 12,
  sha256: 8,
  /** input: secret key 32 | message */
  sign: 9,
  /** input: signature 64 | public key 32 | message; firmware/sig's verifier / @noble/ed25519's own verify */
  verify: 10,
  libraryVerify: 14,
} as const;
