/** Command bytes understood by xs-bench.ts: the first byte of each command. */
export const OP = {
  nothing: 0,
  /** open a unit (input: header) validating with the pure-JS digest, without / with signatures */
  openHash: 1,
  openSig: 2,
  /** the same, with SHA-256 done by the host (stands in for a native C digest) */
  openHashNative: 3,
  openSigNative: 4,
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
  /** input: signature 64 | public key 32 | message */
  verify: 10,
} as const;
