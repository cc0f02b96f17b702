// Test helpers: a real node (SQLite in a temporary directory, the device server on a loopback
// port) and simulated devices that speak the real protocol to it.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { deviceServer, type RunningDevices } from '../../trusted-node/devices/server.ts';
import type { DeviceServerOptions } from '../../trusted-node/devices/options.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { decodeTransaction, isRefusal } from '../../trusted-node/ledger/rules.ts';
import { startNode, type NodeHandle, type NodeOptions } from '../../trusted-node/node.ts';
import { SimDevice, type Behavior, type SimIdentity } from '../../tools/loadgen/device.ts';

/** A running node with its device server. */
export interface Fleet {
  readonly node: NodeHandle;
  readonly devices: RunningDevices;
  /** Registers a device and returns a simulated one, not yet connected. */
  device(profile: string, behavior?: Behavior, owner?: Uint8Array): Promise<SimDevice>;
  /** Stops the node and removes its directory. */
  stop(): Promise<void>;
}

let serial = 0;

/** A deterministic secret for test keys. */
export function secret(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`node-sessions ${label}`).digest());
}

/** Starts a node whose device server has `options` (blocks only when asked unless `node.blockIntervalMs` says otherwise). */
export async function startFleet(options: DeviceServerOptions = {}, node: NodeOptions = {}): Promise<Fleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-fleet-'));
  let devices: RunningDevices | undefined;
  const handle = await startNode({
    dataDir: join(dataDir, 'node'), port: 0, httpPort: 0, blockIntervalMs: 0,
    deviceServer: deviceServer(options, (running) => (devices = running)),
    ...node,
  });
  return {
    node: handle,
    devices: devices!,
    async device(profile, behavior, owner = secret('owner')) {
      serial++;
      const id = createHash('sha256').update(`device ${serial} ${process.pid}`).digest('hex').slice(0, 16);
      const identity: SimIdentity = { id, key: secret(`key ${id}`), profile, tier: profile.startsWith('moddable-') ? 'sig' : 'hash' };
      await handle.store.addDevice({ id, key: identity.key, profile, tier: identity.tier, owner: toHex(owner), createdAt: 0 });
      return new SimDevice(identity, { port: handle.port!, ...(behavior ? { behavior } : {}) });
    },
    async stop() {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A signed transfer from a demo account. */
export function transfer(from: 'alice' | 'bob' | 'carol', to: Uint8Array, amount: bigint, nonce: number, fee = 10n): Uint8Array {
  const key = demoSecretKey(from);
  return signTx({ chainId: 1, sender: publicKeyOf(key), recipient: to, amount, fee, nonce }, key);
}

/** Resolves once `test()` holds, checking every few milliseconds (gives up after `limitMs` with the message). */
export async function eventually(test: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await test())) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Puts a transaction in the mempool without intake's checks (an invalid one, for devices to judge); returns its id. */
export async function inject(node: NodeHandle, tx: Uint8Array): Promise<string> {
  const decoded = decodeTransaction(tx);
  if (isRefusal(decoded)) throw new Error(`not a transaction: ${decoded.message}`);
  const { id, key, sender, senderKey, nonce, fee, amount } = decoded;
  await node.mempool.add({ id, key, tx, sender, senderKey, nonce, fee, amount, receivedAt: Date.now() });
  return key;
}

/** A clock the test moves by hand (deadlines, rate limits, share times, reward hours). */
export class ManualClock {
  value = 1_800_000_000_000;
  readonly now = (): number => this.value;
  advance(ms: number): void {
    this.value += ms;
  }
}
