/**
 * Starting and stopping a trusted node as a library: data directory, store, ledger, mempool,
 * intake, block production, the HTTP API and, through a factory the sessions layer provides,
 * the device TCP server. {@link startNode} resolves once every port is bound.
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { wholeMsClock } from './clock.ts';
import { lockDataDir, openDataDir } from './datadir.ts';
import { NodeError } from './errors.ts';
import { createHttpServer, type HttpLimits } from './http/server.ts';
import { apiRoutes } from './http/api.ts';
import { Intake, restoreMempool } from './intake.ts';
import type { GenesisConfig } from './ledger/genesis.ts';
import { Ledger } from './ledger/ledger.ts';
import { silentLogger, type Logger } from './log.ts';
import { DEFAULT_MEMPOOL_CAPACITY, Mempool } from './mempool.ts';
import { MetricsRegistry } from './metrics.ts';
import { BlockProducer } from './producer.ts';
import { SerialLane } from './serial.ts';
import { MAIN_CHECKPOINT_PAGES, openSqliteStore } from './store/sqlite.ts';
import type { LedgerStore } from './store/types.ts';

/** Defaults from docs/decisions.md. */
export const DEFAULT_DEVICE_PORT = 7070;
export const DEFAULT_HTTP_PORT = 7071;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = '.data/node';
/** Default time between blocks (ms). */
export const DEFAULT_BLOCK_INTERVAL_MS = 2_000;

/** What the device server factory gets: the node's parts and where to listen. */
export interface NodeParts {
  /** Absolute path of the data directory (the store's file lives there as `ledger.sqlite`). */
  readonly dataDir: string;
  readonly store: LedgerStore;
  readonly ledger: Ledger;
  readonly mempool: Mempool;
  readonly producer: BlockProducer;
  /** Serializes work that checks and then changes the ledger or mempool. */
  readonly lane: SerialLane;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
}

/** A running device server, as the factory returns it. */
export interface DeviceServer {
  /** The TCP port actually bound. */
  readonly port: number;
  /** Stops accepting, closes sessions, resolves when done. */
  close(): Promise<void>;
}

/** Starts the device TCP server on `host:port` (port 0: any free port). */
export type DeviceServerFactory = (parts: NodeParts, listen: { readonly host: string; readonly port: number }) => Promise<DeviceServer>;

/** Options of {@link startNode}. */
export interface NodeOptions {
  /** Data directory; default {@link DEFAULT_DATA_DIR}. */
  readonly dataDir?: string;
  /** Device TCP port (0: any free port); default 7070. Used only with a `deviceServer`. */
  readonly port?: number;
  /** HTTP port (0: any free port); default 7071. */
  readonly httpPort?: number;
  /** Address both servers bind; default 127.0.0.1. */
  readonly host?: string;
  /** Genesis of a new ledger (default: the demo genesis); an existing ledger must match it. */
  readonly genesis?: GenesisConfig;
  /** Time between blocks in ms; 0 produces blocks only when asked (`handle.producer.produce()`). */
  readonly blockIntervalMs?: number;
  readonly mempoolCapacity?: number;
  readonly httpLimits?: HttpLimits;
  readonly logger?: Logger;
  /** Serves the device protocol; without it the node serves HTTP only. */
  readonly deviceServer?: DeviceServerFactory;
  /** Clock (ms since the epoch); default Date.now. Fractions are dropped (trusted-node/clock.ts). */
  readonly now?: () => number;
}

/** A running node. */
export interface NodeHandle extends NodeParts {
  readonly host: string;
  readonly httpPort: number;
  /** The device port bound, or undefined when no device server runs. */
  readonly port: number | undefined;
  readonly intake: Intake;
  /** Stops everything gracefully (idempotent): servers first, then block production, then the store. */
  stop(): Promise<void>;
}

/** Starts a node; see {@link NodeOptions}. Rejects (having released what it took) when anything fails to start. */
export async function startNode(options: NodeOptions = {}): Promise<NodeHandle> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? DEFAULT_HOST;
  const now = wholeMsClock(options.now ?? Date.now);
  const dir = openDataDir(options.dataDir ?? DEFAULT_DATA_DIR);
  const unlock = lockDataDir(dir);
  const cleanups: (() => Promise<void> | void)[] = [unlock];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step();
  };
  try {
    const store = openSqliteStore(dir.databasePath, { checkpointPages: MAIN_CHECKPOINT_PAGES });
    cleanups.push(() => store.close());
    const lane = new SerialLane();
    cleanups.push(() => lane.idle());
    const ledger = await Ledger.open(store, { ...(options.genesis ? { genesis: options.genesis } : {}), now });
    const metrics = new MetricsRegistry();
    const mempool = new Mempool(store, options.mempoolCapacity ?? DEFAULT_MEMPOOL_CAPACITY);
    metrics.gauge({ name: 'mm_mempool_transactions', help: 'Transactions waiting in the mempool', collect: (g) => g.set(mempool.size) });
    metrics.gauge({ name: 'mm_accounts', help: 'Accounts in the state', collect: (g) => g.set(ledger.accountCount) });
    const restored = await restoreMempool(store, mempool, ledger);
    const intake = new Intake({ ledger, mempool, store, lane, metrics, now });
    const producer = new BlockProducer({ ledger, mempool, store, lane, metrics, logger });
    cleanups.push(() => producer.stop());
    const parts: NodeParts = { dataDir: dir.path, store, ledger, mempool, producer, lane, metrics, logger };

    const http = createHttpServer({
      routes: apiRoutes({ store, ledger, mempool, intake, metrics, startedAt: now(), now }),
      adminToken: dir.adminToken,
      metrics,
      logger,
      ...(options.httpLimits ? { limits: options.httpLimits } : {}),
    });
    const httpPort = await listen(http, host, options.httpPort ?? DEFAULT_HTTP_PORT);
    cleanups.push(() => closeHttp(http));
    let port: number | undefined;
    if (options.deviceServer) {
      const devices = await options.deviceServer(parts, { host, port: options.port ?? DEFAULT_DEVICE_PORT });
      cleanups.push(() => devices.close());
      port = devices.port;
    }
    const interval = options.blockIntervalMs ?? DEFAULT_BLOCK_INTERVAL_MS;
    if (interval > 0) producer.start(interval);
    logger.info('node_started', {
      dataDir: dir.path, host, httpPort, port: port ?? null, height: ledger.head.header.height,
      chainId: ledger.chain.chainId, genesisHash: ledger.chain.genesisHash, mempool: restored, created: dir.created,
    });
    let stopping: Promise<void> | undefined;
    return {
      ...parts,
      host,
      httpPort,
      port,
      intake,
      stop: () =>
        (stopping ??= (async () => {
          await cleanup();
          logger.info('node_stopped', { height: ledger.head.header.height });
        })()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const hint = error.code === 'EADDRINUSE' ? 'another process uses that port: pass another --http-port' : undefined;
      reject(new NodeError('listen', `cannot listen on ${host}:${port}: ${error.code ?? error.message}`, { where: `${host}:${port}`, ...(hint ? { hint } : {}) }));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open until their idle timeout.
    server.closeIdleConnections();
  });
}
