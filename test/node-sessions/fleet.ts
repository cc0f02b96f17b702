// Test helpers: a real node (SQLite in a temporary directory, the device server on a loopback
// port) and simulated devices that speak the real protocol to it.
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '../../firmware/core/hex.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';
import { authProof } from '../../protocol/wire.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { deviceServer, type RunningDevices } from '../../trusted-node/devices/server.ts';
import type { DeviceServerOptions } from '../../trusted-node/devices/options.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { decodeTransaction, isRefusal } from '../../trusted-node/ledger/rules.ts';
import { startNode, type NodeHandle, type NodeOptions } from '../../trusted-node/node.ts';
import { HONEST, SimDevice, type Behavior, type SimIdentity } from '../../tools/loadgen/device.ts';

/** A running node with its device server. */
export interface Fleet {
  readonly node: NodeHandle;
  readonly devices: RunningDevices;
  /**
   * Registers a device and returns a simulated one, not yet connected; `requestsPerSecond` is
   * its own pacing (default: under the node's default limit).
   */
  device(profile: string, behavior?: Behavior, owner?: Uint8Array, localAddress?: string, requestsPerSecond?: number): Promise<SimDevice>;
  /** Stops the node and removes its directory. */
  stop(): Promise<void>;
}

let serial = 0;

/** A deterministic secret for test keys. */
export function secret(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`node-sessions ${label}`).digest());
}

/**
 * Share difficulty of a test fleet unless a test sets its own reward rules. The simulated devices
 * mine in the test's own process, on its event loop: at the production ceiling (24 bits, about
 * 16 million hashes a share) a fast device that variable difficulty has pushed up stalls the
 * whole test for tens of seconds, so an `eventually` gives up with the device mid-share. 12 bits
 * keeps variable difficulty moving and a share within milliseconds.
 */
const FLEET_REWARDS = { initialDifficulty: 8, minDifficulty: 1, maxDifficulty: 12 } as const;

/** Starts a node whose device server has `options` (blocks only when asked unless `node.blockIntervalMs` says otherwise). */
export async function startFleet(options: DeviceServerOptions = {}, node: NodeOptions = {}): Promise<Fleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-fleet-'));
  let devices: RunningDevices | undefined;
  const handle = await startNode({
    dataDir: join(dataDir, 'node'), port: 0, httpPort: 0, blockIntervalMs: 0,
    deviceServer: deviceServer({ rewards: FLEET_REWARDS, ...options }, (running) => (devices = running)),
    ...node,
  });
  return {
    node: handle,
    devices: devices!,
    async device(profile, behavior, owner = secret('owner'), localAddress, requestsPerSecond) {
      serial++;
      const id = createHash('sha256').update(`device ${serial} ${process.pid}`).digest('hex').slice(0, 16);
      const identity: SimIdentity = { id, key: secret(`key ${id}`), profile, tier: profile.startsWith('moddable-') ? 'sig' : 'hash' };
      await handle.store.addDevice({ id, key: identity.key, profile, tier: identity.tier, owner: toHex(owner), createdAt: 0 });
      return new SimDevice(identity, {
        port: handle.port!, ...(behavior ? { behavior } : {}), ...(localAddress ? { localAddress } : {}), ...(requestsPerSecond ? { requestsPerSecond } : {}),
      });
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

/** An honest hash-tier device, connected (it gets work when the fleet's node hands out probes). */
export async function honestDevice(fleet: Fleet): Promise<SimDevice> {
  const device = await fleet.device('espruino-esp32', HONEST);
  await device.connect();
  return device;
}

/** Resolves once `device` got two more results acknowledged: the node keeps serving it. */
export async function stillServed(device: SimDevice): Promise<void> {
  const before = device.acks.length;
  try {
    await eventually(() => device.acks.length >= before + 2, 'the honest device keeps getting acks');
  } catch (error) {
    // Say where the device stood, so a failure tells a silent node from a stuck device.
    const last = device.messages.slice(-4).map((m) => JSON.stringify(m));
    throw new Error(`${(error as Error).message} (acks ${before} -> ${device.acks.length}, working ${device.working}, closed ${device.closed}, errors [${device.errors.join(', ')}], last messages ${last.join(' ')})`);
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

/** A bare protocol peer for bad-input tests: writes whatever it is told, keeps every line it gets. */
export class RawPeer {
  readonly lines: { id: number | null; result?: unknown; error?: [number, string, null] | null; method?: string; params?: unknown[] }[] = [];
  readonly #socket: Socket;
  readonly closed: Promise<void>;
  #buffer = '';
  #ended = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let at: number;
      while ((at = this.#buffer.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(this.#buffer.slice(0, at)));
        this.#buffer = this.#buffer.slice(at + 1);
      }
    });
    socket.on('error', () => socket.destroy());
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.#ended = true;
      resolve();
    }));
  }

  /** Opens a connection to the node's device port, from `localAddress` when given. */
  static async open(port: number, localAddress?: string): Promise<RawPeer> {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    const peer = new RawPeer(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
      socket.once('close', () => resolve());
    });
    return peer;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Sends a line (a string as is, an object as JSON plus newline). */
  send(line: string | object): void {
    this.#socket.write(typeof line === 'string' ? line : JSON.stringify(line) + '\n', 'latin1');
  }

  /** The error codes of the answers so far. */
  get codes(): number[] {
    return this.lines.flatMap((l) => (l.error ? [l.error[0]] : []));
  }

  /** Resolves once `count` lines arrived (or the connection closed). */
  async received(count: number): Promise<void> {
    await eventually(() => this.lines.length >= count || this.#ended, `${count} lines from the node`);
  }

  /** Says hello and answers the challenge as `identity`; resolves once authorized. */
  async authenticate(identity: SimIdentity): Promise<void> {
    this.send({ id: 1, method: 'mm.hello', params: ['mm/1', identity.id, 'raw-1', identity.profile, identity.tier, 0] });
    await this.received(1);
    const challenge = hexToBytes((this.lines[0]!.result as { challenge: string }).challenge)!;
    this.send({ id: 2, method: 'mm.auth', params: [toHex(authProof(nodeDigest, identity.key, challenge, hexToBytes(identity.id)!))] });
    await this.received(2);
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** The value of one series in the node's /metrics rendering (0 when absent). */
export function metric(fleet: Fleet, series: string): number {
  const line = fleet.node.metrics.render().split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
