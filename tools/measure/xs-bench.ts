/**
 * The script the cost measurement runs inside XS: the validation core with the pure-JS digest
 * (noble) or a host-side digest, the Ed25519 verifier, and a command handler. Each command does one measured thing;
 * the first byte says which, the rest is its input.
 * @module
 */
import { hashes, sign, verify as libraryVerify } from '@noble/ed25519';
import { hmacSha256, verifyAtOnce } from '../../firmware/core/digest.ts';
import { errorText } from '../../firmware/core/errors.ts';
import { searchShare, startShareSearch } from '../../firmware/core/share.ts';
import { checkEntry, openUnit, type UnitValidator } from '../../firmware/core/validator.ts';
import { nobleDigest, nobleSha512 } from '../../firmware/digest/noble.ts';
import { createVerifier, type Sha512 } from '../../firmware/sig/ed25519.ts';

import type { Digest } from '../../firmware/core/digest.ts';
import { OP, QUERY_SHA256, QUERY_SHA512 } from './ops.ts';

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;

function hostHash(kind: number, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const query = new Uint8Array(1 + data.length);
  query[0] = kind;
  query.set(data, 1);
  return new Uint8Array(issueCommand(query.buffer));
}

/** SHA-256 computed by the host, outside the metered VM, as a native C digest would be. */
const hostDigest: Digest = { sha256: (data) => hostHash(QUERY_SHA256, data) };
const hostSha512 = (data: Uint8Array) => hostHash(QUERY_SHA512, data);

let validator: UnitValidator | undefined;
const verify = verifyAtOnce(createVerifier(nobleSha512));
// For signing and for the library's own verify (measured for comparison).
hashes.sha512 = nobleSha512;

function open(header: Uint8Array, digest: Digest, sha512: Sha512 | null): Uint8Array {
  const opened = openUnit(header, { digest, verify: sha512 === null ? null : createVerifier(sha512) });
  if (!opened.ok) throw new Error('the header does not open: ' + errorText(opened.error));
  validator = opened.value;
  return new Uint8Array(0);
}

/** input: digest 32 | attempts u32 LE; difficulty 28, so nothing is found early */
function share(digest: Digest, input: Uint8Array): Uint8Array {
  const search = startShareSearch(input.subarray(0, 32), 28);
  searchShare(digest, search, new DataView(input.buffer, input.byteOffset + 32, 4).getUint32(0, true));
  return Uint8Array.of(search.found === undefined ? 0 : 1);
}

function handle(op: number, input: Uint8Array): Uint8Array {
  switch (op) {
    case OP.nothing: return new Uint8Array(0);
    case OP.openHash: return open(input, nobleDigest, null);
    case OP.openSig: return open(input, nobleDigest, nobleSha512);
    case OP.openHashNative: return open(input, hostDigest, null);
    case OP.openSigNative: return open(input, hostDigest, nobleSha512);
    case OP.openSigAllNative: return open(input, hostDigest, hostSha512);
    case OP.check: return Uint8Array.of(checkEntry(validator!, input).code);
    case OP.share: return share(nobleDigest, input);
    case OP.shareNative: return share(hostDigest, input);
    case OP.hmac: return hmacSha256(nobleDigest, input.subarray(0, 32), input.subarray(32));
    case OP.hmacNative: return hmacSha256(hostDigest, input.subarray(0, 32), input.subarray(32));
    case OP.sha256: return nobleDigest.sha256(input);
    case OP.sign: return sign(input.subarray(32), input.subarray(0, 32));
    case OP.verify: return Uint8Array.of(verify(input.subarray(0, 64), input.subarray(96), input.subarray(64, 96)) ? 1 : 0);
    case OP.libraryVerify: return Uint8Array.of(libraryVerify(input.subarray(0, 64), input.subarray(96), input.subarray(64, 96), { zip215: false }) ? 1 : 0);
    default: throw new Error(`unknown op ${op}`);
  }
}

(globalThis as unknown as { handleCommand(message: ArrayBuffer): ArrayBuffer }).handleCommand = (message) => {
  const bytes = new Uint8Array(message);
  const out = handle(bytes[0], bytes.subarray(1));
  return out.slice().buffer;
};
