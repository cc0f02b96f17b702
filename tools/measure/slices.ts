/**
 * Measures every slice of the device's entry and share work in the simulator's XS engine (the
 * meter the simulator charges device time by) and prices it for each profile: computrons at the
 * profile's CPU rate plus each native digest at its cost. The worst entry is used: a 970-byte
 * entry (24-level proof, the deepest), accepted, folded with 15 frontier merges, and on sig-tier
 * profiles its Ed25519 signature; the slice bounds are the ones the build computes. Each slice is
 * priced with the app's own part of a slice besides (SLICE_COMPUTRONS.slice: its dispatch, clock
 * reads and yield), which this harness does not run.
 *
 *   npx tsx tools/measure/slices.ts [--json]
 *
 * @module
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { SliceBounds } from '../../firmware/app/work.ts';
import { startDevice, type XsDevice } from '../../host-sim/engine/index.ts';
import { bytesToHex } from '../../firmware/core/hex.ts';
import { MAX_PROOF_DEPTH } from '../../firmware/core/layout.ts';
import { exampleEntry, exampleLedger, exampleTx } from '../../protocol/example.ts';
import { encodeHeader } from '../../protocol/unit.ts';
import { SLICE_COMPUTRONS, sliceBounds } from '../build/slices.ts';
import { listTargets, loadProfile, type DigestCost, type Profile } from '../manifests/index.ts';
import { HOST_SHA256, HOST_SHA512 } from './slice-bench.ts';

/** The stage a slice worked on. */
export type SliceKind = 'decode' | 'open' | 'proof' | 'signature' | 'fold' | 'share';

/** One slice as measured: its computrons and the native digests it asked for (input lengths). */
export interface MeasuredSlice {
  kind: SliceKind;
  computrons: number;
  sha256: number[];
  sha512: number[];
}

/** The longest slice of one kind on one profile. */
export interface SliceFigure {
  kind: SliceKind;
  slices: number;
  computrons: number;
  /** computrons at the profile's rate plus its native digests */
  ms: number;
}

/** One profile's slices against its bound. */
export interface ProfileSlices {
  target: string;
  sliceMs: number;
  bounds: SliceBounds;
  worst: SliceFigure[];
  /** device ms of the whole entry and of its longest slice */
  entryMs: number;
  longestMs: number;
}

/** Frontier merges of the fold's worst case: 2^15 − 1 accepted before (65,535 entries at most). */
const ACCEPTED_BEFORE = 0x7fff;
const SHARE_SLICES = 4;

/** The in-VM script, bundled for XS. */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('slice-bench.ts', import.meta.url))],
    bundle: true, write: false, format: 'iife', target: 'es2020', platform: 'neutral', mainFields: ['module', 'main'], logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** The worst entry (a 24-level proof, accepted) and its unit's header, with or without signature checks. */
export function worstEntry(sig: boolean): { header: Uint8Array; entry: Uint8Array } {
  const ledger = exampleLedger(2, 1, MAX_PROOF_DEPTH);
  const [from, to] = ledger.bySender;
  const header = encodeHeader({
    unitId: 1, chainId: 1, height: 1, previousHash: new Uint8Array(32), stateRoot: ledger.tree.root,
    checks: sig ? ['proof', 'rules', 'signature'] : ['proof', 'rules'], difficulty: 28, minFee: 1n, deadline: 60_000, entryCount: 1,
  });
  return { header, entry: exampleEntry(ledger, from, exampleTx(ledger, from, to)) };
}

/** A device running the slice bench; `calls` collects the digests each call asked for. */
export async function sliceDevice(): Promise<{ device: XsDevice; calls: { sha256: number[]; sha512: number[] } }> {
  const calls = { sha256: [] as number[], sha512: [] as number[] };
  const device = await startDevice({
    // Room enough that memory never interferes: this measures time; the simulator checks memory.
    creation: { static: 0, chunk: { initial: 1 << 20, incremental: 0 }, heap: { initial: 1 << 16, incremental: 0 }, stack: 4096, keys: { initial: 256, incremental: 0, name: 127, symbol: 127 } },
    image: { scripts: { bench: await bundle() } },
    onHostCall: (message) => {
      const query = message as Uint8Array;
      const data = query.subarray(1);
      const sha512 = query[0] === HOST_SHA512;
      (sha512 ? calls.sha512 : calls.sha256).push(data.length);
      return new Uint8Array(createHash(sha512 ? 'sha512' : 'sha256').update(data).digest());
    },
  });
  await device.runScript('bench');
  return { device, calls };
}

