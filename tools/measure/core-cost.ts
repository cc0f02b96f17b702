/**
 * Measures what the validation core costs on the XS engine, in computrons (deterministic), with
 * the stock xsnap-worker: one hash-tier entry and one sig-tier entry (state proofs of depth 20,
 * the depth of a million accounts), one share attempt, one HMAC, one SHA-256, one Ed25519 sign
 * and verify (ours and the library's, with the heap slots each leaves behind), plus how many
 * SHA-256 calls each entry makes and the size of every format.
 *
 *   npx tsx tools/measure/core-cost.ts [--json]
 *
 * Each figure is the command's computrons minus those of an empty command, so the dispatch
 * overhead cancels. "JS digest" runs SHA-256 in JavaScript (@noble/hashes, the fallback);
 * "native digest" has the host compute it, as Moddable's C `crypt` Digest would, so those
 * figures are the core's own work and each SHA-256 call is then a native call.
 * @module
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { Digest } from '../../firmware/core/digest.ts';
import * as layout from '../../firmware/core/layout.ts';
import { checkEntry, openUnit } from '../../firmware/core/validator.ts';
import { nodeDigest, sha256 } from '../../protocol/digest.ts';
import { exampleEntry, exampleLedger, exampleTx } from '../../protocol/example.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { encodeHeader, type Check } from '../../protocol/unit.ts';
import { createHash } from 'node:crypto';
import { OP, QUERY_SHA512 } from './ops.ts';
import { XsWorker } from './xs-worker.ts';

const PROOF_DEPTH = 20;
const ENTRIES = 8;
const SHARE_ATTEMPTS = 200;

/** The in-VM measurement script (xs-bench.ts) bundled for XS. */
export async function bundleBench(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('xs-bench.ts', import.meta.url))],
    bundle: true, write: false, format: 'iife', target: 'es2020', platform: 'neutral', mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const u32le = (value: number) => Uint8Array.of(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24);

export interface CoreCosts {
  proofDepth: number;
  /** XS heap slots still held after a first verify and a garbage collection */
  retainedSlots: Record<string, number>;
  sha256CallsPerEntry: { hash: number; sig: number };
  computrons: Record<string, number>;
  formatBytes: Record<string, number>;
}

