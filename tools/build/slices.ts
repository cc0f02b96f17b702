// Slice bounds per profile: how much of each kind of work fits in the profile's slice bound
// (sliceMs) at its CPU rate, counting each kind's JavaScript work in XS computrons and its
// native digests at the profile's digest costs. The costs are the worst the simulator's XS engine
// measures (`npx tsx tools/measure/slices.ts`, checked by test/app/slices.test.ts) plus a margin.
import type { SliceBounds } from '../../firmware/app/work.ts';
import type { DigestCost, Profile } from '../manifests/index.ts';
import { BuildError, at } from './errors.ts';

/**
 * XS computrons of each kind of work, beside its native digests: upper bounds of what
 * tools/measure/slices.ts measures (in parentheses), checked by test/app/slices.test.ts.
 */
export const SLICE_COMPUTRONS = {
  /**
   * what every slice costs beside its units of work: the app's dispatch, clock reads and yield,
   * and a step's own setup (a whole judging slice's besides its work: 591 in the simulator)
   */
  slice: 800,
  /** one share attempt, SHA-256 of 36 bytes (344) */
  attempt: 500,
  /** one entry byte decoded from hex, with a look at the clock every 32 bytes (77) */
  hexByte: 85,
  /** one state proof level or frontier merge, SHA-256 of 65 bytes (593 to 603) */
  level: 650,
  /**
   * what a proof or fold step does beside its levels: at the proof's top the root comparison,
   * the rules and starting the verifier (1,748); in a fold the id, its leaf and the chain, 3
   * SHA-256 of up to 89 bytes (930)
   */
  levelStep: 2000,
  /** one step of the Ed25519 verifier, its one SHA-512 (of 153 bytes) aside (5,294) */
  verifierStep: 5600,
  /** decoding an entry and its cheap checks, SHA-256 of the 45-byte leaf (3,127) */
  open: 3500,
} as const;

/** Bytes of one share attempt's, one proof level's, the leaf's and the signature challenge's hash; SHA-256 calls of a fold step beside its merges, and the largest one's bytes. */
const ATTEMPT_BYTES = 36;
const LEVEL_BYTES = 65;
const LEAF_BYTES = 45;
const CHALLENGE_BYTES = 153;
const FOLD_DIGESTS = 3;
const FOLD_DIGEST_BYTES = 89;

/** Milliseconds of one native digest of `bytes` (SHA-2 pads with at least 1 + 2·word bytes). */
function digestMs(cost: DigestCost, bytes: number, lengthBytes: number): number {
  return (cost.usPerCall.value + Math.ceil((bytes + 1 + lengthBytes) / cost.blockBytes) * cost.usPerBlock.value) / 1000;
}

/** The slice bounds the image of `profile` uses; `file` names the profile in errors. */
export function sliceBounds(profile: Profile, file: string): SliceBounds {
  const fail = (field: string, problem: string, hint: string): never => {
    const location = { file, field };
    throw new BuildError('manifest', location, at(location, problem), hint);
  };
  const sha256 = profile.digests.SHA256;
  if (sha256 === undefined) return fail('digests.SHA256', 'missing: the image needs the runtime\'s native SHA-256', 'add the SHA256 digest cost (docs/manifests.md)');
  const sha512 = profile.digests.SHA512;
  const sig = profile.tier === 'sig';
  if (sig && sha512 === undefined) return fail('digests.SHA512', 'missing: a sig-tier image needs the runtime\'s native SHA-512', 'add the SHA512 digest cost (docs/manifests.md)');
  const ms = (computrons: number) => computrons / profile.cpu.computronsPerMs.value;
  const budget = profile.sliceMs - ms(SLICE_COMPUTRONS.slice);
  const tooLong = (step: string, stepMs: number): never => fail('sliceMs',
    `${profile.sliceMs} ms cannot hold ${step}: ${(stepMs + profile.sliceMs - budget).toFixed(1)} ms at this CPU rate`,
    'raise sliceMs, or check cpu.computronsPerMs');
  // The step that cannot be cut must fit in one slice on its own.
  const open = ms(SLICE_COMPUTRONS.open) + digestMs(sha256, LEAF_BYTES, 8);
  if (open > budget) tooLong('an entry\'s decoding and cheap checks', open);
  /** How many of a step costing `each` ms fit beside `fixed` ms in a slice; a slice must hold one. */
  const count = (step: string, fixed: number, each: number): number => {
    if (fixed + each > budget) tooLong(step, fixed + each);
    return Math.floor((budget - fixed) / each);
  };
  return {
    attempts: count('one share attempt', 0, ms(SLICE_COMPUTRONS.attempt) + digestMs(sha256, ATTEMPT_BYTES, 8)),
    hexBytes: count('decoding one byte', 0, ms(SLICE_COMPUTRONS.hexByte)),
    levels: count('one proof level', ms(SLICE_COMPUTRONS.levelStep) + FOLD_DIGESTS * digestMs(sha256, FOLD_DIGEST_BYTES, 8), ms(SLICE_COMPUTRONS.level) + digestMs(sha256, LEVEL_BYTES, 8)),
    verifierSteps: sig ? count('one verifier step', digestMs(sha512 as DigestCost, CHALLENGE_BYTES, 16), ms(SLICE_COMPUTRONS.verifierStep)) : 0,
    ms: profile.sliceMs,
  };
}
