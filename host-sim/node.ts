/**
 * The trusted node a fleet talks to. By default a real node started in-process (SQLite in a
 * temporary data directory, the device server on a free loopback port) whose clock is the fleet's
 * virtual clock, with its sweeps and blocks driven by the fleet at virtual times so that a run
 * does not depend on host scheduling. It gets a seeded genesis of funded senders, and the
 * simulator keeps one valid transfer per sender pending as the fleet's work.
 *
 * With `--node host:port` the fleet uses a node that runs elsewhere: devices are registered
 * through its HTTP admin API (docs/simulator.md) and the work is whatever that node has.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyOf, signTx } from '../protocol/tx.ts';
import { toHex } from '../trusted-node/bytes.ts';
import { deviceServer, type RunningDevices } from '../trusted-node/devices/server.ts';
import type { GenesisConfig } from '../trusted-node/ledger/genesis.ts';
import { createLogger, silentLogger } from '../trusted-node/log.ts';
import { startNode, type NodeHandle } from '../trusted-node/node.ts';
import { SimError } from './errors.ts';
import type { Random } from './random.ts';

/** What the report shows of the node. */
export interface NodeView {
  /** blocks after genesis */
  blocks: number;
  transactionsCommitted: number;
  accepted: number;
  rejected: number;
  resultsStored: number;
  restarts: number;
}

/** A device as the node registers it. */
export interface Registration {
  id: string;
  key: Uint8Array;
  profile: string;
  tier: 'hash' | 'sig';
}

/** The node of a run. */
export interface SimNode {
  readonly host: string;
  readonly port: number;
  register(device: Registration): Promise<void>;
  /** Runs what the node does at virtual time `now` (sweep, block, new work); in-process only. */
  tick(now: number): Promise<void>;
  /** Stops and starts the node again on the same data (a fault). */
  restart(): Promise<void>;
  view(): Promise<NodeView>;
  /** Whether the node stored the result `counter` of `deviceId` (undefined: cannot tell) */
  hasResult(deviceId: string, counter: number): Promise<boolean | undefined>;
  stop(): Promise<void>;
}

/** How often the fleet sweeps the node, and makes a block (virtual ms). */
export const SWEEP_MS = 250;
export const BLOCK_MS = 2000;

const CHAIN_ID = 1;
const FEE = 10n;

/** Options of the in-process node. */
export interface LocalNodeOptions {
  random: Random;
  /** funded accounts that send the fleet's transfers: the most entries a unit can hold */
  senders: number;
  /** the most entries in any unit (0: as the profiles allow) */
  maxEntries: number;
  /** virtual time (ms since the simulator's epoch) */
  clock: () => number;
  epoch: number;
  /** the node's JSON log lines (default: none) */
  onLog?: (line: string) => void;
}

