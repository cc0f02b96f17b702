// The crash test: a real node process, killed with SIGKILL while it commits blocks, restarted
// again and again. Whatever moment the kill hits, after a restart: every block the node
// reported committed is there with the same hash, every transaction it acknowledged (HTTP 202)
// is in a block or still pending, every device result it acknowledged is stored with its
// verdicts, the chain verifies from genesis, and no reward is paid twice. Three simulated
// devices speak the real protocol on the device port throughout: they validate the
// transactions (a block only takes what their quorum accepted) and earn share and verdict
// rewards, which blocks settle while the kills hit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { verifyChain } from '../../trusted-node/ledger/verify.ts';
import { openSqliteStore } from '../../trusted-node/store/sqlite.ts';
import type { RewardRecord } from '../../trusted-node/store/types.ts';
import { SimDevice } from '../../tools/loadgen/device.ts';

const ROUNDS = 6;
/** Senders funded by this test's genesis; each keeps one transfer in flight. */
const SENDERS = Array.from({ length: 12 }, (_, i) => createHash('sha256').update(`crash test sender ${i}`).digest()).map((secret) => ({
  secret: new Uint8Array(secret),
  publicKey: publicKeyOf(new Uint8Array(secret)),
}));
const OWNER = new Uint8Array(32).fill(0xaa);
const DEVICE = 'c0ffee00c0ffee00';
const BIN = join(import.meta.dirname, '..', '..', 'trusted-node', 'bin.ts');
/** The fleet: sig-tier devices registered through the admin endpoint, reconnected after every restart. */
const FLEET = [1, 2, 3].map((i) => ({
  id: createHash('sha256').update(`crash test device ${i}`).digest('hex').slice(0, 16),
  key: new Uint8Array(createHash('sha256').update(`crash test device key ${i}`).digest()),
  profile: 'moddable-esp32',
  tier: 'sig' as const,
}));

/** A node child process and what it has logged. */
class NodeProcess {
  readonly child: ChildProcess;
  readonly committed = new Map<number, string>();
  readonly started: Promise<number>;
  /** The device port, once started. */
  devicePort = 0;
  /** What the process wrote besides its JSON log lines, and its error events: shown when it fails. */
  readonly stderr: string[] = [];
  #blockWaiters: { count: number; resolve: () => void }[] = [];

