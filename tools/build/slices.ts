// Share search slice bounds per profile: how many nonces fit in the profile's slice bound at its
// CPU rate, counting each attempt's JavaScript work and its native SHA-256.
import type { SliceBounds } from '../../firmware/app/work.ts';
import type { Profile } from '../manifests/index.ts';
import { BuildError, at } from './errors.ts';

/**
 * XS computrons of one attempt beside its SHA-256: docs/protocol.md measures 345 for the core's
 * loop; the slice loop around it and a margin bring it to 500.
 */
export const SHARE_ATTEMPT_COMPUTRONS = 500;
/** Bytes one attempt hashes: the result digest and the nonce. */
const ATTEMPT_BYTES = 36;

/** The slice bounds the image of `profile` uses; `file` names the profile in errors. */
export function sliceBounds(profile: Profile, file: string): SliceBounds {
  const sha256 = profile.digests.SHA256;
  if (sha256 === undefined) {
    const location = { file, field: 'digests.SHA256' };
    throw new BuildError('manifest', location, at(location, 'missing: the image needs the runtime\'s native SHA-256'), 'add the SHA256 digest cost (docs/manifests.md)');
  }
  // SHA-256 pads with at least 9 bytes (0x80 and the 64-bit length).
  const blocks = Math.ceil((ATTEMPT_BYTES + 9) / sha256.blockBytes);
  const nativeMs = (sha256.usPerCall.value + blocks * sha256.usPerBlock.value) / 1000;
  const attemptMs = SHARE_ATTEMPT_COMPUTRONS / profile.cpu.computronsPerMs.value + nativeMs;
  return { attempts: Math.max(1, Math.floor(profile.sliceMs / attemptMs)), ms: profile.sliceMs };
}
