/**
 * Measures the trusted node's foundation on this machine: transactions admitted per second
 * over HTTP (format, duplicate, nonce, fee, balance and Ed25519 checks, then a durable mempool
 * insert each), the time to commit one block of those transactions, and the time `verify`
 * takes to replay the chain. Wall-clock figures: they vary with the machine and its load.
 *
 *   npx tsx tools/measure/node-throughput.ts [--transactions N] [--senders S] [--json]
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { verifyChain } from '../../trusted-node/ledger/verify.ts';
import { startNode } from '../../trusted-node/node.ts';

const { values } = parseArgs({ options: { transactions: { type: 'string' }, senders: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
const total = Number(values.transactions ?? 1000);
const senderCount = Number(values.senders ?? 50);
if (!Number.isSafeInteger(total) || total < 1 || !Number.isSafeInteger(senderCount) || senderCount < 2) throw new RangeError('--transactions >= 1 and --senders >= 2 expected');

const senders = Array.from({ length: senderCount }, (_, i) => {
  const secret = new Uint8Array(createHash('sha256').update(`throughput sender ${i}`).digest());
  return { secret, publicKey: publicKeyOf(secret) };
});
const dir = mkdtempSync(join(tmpdir(), 'mm-throughput-'));
const node = await startNode({
  dataDir: join(dir, 'node'),
  httpPort: 0,
  blockIntervalMs: 0,
  mempoolCapacity: total,
  genesis: { chainId: 9, minFee: 1n, time: 0, accounts: senders.map((s) => ({ publicKey: s.publicKey, balance: 10n ** 12n })) },
});
try {
  const base = `http://127.0.0.1:${node.httpPort}/tx`;
  const signStart = performance.now();
  const perSender = senders.map((sender, i) =>
    Array.from({ length: Math.ceil(total / senderCount) }, (_, nonce) =>
      toHex(signTx({ chainId: 9, sender: sender.publicKey, recipient: senders[(i + 1) % senderCount]!.publicKey, amount: 1n, fee: 1n + BigInt(nonce % 7), nonce }, sender.secret)),
    ),
  );
  const signMs = performance.now() - signStart;

  // Each sender submits its transactions in nonce order; senders run concurrently.
  let accepted = 0;
  const submitStart = performance.now();
  await Promise.all(
    perSender.map(async (txs) => {
      for (const tx of txs) {
        if (accepted >= total) return;
        const response = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx }) });
        if (response.status !== 202) throw new Error(`submission refused: ${await response.text()}`);
        await response.arrayBuffer();
        accepted++;
      }
    }),
  );
  const submitMs = performance.now() - submitStart;

  const commitStart = performance.now();
  const block = await node.producer.produce();
  const commitMs = performance.now() - commitStart;

  const verifyStart = performance.now();
  const report = await verifyChain(node.store);
  const verifyMs = performance.now() - verifyStart;

  const figures = {
    transactions: accepted,
    senders: senderCount,
    signMsPerTx: +(signMs / (senderCount * perSender[0]!.length)).toFixed(3),
    admittedPerSecond: Math.round(accepted / (submitMs / 1000)),
    blockTransactions: block?.included.length ?? 0,
    blockCommitMs: Math.round(commitMs),
    verifyMs: Math.round(verifyMs),
    verifyOk: report.ok,
  };
  if (values.json) process.stdout.write(JSON.stringify(figures) + '\n');
  else for (const [name, value] of Object.entries(figures)) process.stdout.write(`${name.padEnd(20)} ${value}\n`);
} finally {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}
