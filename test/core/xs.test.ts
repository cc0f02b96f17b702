// The core and the verifier running in the real XS engine (the stock xsnap-worker): the same
// verdicts as on Node, RFC 8032 vectors, deterministic computrons, and a verifier that leaves
// nothing on the heap (the library's own verify keeps a 21,000-slot table: see firmware/sig).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkEntry, openUnit } from '../../firmware/core/validator.ts';
import { nodeDigest, sha256 } from '../../protocol/digest.ts';
import { exampleEntry, exampleLedger, exampleTx } from '../../protocol/example.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { encodeHeader } from '../../protocol/unit.ts';
import { bundleBench } from '../../tools/measure/core-cost.ts';
import { OP } from '../../tools/measure/ops.ts';
import { XsWorker } from '../../tools/measure/xs-worker.ts';

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const vectors: { signature: string; message: string; publicKey: string }[] =
  JSON.parse(readFileSync(new URL('fixtures/rfc8032-ed25519.json', import.meta.url), 'utf8')).vectors;

const worker = new XsWorker((query) => sha256(query.subarray(1)));
const run = (op: number, input: Uint8Array = new Uint8Array(0)) => worker.command(Uint8Array.of(op, ...input));

test.before(async () => {
  await worker.evaluate(await bundleBench());
});
test.after(() => worker.close());

test('RFC 8032 vectors verify inside XS through firmware/sig; a flipped bit does not', async () => {
  for (const v of vectors) {
    const input = Uint8Array.of(...bytesOf(v.signature), ...bytesOf(v.publicKey), ...bytesOf(v.message));
    assert.is((await run(OP.verify, input)).reply[0], 1);
    input[70] ^= 4;
    assert.is((await run(OP.verify, input)).reply[0], 0);
  }
});

test('verification keeps nothing on the XS heap and costs the same computrons every time', async () => {
  const v = vectors[1];
  const input = Uint8Array.of(...bytesOf(v.signature), ...bytesOf(v.publicKey), ...bytesOf(v.message));
  const retained = async () => (await worker.evaluate('gc(); 1')).currentHeapCount;
  const before = await retained();
  const first = await run(OP.verify, input);
  const after = await retained();
  const second = await run(OP.verify, input);
  // Each request itself leaves one slot in the worker, with or without a verify.
  assert.ok(after - before <= 2, `${after - before} slots retained`);
  assert.is(first.compute, second.compute);
});

test('XS gives the same verdicts as Node for a unit of good and bad entries', async () => {
  const ledger = exampleLedger(6, 2);
  const header = encodeHeader({
    unitId: 5, chainId: 2, height: 3, previousHash: new Uint8Array(32), stateRoot: ledger.tree.root,
    checks: ['proof', 'rules', 'signature'], difficulty: 4, minFee: 1n, deadline: 1000, entryCount: 5,
  });
  const [a, b, c, d, e] = ledger.bySender;
  const forged = exampleTx(ledger, d, a);
  forged[120] ^= 1;
  const entries = [
    exampleEntry(ledger, a, exampleTx(ledger, a, b)),
    exampleEntry(ledger, b, exampleTx(ledger, b, a, { nonce: 77 })),
    exampleEntry(ledger, c, exampleTx(ledger, c, a, { fee: 0n })),
    exampleEntry(ledger, d, forged),
    exampleEntry(ledger, e, exampleTx(ledger, e, a)),
  ];
  const opened = openUnit(header, { digest: nodeDigest, verify: () => true });
  if (!opened.ok) throw new Error(describeDecodeError(opened.error));
  const onNode = entries.map((entry) => checkEntry(opened.value, entry).code);
  await run(OP.openSigNative, header);
  const onXs: number[] = [];
  for (const entry of entries) onXs.push((await run(OP.check, entry)).reply[0]);
  assert.equal(onNode.slice(0, 3), [0, 5, 6]);
  assert.equal(onXs, [0, 5, 6, 2, 0], 'accept, bad-nonce, fee-too-low, bad-signature, accept');
  assert.equal(onXs.filter((_, i) => i !== 3), onNode.filter((_, i) => i !== 3));
});

test.run();