  constructor(dataDir: string, genesisFile: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', BIN, '--data', dataDir, '--genesis', genesisFile, '--http-port', '0', '--port', '0', '--block-interval', '5'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.started = new Promise((resolve, reject) => {
      this.child.once('exit', (code, signal) => reject(new Error(`node exited early (${code ?? signal})`)));
      createInterface({ input: this.child.stderr! }).on('line', (line) => {
        let event: { event?: string; httpPort?: number; port?: number; height?: number; hash?: string };
        try {
          event = JSON.parse(line);
        } catch {
          this.stderr.push(line); // a line cut by the kill, or a crash's stack
          return;
        }
        if ((event as { level?: string }).level === 'error') this.stderr.push(line);
        if (event.event === 'node_started') {
          this.devicePort = event.port!;
          resolve(event.httpPort!);
        }
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

/**
 * fetch on a fresh connection every time: a kept-alive one the node closes as idle (5 s) can be
 * handed out by the client's pool just then when this busy process is late (UND_ERR_SOCKET).
 */
function http(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...init.headers, connection: 'close' } });
}

async function nextNonces(base: string): Promise<number[]> {
  return Promise.all(
    SENDERS.map(async (sender) => {
      const response = await http(`${base}/accounts/${toHex(sender.publicKey)}`);
      return ((await response.json()) as { nextNonce: number }).nextNonce;
    }),
  );
}

/** Submits signed transfers until `stop.now` is set or a submission fails (`stop.why`); records the ids the node acknowledged. */
async function submitUntil(base: string, acknowledged: Set<string>, stop: { now: boolean; why?: string }): Promise<void> {
  const nonces = await nextNonces(base);
  while (!stop.now && stop.why === undefined) {
    // Keep the backlog to about two transfers per sender: each waits for its device quorum.
    // (A node killed meanwhile answers nothing: count no backlog, the submissions will say so.)
    const backlog = await http(`${base}/stats`)
      .then(async (r) => ((await r.json()) as { mempool: { size: number } }).mempool.size)
      .catch(() => 0);
    if (backlog > 2 * SENDERS.length) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    const batch = SENDERS.map((sender, i) =>
      signTx({ chainId: 7, sender: sender.publicKey, recipient: SENDERS[(i + 1) % SENDERS.length]!.publicKey, amount: 1n, fee: 10n, nonce: nonces[i]!++ }, sender.secret),
    );
    // One transfer per sender at a time: each sender's nonces arrive in order.
    await Promise.all(
      batch.map(async (tx) => {
        try {
          const response = await http(`${base}/tx`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx: toHex(tx) }) });
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

/** Registers the fleet through the admin endpoint (the first process made the token) and makes its simulated devices. */
async function registerFleet(base: string, dataDir: string, devices: SimDevice[], port: number): Promise<void> {
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  for (const identity of FLEET) {
    const response = await http(`${base}/admin/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ id: identity.id, key: toHex(identity.key), profile: identity.profile, tier: identity.tier, owner: toHex(OWNER) }),
    });
    assert.is(response.status, 201, await response.text());
    devices.push(new SimDevice(identity, { port }));
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
  const devices: SimDevice[] = [];
  let node: NodeProcess | undefined;
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      if (round > 0) await creditRewards(databasePath, round);
      node = new NodeProcess(dataDir, genesisFile);
      const base = `http://127.0.0.1:${await node.started}`;

      // Everything the previous processes reported or acknowledged survived their kill.
      for (const [height, hash] of reported) {
        const block = (await (await http(`${base}/blocks/${height}`)).json()) as { hash?: string };
        assert.is(block.hash, hash, `block ${height} changed or vanished`);
      }
      for (const id of acknowledged) {
        const tx = (await (await http(`${base}/tx/${id}`)).json()) as { status?: string };
        assert.ok(tx.status === 'committed' || tx.status === 'pending', `acknowledged transaction ${id} was lost`);
      }
      if (round === 0) await registerFleet(base, dataDir, devices, node.devicePort);
      for (const device of devices) device.port = node.devicePort;
      await Promise.all(devices.map((d) => d.connect()));
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
      await Promise.all(devices.map((d) => d.until(() => d.closed)));
      for (const [height, hash] of node.committed) reported.set(height, hash);
      // Right after the kill, before anything repairs it, the chain on disk verifies and every
      // result a device got an ack for is stored, byte for byte.
      const store = openSqliteStore(databasePath);
      try {
        const report = await verifyChain(store);
        assert.equal(report.problem, undefined, `after kill ${round + 1}`);
        assert.ok(report.blocksChecked > Math.max(...reported.keys()), 'every reported block is on disk');
        for (const device of devices) {
          for (const ack of device.acks) {
            const stored = await store.result(device.identity.id, ack.counter);
            assert.is(stored && toHex(stored.result), toHex(ack.result), `acknowledged result ${device.identity.id}/${ack.counter} was lost`);
          }
        }
      } finally {
        await store.close();
      }
    }
    assert.ok(devices.every((d) => d.acks.length > 0), 'every device had results acknowledged');

    // The last process drains the mempool and the unpaid rewards, then stops gracefully.
    const base = `http://127.0.0.1:${await node!.started}`;
    // Drained: nothing pending, no device working, nothing unpaid, twice in a row (the last
    // verdict rewards are credited just after the last acks, and settled by the next block).
    for (let polls = 0, quiet = 0; quiet < 2; polls++) {
      const response = await http(`${base}/stats`).catch((error: Error) => {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(`the node stopped answering (exit ${node!.child.exitCode ?? node!.child.signalCode}): ${error.message} (${cause?.code ?? cause?.message})\n${node!.stderr.slice(-20).join('\n')}`);
      });
      const stats = (await response.json()) as { mempool: { size: number }; unpaidRewards: number };
      quiet = stats.mempool.size === 0 && stats.unpaidRewards === 0 && devices.every((d) => !d.working) ? quiet + 1 : 0;
      assert.ok(polls < 2_400, `the node never drained its mempool: ${JSON.stringify({ ...stats, devices: devices.map((d) => [d.acks.length, d.errors, d.closed]) })}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await Promise.all(devices.map((d) => d.close()));
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
      assert.is(paid, credited);
      const rewards: RewardRecord[] = [];
      for (let id = 1, reward; (reward = await store.reward(id)) !== undefined; id++) rewards.push(reward);
      assert.is(rewards.reduce((sum, r) => sum + (r.paidHeight === null ? 0n : r.amount), 0n), paid, 'the blocks paid exactly the rewards marked paid');
      const expected = Array.from({ length: ROUNDS }, (_, r) => r + 1).reduce((sum, round) => sum + 5n * BigInt(round * 10) + 15n, 0n);
      assert.is(rewards.filter((r) => r.deviceId === DEVICE).reduce((sum, r) => sum + r.amount, 0n), expected);
      assert.ok(rewards.filter((r) => r.deviceId === DEVICE).every((r) => r.paidHeight !== null));
      // The share reward of every acknowledged result exists once and was paid once.
      for (const device of devices) {
        for (const ack of device.acks.filter((a) => a.credited !== null)) {
          const shares = rewards.filter((r) => r.deviceId === device.identity.id && r.kind === 'share' && r.unitId === ack.unitId);
          assert.equal(shares.map((r) => [r.amount.toString(), r.paidHeight !== null]), [[ack.credited, true]], `share of ${device.identity.id} unit ${ack.unitId}`);
        }
      }
      assert.ok(rewards.some((r) => r.kind === 'verdict' && r.paidHeight !== null), 'verdict rewards were paid too');
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