/** Runs the worst entry, then a few share slices, one call per slice, under `bounds`. */
export async function measureSlices(bounds: SliceBounds, sig: boolean): Promise<MeasuredSlice[]> {
  const { device, calls } = await sliceDevice();
  const slices: MeasuredSlice[] = [];
  const call = async (name: string, args: (string | number | Uint8Array)[], kind?: SliceKind): Promise<number> => {
    calls.sha256 = [];
    calls.sha512 = [];
    const { value, usage } = await device.call(name, args);
    if (kind !== undefined) slices.push({ kind, computrons: usage.computrons, sha256: calls.sha256, sha512: calls.sha512 });
    return value as number;
  };
  try {
    const { header, entry } = worstEntry(sig);
    if (await call('sliceOpen', [header, sig ? 1 : 0]) !== 1) throw new Error('the unit did not open');
    await call('sliceBounds', [JSON.stringify(bounds)]);
    await call('sliceAccepted', [ACCEPTED_BEFORE]);
    const hex = bytesToHex(entry);
    if (await call('sliceTake', [hex]) !== 1) throw new Error('the entry was not taken');
    const kinds: Record<string, SliceKind> = { decode: 'decode', unpack: 'open', climb: 'proof', verifySteps: 'signature', fold: 'fold', merge: 'fold' };
    let verdict = -2;
    while (verdict === -2) {
      const stage = await call('sliceStage', []) as unknown as string;
      verdict = await call('sliceEntry', [], kinds[stage]);
    }
    if (verdict !== 0 || slices.at(-1)!.kind !== 'fold') throw new Error(`the worst entry was judged ${verdict}, not accepted and folded`);
    await call('sliceShareStart', [28]);
    for (let i = 0; i < SHARE_SLICES; i++) await call('sliceShare', [], 'share');
    return slices;
  } finally {
    await device.close();
  }
}

/** Milliseconds of one native digest of `bytes` at the profile's cost. */
function digestMs(cost: DigestCost | undefined, bytes: number, lengthBytes: number): number {
  if (cost === undefined) throw new Error('the profile has no cost for a digest the image uses');
  return (cost.usPerCall.value + Math.ceil((bytes + 1 + lengthBytes) / cost.blockBytes) * cost.usPerBlock.value) / 1000;
}

/** Device milliseconds of a measured slice on `profile`, the app's own part of a slice included. */
export function sliceMs(profile: Profile, slice: MeasuredSlice): number {
  let ms = (slice.computrons + SLICE_COMPUTRONS.slice) / profile.cpu.computronsPerMs.value;
  for (const bytes of slice.sha256) ms += digestMs(profile.digests.SHA256, bytes, 8);
  for (const bytes of slice.sha512) ms += digestMs(profile.digests.SHA512, bytes, 16);
  return ms;
}

/** Every profile's slices, measured under the bounds its build uses. */
export async function measureProfiles(targets: string[] = listTargets()): Promise<ProfileSlices[]> {
  const out: ProfileSlices[] = [];
  for (const target of targets) {
    const profile = loadProfile(target);
    const bounds = sliceBounds(profile, `manifests/profiles/${target}.json`);
    const slices = await measureSlices(bounds, profile.tier === 'sig');
    const worst = new Map<SliceKind, SliceFigure>();
    for (const slice of slices) {
      const ms = sliceMs(profile, slice);
      const figure = worst.get(slice.kind) ?? { kind: slice.kind, slices: 0, computrons: 0, ms: 0 };
      figure.slices++;
      figure.computrons = Math.max(figure.computrons, slice.computrons);
      figure.ms = Math.max(figure.ms, ms);
      worst.set(slice.kind, figure);
    }
    const entry = slices.filter((s) => s.kind !== 'share');
    out.push({
      target, sliceMs: profile.sliceMs, bounds, worst: [...worst.values()],
      entryMs: entry.reduce((sum, s) => sum + sliceMs(profile, s), 0),
      longestMs: Math.max(...slices.map((s) => sliceMs(profile, s))),
    });
  }
  return out;
}

function table(results: ProfileSlices[]): string {
  const lines = ['target              bound  longest  entry ms  slices: kind count worst-computrons worst-ms'];
  for (const r of results) {
    const kinds = r.worst.map((w) => `${w.kind} ${w.slices}×${w.computrons}=${w.ms.toFixed(1)}`).join(', ');
    lines.push(`${r.target.padEnd(18)} ${String(r.sliceMs).padStart(5)}  ${r.longestMs.toFixed(1).padStart(7)}  ${r.entryMs.toFixed(0).padStart(8)}  ${kinds}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await measureProfiles();
  console.log(process.argv.includes('--json') ? JSON.stringify(results, null, 2) : table(results));
}
