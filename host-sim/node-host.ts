/**
 * The worker side of the in-process node (node.ts): a real trusted node on a free loopback port
 * with a temporary data directory, a seeded genesis of funded senders, and the simulator's
 * work: one valid transfer per sender kept pending. Its clock is the fleet's virtual clock, read
 * from shared memory; sweeps and blocks run when the fleet says (`tick`), never on a timer.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { publicKeyOf, signTx } from '../protocol/tx.ts';
import { toHex } from '../trusted-node/bytes.ts';
import { deviceServer, type RunningDevices } from '../trusted-node/devices/server.ts';
import type { GenesisConfig } from '../trusted-node/ledger/genesis.ts';
import { createLogger, silentLogger } from '../trusted-node/log.ts';
import { startNode, type NodeHandle } from '../trusted-node/node.ts';
import { BLOCK_MS, type NodeRequest, type NodeSetup } from './node.ts';
import { Random } from './random.ts';

const CHAIN_ID = 1;
const FEE = 10n;

const setup = workerData as NodeSetup;
const clock = new Float64Array(setup.clock);
const random = new Random(setup.seed).fork('node');
const secrets = Array.from({ length: setup.senders }, () => random.bytes(32));
const senders = secrets.map((secret) => publicKeyOf(secret));
const genesis: GenesisConfig = { chainId: CHAIN_ID, minFee: FEE, time: 0, accounts: senders.map((publicKey) => ({ publicKey, balance: 10n ** 12n })) };
const owner = toHex(senders[0]!);
const dataRoot = mkdtempSync(join(tmpdir(), 'mm-sim-node-'));
// The fleet's virtual time as it is: the node takes whole milliseconds from any clock.
const now = (): number => setup.epoch + clock[0]!;
const log = (line: string): void => parentPort!.postMessage({ log: String(line).trimEnd() });
let devices: RunningDevices | undefined;
let port = 0;
let restarts = 0;

async function start(): Promise<NodeHandle> {
  const handle = await startNode({
    dataDir: join(dataRoot, 'node'), port, httpPort: 0, blockIntervalMs: 0, genesis, now,
    logger: setup.log ? createLogger({ write: log }, { level: 'info', now }) : silentLogger,
    deviceServer: deviceServer({
      now,
      consensus: { auditSeed: random.u32(), auditRate: 0.05 },
      scheduling: { probes: true, ...(setup.maxEntries > 0 ? { maxEntries: setup.maxEntries } : {}) },
      // Shares steered to 100 ms of device time instead of 30 s: every nonce is a native digest
      // (a host call), and a run is about the device's limits, not about waiting.
      rewards: { targetShareMs: 100, initialDifficulty: 6, maxDifficulty: 16 },
      // The fleet sweeps at virtual times; the server's own timer must never fire in a run.
      limits: { sweepIntervalMs: 2 ** 31 - 1 },
    }, (running) => (devices = running)),
  });
  port = handle.port!;
  return handle;
}

let handle = await start();
const nonces = senders.map(() => 0);
let lastBlock = 0;
let pending = new Set<number>();

/** Keeps one valid transfer pending per sender whose last one is in a block. */
async function feed(): Promise<void> {
  for (let index = 0; index < senders.length; index++) {
    const account = handle.ledger.account(senders[index]!);
    if (pending.has(index) && account !== undefined && account.nonce < nonces[index]!) continue;
    const recipient = senders[(index + 1 + random.int(0, senders.length - 2)) % senders.length]!;
    const nonce = account?.nonce ?? 0;
    const tx = signTx({ chainId: CHAIN_ID, sender: senders[index]!, recipient, amount: BigInt(random.int(1, 1000)), fee: FEE + BigInt(random.int(0, 5)), nonce }, secrets[index]!);
    try {
      await handle.intake.submit(toHex(tx));
      nonces[index] = nonce + 1;
      pending.add(index);
    } catch {
      // already pending with that nonce, or refused: tried again after the next block
    }
  }
}
await feed();

function metric(series: string): number {
  const line = handle.metrics.render().split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function serve(request: NodeRequest): Promise<unknown> {
  switch (request.op) {
    case 'register':
      await handle.store.addDevice({ ...request.device, key: Uint8Array.from(request.device.key), owner, createdAt: 0 });
      return undefined;
    case 'tick': {
      devices?.service.sweep();
      const time = clock[0]!;
      if (time - lastBlock >= BLOCK_MS) {
        lastBlock = time;
        if ((await handle.producer.produce()) !== undefined) {
          pending = new Set();
          await feed();
        }
      }
      return undefined;
    }
    case 'restart':
      restarts++;
      await handle.stop();
      handle = await start();
      return undefined;
    case 'view': {
      const counts = await handle.store.counts();
      return {
        blocks: handle.ledger.head.header.height,
        transactionsCommitted: counts.transactions,
        accepted: metric('mm_consensus_decisions_total{outcome="accept"}'),
        rejected: metric('mm_consensus_decisions_total{outcome="reject"}'),
        resultsStored: counts.results,
        restarts,
      };
    }
    case 'has-result':
      return (await handle.store.result(request.deviceId, request.counter)) !== undefined;
    case 'idle':
      // Answered once what the last requests set off has run (their writes are on the sockets).
      await new Promise((resolve) => setImmediate(resolve));
      return undefined;
    case 'stop':
      await handle.stop();
      rmSync(dataRoot, { recursive: true, force: true });
      return undefined;
  }
}

parentPort!.on('message', (message: { id: number; request: NodeRequest }) => {
  serve(message.request).then(
    (result) => parentPort!.postMessage({ id: message.id, result }),
    (error: unknown) => parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
parentPort!.postMessage({ ready: { host: handle.host, port } });
