/**
 * The image's self-test: known SHA-256 and HMAC-SHA256 vectors through the runtime's own digest,
 * then one tiny work unit through the real validator (an entry it must accept with a known result
 * digest, and the same entry with one byte flipped, which it must reject). The simulator and the
 * flash read-back call it to learn that the stored image computes what the node expects.
 * @module
 */
import { asciiBytes } from '../core/bytes.ts';
import { hmacSha256, type Digest, type SignatureVerifier } from '../core/digest.ts';
import { bytesToHex, hexToBytes } from '../core/hex.ts';
import { checkEntry, finishUnit, openUnit } from '../core/validator.ts';

/** The unit part of the self-test, generated at build time from the node's reference encoders. */
export interface SelfTestVector {
  /** unit header, hex with its zero runs written short (see {@link expandZeros}); asks for signature checks on sig-tier images */
  header: string;
  /** the unit's only entry, written as the header is; accepted */
  entry: string;
  /** device id (16 hex characters) and counter the result is finished under */
  deviceId: string;
  counter: number;
  /** the expected result digest, hex */
  digest: string;
  /** a byte of the entry to flip, and the verdict code the flipped entry must get */
  tamperAt: number;
  tamperedVerdict: number;
}

/** Which checks failed; `pass` when none did. */
export interface SelfTestReport {
  pass: boolean;
  failed: string[];
}

/** Sixteen `0` digits, which the build writes as one `z` in the vector's header and entry. */
const ZEROS = '0000000000000000';

/** The hex a vector field stands for: each `z` back to sixteen `0` digits. */
export function expandZeros(compact: string): string {
  return compact.split('z').join(ZEROS);
}

/** Runs every check; never throws (a check that throws has failed). */
export function selfTest(digest: Digest, verify: SignatureVerifier | null, vector: SelfTestVector): SelfTestReport {
  const failed: string[] = [];
  const check = (name: string, run: () => boolean) => {
    try {
      if (run()) return;
    } catch (error) {
      // a check that throws has failed
    }
    failed.push(name);
  };
  // FIPS 180-2's one-block example and RFC 4231 test case 2. The HMAC's inner and outer hashes are
  // two blocks each, so multi-block SHA-256 is covered without FIPS's two-block example (150 bytes
  // of image). Written in the checks, not in a table made at load, so that they hold no memory
  // while the program runs.
  check('sha256-abc', () => bytesToHex(digest.sha256(asciiBytes('abc'))) === 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  check('hmac-rfc4231-2', () => bytesToHex(hmacSha256(digest, asciiBytes('Jefe'), asciiBytes('what do ya want for nothing?'))) ===
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  const open = () => openUnit(hexToBytes(expandZeros(vector.header)) as Uint8Array, { digest: digest, verify: verify });
  const entry = () => hexToBytes(expandZeros(vector.entry)) as Uint8Array;
  check('unit-accept', () => {
    const opened = open();
    return opened.ok && checkEntry(opened.value, entry()).code === 0 &&
      bytesToHex(finishUnit(opened.value, hexToBytes(vector.deviceId) as Uint8Array, vector.counter).digest) === vector.digest;
  });
  check('unit-reject', () => {
    const tampered = entry();
    tampered[vector.tamperAt] ^= 1;
    const opened = open();
    return opened.ok && checkEntry(opened.value, tampered).code === vector.tamperedVerdict;
  });
  return { pass: failed.length === 0, failed: failed };
}
