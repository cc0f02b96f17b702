/**
 * The trusted node a fleet talks to. By default a real node started in-process, in a worker
 * thread (node-host.ts: SQLite in a temporary data directory, the device server on a free
 * loopback port) whose clock is the fleet's virtual clock, with its sweeps and blocks driven by
 * the fleet at virtual times so that a run does not depend on host scheduling. It gets a seeded
 * genesis of funded senders, and the simulator keeps one valid transfer per sender pending as the
 * fleet's work.
 *
 * With `--node host:port` the fleet uses a node that runs elsewhere: devices are registered
 * through its HTTP admin API (docs/simulator.md) and the work is whatever that node has.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { toHex } from '../trusted-node/bytes.ts';
import { SimError } from './errors.ts';

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
  /** Runs what the node does now (sweep, block, new work); in-process only. */
  tick(): Promise<void>;
  /** Resolves once the node has run what the last requests set off. */
  idle(): Promise<void>;
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

/** Options of the in-process node. */
export interface LocalNodeOptions {
  seed: number;
  /** funded accounts that send the fleet's transfers: the most entries a unit can hold */
  senders: number;
  /** the most entries in any unit (0: as the profiles allow) */
  maxEntries: number;
  /** virtual ms of the simulator's epoch */
  epoch: number;
  /** the node's JSON log lines (default: none) */
  onLog?: (line: string) => void;
}

/** What the worker is started with (node-host.ts). */
export interface NodeSetup {
  seed: number;
  senders: number;
  maxEntries: number;
  epoch: number;
  log: boolean;
  /** one f64: the fleet's virtual time, written by the fleet, read by the node's clock */
  clock: SharedArrayBuffer;
}

/** What the fleet asks of the worker. */
export type NodeRequest =
  | { op: 'register'; device: Omit<Registration, 'key'> & { key: number[] } }
  | { op: 'tick' }
  | { op: 'restart' }
  | { op: 'view' }
  | { op: 'has-result'; deviceId: string; counter: number }
  | { op: 'idle' }
  | { op: 'stop' };

/**
 * Starts a node in a worker thread (node-host.ts) on a free loopback port. The worker keeps the
 * node's CPU out of the simulator's own (reports measure the engines against the main thread),
 * and the fleet's virtual time reaches its clock through shared memory.
 */
export async function startLocalNode(options: LocalNodeOptions): Promise<SimNode & { setTime(time: number): void; readonly threadId: number }> {
  const clockBuffer = new SharedArrayBuffer(8);
  const clock = new Float64Array(clockBuffer);
  const setup: NodeSetup = { seed: options.seed, senders: options.senders, maxEntries: options.maxEntries, epoch: options.epoch, log: options.onLog !== undefined, clock: clockBuffer };
  const worker = new Worker(new URL('./node-worker.mjs', import.meta.url), { workerData: setup });
  const calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let serial = 0;
  let failure: Error | undefined;
  const ready = new Promise<{ host: string; port: number }>((resolve, reject) => {
    worker.on('message', (message: { ready?: { host: string; port: number }; log?: string; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) resolve(message.ready);
      else if (message.log !== undefined) options.onLog?.(message.log);
      else if (message.id !== undefined) {
        const call = calls.get(message.id);
        calls.delete(message.id);
        if (message.error !== undefined) call?.reject(new SimError('node', message.error));
        else call?.resolve(message.result);
      }
    });
    worker.on('error', (error) => {
      failure = new SimError('node', `the in-process node failed: ${error.message}`);
      reject(failure);
      for (const call of calls.values()) call.reject(failure);
      calls.clear();
    });
  });
  const { host, port } = await ready;
  const ask = <T>(request: NodeRequest): Promise<T> => {
    if (failure) return Promise.reject(failure);
    return new Promise<T>((resolve, reject) => {
      const id = ++serial;
      calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, request });
    });
  };
  return {
    host,
    port,
    threadId: worker.threadId,
    setTime(time) {
      clock[0] = time;
    },
    register: (device) => ask({ op: 'register', device: { ...device, key: [...device.key] } }),
    tick: () => ask({ op: 'tick' }),
    restart: () => ask({ op: 'restart' }),
    view: () => ask<NodeView>({ op: 'view' }),
    hasResult: (deviceId, counter) => ask<boolean>({ op: 'has-result', deviceId, counter }),
    idle: () => ask({ op: 'idle' }),
    async stop() {
      try {
        await ask({ op: 'stop' });
      } finally {
        await worker.terminate();
      }
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
    async idle() {},
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