/** Runs every measurement on a fresh XS machine. */
export async function measureCoreCosts(): Promise<CoreCosts> {
  const ledger = exampleLedger(ENTRIES + 1, 1, PROOF_DEPTH);
  const header = (checks: readonly Check[]) => encodeHeader({
    unitId: 1, chainId: 1, height: 1, previousHash: new Uint8Array(32), stateRoot: ledger.tree.root,
    checks, difficulty: 8, minFee: 1n, deadline: 60_000, entryCount: ENTRIES,
  });
  const hashHeader = header(['proof', 'rules']);
  const sigHeader = header(['proof', 'rules', 'signature']);
  const entries = ledger.bySender.slice(0, ENTRIES).map((from, i) => exampleEntry(ledger, from, exampleTx(ledger, from, ledger.bySender[i + 1])));

  // SHA-256 calls per entry, counted on the host with the same core.
  let calls = 0;
  const counting: Digest = { sha256: (data) => (calls++, nodeDigest.sha256(data)) };
  const callsPerEntry = (checks: Uint8Array) => {
    const opened = openUnit(checks, { digest: counting, verify: () => true });
    if (!opened.ok) throw new Error(describeDecodeError(opened.error, checks));
    calls = 0;
    for (const entry of entries) if (checkEntry(opened.value, entry).code !== 0) throw new Error('measurement entries must be accepted');
    return calls / ENTRIES;
  };

  const worker = new XsWorker((query) => {
    const data = query.subarray(1);
    return query[0] === QUERY_SHA512 ? new Uint8Array(createHash('sha512').update(data).digest()) : sha256(data);
  });
  try {
    await worker.evaluate(await bundleBench());
    const run = async (op: number, input: Uint8Array = new Uint8Array(0)) => (await worker.command(concat(Uint8Array.of(op), input))).compute;
    const baseline = await run(OP.nothing);
    const cost = async (op: number, input?: Uint8Array) => (await run(op, input)) - baseline;
    const perEntry = async (open: number, unitHeader: Uint8Array) => {
      await run(open, unitHeader);
      let total = 0;
      for (const entry of entries) total += await cost(OP.check, entry);
      return Math.round(total / ENTRIES);
    };
    const digest = sha256(Uint8Array.of(1));
    const secretKey = sha256(Uint8Array.of(2));
    const message = new Uint8Array(36);
    const body = entries[0].subarray(0, layout.TX_BODY_SIZE);
    const signature = entries[0].subarray(layout.TX_SIGNATURE_AT, layout.TX_SIZE);
    const sender = entries[0].subarray(layout.TX_SENDER_AT, layout.TX_SENDER_AT + 32);
    const verifyInput = concat(signature, sender, body);
    const retainedSlots = async () => (await worker.evaluate('gc(); 1')).currentHeapCount;
    // Verification first, before anything has built the library's base-point table.
    let before = await retainedSlots();
    const verifyFirst = await cost(OP.verify, verifyInput);
    const retainedByVerify = (await retainedSlots()) - before - 1;
    const verifyAgain = await cost(OP.verify, verifyInput);
    before = await retainedSlots();
    const libraryFirst = await cost(OP.libraryVerify, verifyInput);
    const retainedByLibrary = (await retainedSlots()) - before - 1;
    const libraryAgain = await cost(OP.libraryVerify, verifyInput);
    const shareCost = async (op: number) => Math.round(((await cost(op, concat(digest, u32le(SHARE_ATTEMPTS + 1)))) - (await cost(op, concat(digest, u32le(1))))) / SHARE_ATTEMPTS);
    const computrons: Record<string, number> = {
      'hash-tier entry, JS digest': await perEntry(OP.openHash, hashHeader),
      'hash-tier entry, native digest': await perEntry(OP.openHashNative, hashHeader),
      'sig-tier entry, JS digest': await perEntry(OP.openSig, sigHeader),
      'sig-tier entry, native SHA-256, SHA-512 in JS': await perEntry(OP.openSigNative, sigHeader),
      'sig-tier entry, native SHA-256 and SHA-512': await perEntry(OP.openSigAllNative, sigHeader),
      'share attempt, JS digest': await shareCost(OP.share),
      'share attempt, native digest': await shareCost(OP.shareNative),
      'HMAC-SHA256 of 36 bytes, JS digest': await cost(OP.hmac, concat(secretKey, message)),
      'HMAC-SHA256 of 36 bytes, native digest': await cost(OP.hmacNative, concat(secretKey, message)),
      'SHA-256 of 35 bytes (1 block), JS': await cost(OP.sha256, new Uint8Array(35)),
      'SHA-256 of 65 bytes (2 blocks), JS': await cost(OP.sha256, new Uint8Array(65)),
      'SHA-256 of 89 bytes (2 blocks), JS': await cost(OP.sha256, new Uint8Array(89)),
      'Ed25519 verify (firmware/sig), first call': verifyFirst,
      'Ed25519 verify (firmware/sig), again': verifyAgain,
      '@noble/ed25519 verify, first call (builds its table)': libraryFirst,
      '@noble/ed25519 verify, again': libraryAgain,
      'Ed25519 sign of 36 bytes, table built': await cost(OP.sign, concat(secretKey, message)),
    };
    return {
      proofDepth: PROOF_DEPTH,
      retainedSlots: { 'firmware/sig verify': retainedByVerify, '@noble/ed25519 verify': retainedByLibrary },
      sha256CallsPerEntry: { hash: callsPerEntry(hashHeader), sig: callsPerEntry(sigHeader) },
      computrons,
      formatBytes: {
        'transaction body (signed, hashed for the id)': layout.TX_BODY_SIZE,
        'transaction': layout.TX_SIZE,
        'account leaf': layout.LEAF_SIZE,
        [`state proof, depth ${PROOF_DEPTH}`]: layout.proofSize(PROOF_DEPTH),
        [`state proof, depth ${layout.MAX_PROOF_DEPTH} (max)`]: layout.proofSize(layout.MAX_PROOF_DEPTH),
        'unit header': layout.HEADER_SIZE,
        [`entry, depth ${PROOF_DEPTH}`]: layout.TX_SIZE + layout.proofSize(PROOF_DEPTH),
        'entry, min / max': layout.ENTRY_MIN_SIZE * 10000 + layout.ENTRY_MAX_SIZE,
        'result with MAC': layout.RESULT_SIZE,
      },
    };
  } finally {
    worker.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const costs = await measureCoreCosts();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(costs, null, 2));
  } else {
    console.log(`XS computrons (stock xsnap-worker), state proofs of depth ${costs.proofDepth}:`);
    for (const [name, value] of Object.entries(costs.computrons)) console.log(`  ${name.padEnd(52)} ${value.toLocaleString('en-US').padStart(12)}`);
    console.log(`XS slots retained after the first verify: ${Object.entries(costs.retainedSlots).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`SHA-256 calls per entry: hash tier ${costs.sha256CallsPerEntry.hash}, sig tier ${costs.sha256CallsPerEntry.sig} (plus the Ed25519 verify's SHA-512)`);
    console.log('Format sizes (bytes):');
    for (const [name, value] of Object.entries(costs.formatBytes)) console.log(`  ${name.padEnd(52)} ${name === 'entry, min / max' ? `${Math.floor(value / 10000)} / ${value % 10000}` : value}`);
  }
}
