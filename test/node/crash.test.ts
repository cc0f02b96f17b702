// The crash test: a real node process, killed with SIGKILL while it commits blocks, restarted
// again and again. Whatever moment the kill hits, after a restart: every block the node
// reported committed is there with the same hash, every transaction it acknowledged (HTTP 202)
// is in a block or still pending, the chain verifies from genesis, and no reward is paid twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { verifyChain } from '../../trusted-node/ledger/verify.ts';
import { openSqliteStore } from '../../trusted-node/store/sqlite.ts';

const ROUNDS = 6;
/** Senders funded by this test's genesis; each keeps one transfer in flight. */
const SENDERS = Array.from({ length: 12 }, (_, i) => createHash('sha256').update(`crash test sender ${i}`).digest()).map((secret) => ({
  secret: new Uint8Array(secret),
  publicKey: publicKeyOf(new Uint8Array(secret)),
}));
const OWNER = new Uint8Array(32).fill(0xaa);
const DEVICE = 'c0ffee00c0ffee00';
const BIN = join(import.meta.dirname, '..', '..', 'trusted-node', 'bin.ts');

/** A node child process and what it has logged. */
class NodeProcess {
  readonly child: ChildProcess;
  readonly committed = new Map<number, string>();
  readonly started: Promise<number>;
  #blockWaiters: { count: number; resolve: () => void }[] = [];

  constructor(dataDir: string, genesisFile: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', BIN, '--data', dataDir, '--genesis', genesisFile, '--http-port', '0', '--block-interval', '5'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.started = new Promise((resolve, reject) => {
      this.child.once('exit', (code, signal) => reject(new Error(`node exited early (${code ?? signal})`)));
      createInterface({ input: this.child.stderr! }).on('line', (line) => {
        let event: { event?: string; httpPort?: number; height?: number; hash?: string };
        try {
          event = JSON.parse(line);
        } catch {
          return; // a line cut by the kill
        }
        if (event.event === 'node_started') resolve(event.httpPort!);
        if (event.event === 'block_committed') {
          this.committed.set(event.height!, event.hash!);
          for (const w of this.#blockWaiters.filter((w) => this.committed.size >= w.count)) w.resolve();
        }
      });
    });
  }

  /** Resolves once `count` blocks were committed by this process. */
  blocks(count: number): Promise<void> {
    return this.committed.size >= count ? Promise.resolve() : new Promise((resolve) => this.#blockWaiters.push({ count, resolve }));
  }

  exited(): Promise<void> {
    return this.child.exitCode !== null || this.child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
}

async function nextNonces(base: string): Promise<number[]> {
  return Promise.all(
    SENDERS.map(async (sender) => {
      const response = await fetch(`${base}/accounts/${toHex(sender.publicKey)}`);
      return ((await response.json()) as { nextNonce: number }).nextNonce;
    }),
  );
}

/** Submits signed transfers until `stop.now` is set or a submission fails (`stop.why`); records the ids the node acknowledged. */
async function submitUntil(base: string, acknowledged: Set<string>, stop: { now: boolean; why?: string }): Promise<void> {
  const nonces = await nextNonces(base);
  while (!stop.now && stop.why === undefined) {
    const batch = SENDERS.map((sender, i) =>
      signTx({ chainId: 7, sender: sender.publicKey, recipient: SENDERS[(i + 1) % SENDERS.length]!.publicKey, amount: 1n, fee: 10n, nonce: nonces[i]!++ }, sender.secret),
    );
    // One transfer per sender at a time: each sender's nonces arrive in order.
    await Promise.all(
      batch.map(async (tx) => {
        try {
          const response = await fetch(`${base}/tx`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx: toHex(tx) }) });
          const body = (await response.json()) as { id?: string };
          if (response.status === 202) acknowledged.add(body.id!);
          else stop.why ??= `the node refused a valid transfer: ${JSON.stringify(body)}`;
        } catch (error) {
          stop.why ??= `the node stopped answering: ${(error as Error).message}`;
        }
      }),
    );
  }
}

async function creditRewards(databasePath: string, round: number): Promise<void> {
  const store = openSqliteStore(databasePath);
  try {
    if ((await store.device(DEVICE)) === undefined) {
      await store.addDevice({ id: DEVICE, key: new Uint8Array(32).fill(1), profile: 'espruino-esp32', tier: 'hash', owner: toHex(OWNER), createdAt: 0 });
    }
    await store.creditRewards(Array.from({ length: 5 }, (_, i) => ({ deviceId: DEVICE, account: OWNER, kind: 'share' as const, amount: BigInt(round * 10 + i + 1), unitId: round, createdAt: round })));
  } finally {
    await store.close();
  }
}