/** Starts a node in-process on a free loopback port with a temporary data directory. */
export async function startLocalNode(options: LocalNodeOptions): Promise<SimNode> {
  const random = options.random.fork('node');
  const secrets = Array.from({ length: options.senders }, () => random.bytes(32));
  const senders = secrets.map((secret) => publicKeyOf(secret));
  const genesis: GenesisConfig = { chainId: CHAIN_ID, minFee: FEE, time: 0, accounts: senders.map((publicKey) => ({ publicKey, balance: 10n ** 12n })) };
  const owner = toHex(senders[0]!);
  const dataRoot = mkdtempSync(join(tmpdir(), 'mm-sim-node-'));
  // Date.now() is a whole number of ms, and the node stores it as one.
  const now = (): number => Math.floor(options.epoch + options.clock());
  let devices: RunningDevices | undefined;
  let port = 0;
  let restarts = 0;
  const start = async (): Promise<NodeHandle> => {
    const handle = await startNode({
      dataDir: join(dataRoot, 'node'), port, httpPort: 0, blockIntervalMs: 0, genesis, now,
      logger: options.onLog ? createLogger({ write: (line) => options.onLog!(String(line).trimEnd()) }, { level: 'info', now }) : silentLogger,
      deviceServer: deviceServer({
        now,
        consensus: { auditSeed: random.u32(), auditRate: 0.05 },
        scheduling: { probes: true, ...(options.maxEntries > 0 ? { maxEntries: options.maxEntries } : {}) },
        // Shares steered to 100 ms of device time instead of 30 s: every nonce is a native
        // digest (a host call), and a run is about the device's limits, not about waiting.
        rewards: { targetShareMs: 100, initialDifficulty: 6, maxDifficulty: 16 },
        // The fleet sweeps at virtual times; the server's own timer must never fire in a run.
        limits: { sweepIntervalMs: 2 ** 31 - 1 },
      }, (running) => (devices = running)),
    });
    port = handle.port!;
    return handle;
  };
  let handle = await start();
  const nonces = senders.map(() => 0);
  let lastBlock = 0;
  let pending = new Set<number>();

  async function feed(): Promise<void> {
    for (let index = 0; index < senders.length; index++) {
      const account = handle.ledger.account(senders[index]!);
      if (pending.has(index) && account !== undefined && account.nonce < nonces[index]!) continue;
      if (handle.mempool.size >= 4 * senders.length) return;
      const recipient = senders[(index + 1 + random.int(0, senders.length - 2)) % senders.length]!;
      const tx = signTx({ chainId: CHAIN_ID, sender: senders[index]!, recipient, amount: BigInt(random.int(1, 1000)), fee: FEE + BigInt(random.int(0, 5)), nonce: account?.nonce ?? 0 }, secrets[index]!);
      try {
        await handle.intake.submit(toHex(tx));
        nonces[index] = (account?.nonce ?? 0) + 1;
        pending.add(index);
      } catch {
        // already pending with that nonce, or refused: tried again at the next block
      }
    }
  }
  await feed();

  const metric = (series: string): number => {
    const line = handle.metrics.render().split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

  return {
    host: handle.host,
    get port() {
      return port;
    },
    async register(device) {
      await handle.store.addDevice({ ...device, owner, createdAt: 0 });
    },
    async tick(time) {
      devices?.service.sweep();
      if (time - lastBlock >= BLOCK_MS) {
        lastBlock = time;
        const block = await handle.producer.produce();
        if (block !== undefined) {
          pending = new Set();
          await feed();
        }
      }
    },
    async restart() {
      restarts++;
      await handle.stop();
      handle = await start();
    },
    async view() {
      const counts = await handle.store.counts();
      return {
        blocks: handle.ledger.head.header.height,
        transactionsCommitted: counts.transactions,
        accepted: metric('mm_consensus_decisions_total{outcome="accept"}'),
        rejected: metric('mm_consensus_decisions_total{outcome="reject"}'),
        resultsStored: counts.results,
        restarts,
      };
    },
    async hasResult(deviceId, counter) {
      return (await handle.store.result(deviceId, counter)) !== undefined;
    },
    async stop() {
      await handle.stop();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/** A node elsewhere: devices registered over HTTP with the admin token; nothing else driven. */
export function remoteNode(address: string, admin: { url: string; token: string }): SimNode {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  if (colon < 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SimError('usage', `expected host:port, got "${address}"`, { where: '--node' });
  }
  const get = async (path: string): Promise<Record<string, unknown>> => (await (await fetch(new URL(path, admin.url))).json()) as Record<string, unknown>;
  return {
    host,
    port,
    async register(device) {
      const response = await fetch(new URL('/admin/devices', admin.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: device.id, key: toHex(device.key), profile: device.profile, tier: device.tier, owner: '00'.repeat(32) }),
      });
      if (response.status !== 201) throw new SimError('node', `registering ${device.id} failed: HTTP ${response.status} ${await response.text()}`, { where: admin.url });
    },
    async tick() {},
    async restart() {
      throw new SimError('node', 'cannot restart a node the simulator did not start', { where: '--node' });
    },
    async view() {
      const stats = await get('/stats');
      const head = (stats.head ?? {}) as Record<string, unknown>;
      const counts = (stats.counts ?? {}) as Record<string, unknown>;
      return { blocks: Number(head.height ?? 0), transactionsCommitted: Number(counts.transactions ?? 0), accepted: 0, rejected: 0, resultsStored: Number(counts.results ?? 0), restarts: 0 };
    },
    async hasResult() {
      return undefined;
    },
    async stop() {},
  };
}
