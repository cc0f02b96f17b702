/**
 * The script slices.ts runs inside the simulator's XS engine: the app's entry slices
 * (firmware/app/work.ts) and share slices on the real validator and Ed25519 verifier, with the
 * digests computed by the host as a device's native digest would be. Each global does one thing;
 * the host measures every call (one call is one slice) and counts the digests it asked for.
 * @module
 */
import type { Digest } from '../../firmware/core/digest.ts';
import { beginEntry } from '../../firmware/core/validator.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import { beginShare, entrySlice, hexSlice, openWork, searchSlice, takeEntry, type SliceBounds, type Work } from '../../firmware/app/work.ts';

declare function hostCall(message: Uint8Array): ArrayBuffer;

/** First byte of a host call: which digest the rest is for. */
export const HOST_SHA256 = 0;
export const HOST_SHA512 = 1;

function hostHash(kind: number, data: Uint8Array): Uint8Array {
  const query = new Uint8Array(1 + data.length);
  query[0] = kind;
  query.set(data, 1);
  return new Uint8Array(hostCall(query));
}

const digest: Digest = { sha256: (data) => hostHash(HOST_SHA256, data) };
const verifier = createVerifier((data) => hostHash(HOST_SHA512, data));
// The device's clock does not move inside a call: slices end on their counts, the worst case.
const now = () => 0;
let work: Work | null = null;
/** the entry taken, its hex and how much of it is decoded: the device decodes it so (device.ts, decodeThen) */
let entry: Uint8Array = new Uint8Array(0);
let entryHex = '';
let decoded = 0;
let bounds: SliceBounds = { attempts: 1, hexBytes: 1, levels: 1, verifierSteps: 1, ms: 1e9 };

const api = {
  /** Opens a unit from its header, with the verifier when `sig` is 1; returns 1 when it opened. */
  sliceOpen(header: ArrayBuffer, sig: number): number {
    const opened = openWork(1, new Uint8Array(header), digest, sig === 1 ? verifier : null, 0);
    work = opened.ok ? opened.work : null;
    return work === null ? 0 : 1;
  },
  /** Sets the slice bounds (JSON of SliceBounds). */
  sliceBounds(json: string): number {
    bounds = JSON.parse(json);
    return 1;
  },
  /**
   * Pretends `count` entries were accepted before, so the next accepted entry merges as many
   * frontier levels as `count` has trailing one bits: the fold's worst case without judging
   * thousands of entries first (the merges hash whatever the frontier holds, at the same cost).
   */
  sliceAccepted(count: number): number {
    (work as Work).validator.accepted = count;
    return 1;
  },
  /** Takes an entry's hex; 1 when its length can be an entry's. */
  sliceTake(hex: string): number {
    const taken = takeEntry(work as Work, hex);
    if (taken === null) return 0;
    entry = taken;
    entryHex = hex;
    decoded = 0;
    return 1;
  },
  /**
   * What the next entry slice will do: `decode`, else the name of the validator's next stage,
   * read from its private field: only a measurement looks there.
   */
  sliceStage(): string {
    return decoded < entry.length ? 'decode' : ((work as Work).validator as unknown as { nextStage: { name: string } }).nextStage.name;
  },
  /** One entry slice: the verdict code, -1 for bad hex, -2 while work remains. */
  sliceEntry(): number {
    if (decoded < entry.length) {
      decoded = hexSlice(entryHex, entry, decoded, bounds, now);
      if (decoded < 0) return -1;
      if (decoded === entry.length) beginEntry((work as Work).validator, entry);
      return -2;
    }
    const verdict = entrySlice(work as Work, bounds);
    return verdict === null ? -2 : verdict;
  },
  /** Finishes the unit and starts its share search at difficulty `difficulty`. */
  sliceShareStart(difficulty: number): number {
    beginShare(work as Work, new Uint8Array(8), 1);
    (work as Work).shareSearch!.difficulty = difficulty;
    return 1;
  },
  /** One share slice: 1 when the search is over. */
  sliceShare(): number {
    return searchSlice(work as Work, digest, bounds, now) ? 1 : 0;
  },
};

Object.assign(globalThis, api);