test(`SIGKILL during block commits, ${ROUNDS} times: nothing committed or acknowledged is lost, the chain verifies`, async () => {
  const root = mkdtempSync(join(tmpdir(), 'mm-crash-'));
  const dataDir = join(root, 'node');
  const databasePath = join(dataDir, 'ledger.sqlite');
  const genesisFile = join(root, 'genesis.json');
  writeFileSync(genesisFile, JSON.stringify({ chainId: 7, minFee: '10', time: 0, accounts: SENDERS.map((s) => ({ publicKey: toHex(s.publicKey), balance: '1000000' })) }));
  const reported = new Map<number, string>();
  const acknowledged = new Set<string>();
  let node: NodeProcess | undefined;
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      if (round > 0) await creditRewards(databasePath, round);
      node = new NodeProcess(dataDir, genesisFile);
      const base = `http://127.0.0.1:${await node.started}`;

      // Everything the previous processes reported or acknowledged survived their kill.
      for (const [height, hash] of reported) {
        const block = (await (await fetch(`${base}/blocks/${height}`)).json()) as { hash?: string };
        assert.is(block.hash, hash, `block ${height} changed or vanished`);
      }
      for (const id of acknowledged) {
        const tx = (await (await fetch(`${base}/tx/${id}`)).json()) as { status?: string };
        assert.ok(tx.status === 'committed' || tx.status === 'pending', `acknowledged transaction ${id} was lost`);
      }
      if (round === ROUNDS) break;

      const stop: { now: boolean; why?: string } = { now: false };
      const traffic = submitUntil(base, acknowledged, stop);
      // Kill a few blocks in, at a moment that differs from round to round. Traffic that ends
      // before then (a refused or failed submission) would leave no blocks to wait for.
      await Promise.race([node.blocks(3 + 2 * round), traffic.then(() => assert.unreachable(stop.why ?? 'traffic ended early'))]);
      node.child.kill('SIGKILL');
      await node.exited();
      stop.now = true;
      await traffic;
      for (const [height, hash] of node.committed) reported.set(height, hash);
      // Right after the kill, before anything repairs it, the chain on disk verifies.
      const store = openSqliteStore(databasePath);
      const report = await verifyChain(store).finally(() => store.close());
      assert.equal(report.problem, undefined, `after kill ${round + 1}`);
      assert.ok(report.blocksChecked > Math.max(...reported.keys()), 'every reported block is on disk');
    }

    // The last process drains the mempool and the unpaid rewards, then stops gracefully.
    const base = `http://127.0.0.1:${await node!.started}`;
    for (let polls = 0; ; polls++) {
      const stats = (await (await fetch(`${base}/stats`)).json()) as { mempool: { size: number }; unpaidRewards: number };
      if (stats.mempool.size === 0 && stats.unpaidRewards === 0) break;
      assert.ok(polls < 2_000, 'the node never drained its mempool');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    node!.child.kill('SIGTERM');
    await node!.exited();
    assert.is(node!.child.exitCode, 0, 'a graceful stop exits 0');

    const store = openSqliteStore(databasePath);
    try {
      const report = await verifyChain(store);
      assert.equal(report.problem, undefined);
      assert.ok(report.ok);
      assert.ok(report.blocksChecked > ROUNDS * 2, `only ${report.blocksChecked} blocks`);
      for (const id of acknowledged) assert.ok(await store.transaction(Buffer.from(id, 'hex')), `acknowledged transaction ${id} never committed`);
      // Every reward was paid exactly once: by one block whose credits it is part of
      // (verifyChain matched each block's credits to its settled rewards).
      let paid = 0n;
      let credited = 0n;
      for (let height = 1; height < report.blocksChecked; height++) {
        credited += (await store.block(height))!.credits.reduce((sum, c) => sum + c.amount, 0n);
        paid += (await store.rewardsPaidAt(height)).reduce((sum, r) => sum + r.amount, 0n);
      }
      const expected = Array.from({ length: ROUNDS }, (_, r) => r + 1).reduce((sum, round) => sum + 5n * BigInt(round * 10) + 15n, 0n);
      assert.is(paid, expected);
      assert.is(credited, expected);
      assert.is((await store.counts()).unpaidRewards, 0);
    } finally {
      await store.close();
    }
  } finally {
    if (node && node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
