/**
 * The script the cost measurement runs inside XS: the validation core with the pure-JS digest
 * (noble) or a host-side digest, the Ed25519 verifier, and a command handler. Each command does one measured thing;
 * the first byte says which, the rest is its input.
 * @module
 */
import { sign } from '@noble/ed25519';
import { hmacSha256 } from '../../firmware/core/digest.ts';
import { searchShare, startShareSearch } from '../../firmware/core/share.ts';
import { openUnit, type UnitValidator } from '../../firmware/core/validator.ts';
import { nobleDigest, nobleSha512 } from '../../firmware/digest/noble.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';

import type { Digest } from '../../firmware/core/digest.ts';
import { OP } from './ops.ts';

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;

/** SHA-256 computed by the host, outside the metered VM, as a native C digest would be. */
const hostDigest: Digest = { sha256: (data) => new Uint8Array(issueCommand(data.slice().buffer)) };

let validator: UnitValidator | undefined;
const verify = createVerifier(nobleSha512);

function open(header: Uint8Array, digest: Digest, withSignatures: boolean): Uint8Array {
  const opened = openUnit(header, { digest, verify: withSignatures ? verify : null });
  if (!opened.ok) throw new Error(opened.error.message);
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
    case OP.openHash: return open(input, nobleDigest, false);
    case OP.openSig: return open(input, nobleDigest, true);
    case OP.openHashNative: return open(input, hostDigest, false);
    case OP.openSigNative: return open(input, hostDigest, true);
    case OP.check: return Uint8Array.of(validator!.check(input).code);
    case OP.share: return share(nobleDigest, input);
    case OP.shareNative: return share(hostDigest, input);
    case OP.hmac: return hmacSha256(nobleDigest, input.subarray(0, 32), input.subarray(32));
    case OP.hmacNative: return hmacSha256(hostDigest, input.subarray(0, 32), input.subarray(32));
    case OP.sha256: return nobleDigest.sha256(input);
    case OP.sign: return sign(input.subarray(32), input.subarray(0, 32));
    case OP.verify: return Uint8Array.of(verify(input.subarray(0, 64), input.subarray(96), input.subarray(64, 96)) ? 1 : 0);
    default: throw new Error(`unknown op ${op}`);
  }
}

(globalThis as unknown as { handleCommand(message: ArrayBuffer): ArrayBuffer }).handleCommand = (message) => {
  const bytes = new Uint8Array(message);
  const out = handle(bytes[0], bytes.subarray(1));
  return out.slice().buffer;
};
