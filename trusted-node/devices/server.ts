/**
 * The device TCP server: accepts connections within the limits (in total, per address, and the
 * rate of new connections per address), wraps each in a {@link Connection}, runs the sweep, and
 * plugs into `startNode` as its device server (`deviceServer(options)`).
 * @module
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DATABASE_FILE } from '../datadir.ts';
import type { AddressInfo } from 'node:net';
import { NodeError } from '../errors.ts';
import type { DeviceServer, DeviceServerFactory, NodeParts } from '../node.ts';
import { Connection } from './connection.ts';
import { KeyedBuckets } from './limits.ts';
import { resolveOptions, type DeviceServerOptions } from './options.ts';
import { storeWriter, threadWriter } from './result-writer.ts';
import { DeviceService } from './service.ts';

/** A running device server with its service, for tests and tools that look inside. */
export interface RunningDevices extends DeviceServer {
  readonly service: DeviceService;
}

/**
 * The device server factory for `startNode({ deviceServer: deviceServer(options) })`. Options
 * are checked at once (unknown names and bad values throw), before anything starts.
 * `onStart` hears of the running server (tests use it to reach the service).
 */
export function deviceServer(options: DeviceServerOptions = {}, onStart?: (running: RunningDevices) => void): DeviceServerFactory {
  const resolved = resolveOptions(options);
  return async (parts, listen) => {
    const writer = resolved.commit.thread ? await threadWriter(join(parts.dataDir, DATABASE_FILE)) : storeWriter(parts.store);
    try {
      const running = await listenDevices(new DeviceService(parts, resolved, writer), listen);
      onStart?.(running);
      return running;
    } catch (error) {
      await writer.close();
      throw error;
    }
  };
}

/** Serves `service` on `host:port` (port 0: any free port). */
export async function listenDevices(service: DeviceService, listen: { readonly host: string; readonly port: number }): Promise<RunningDevices> {
  const { limits } = service.options;
  const connects = new KeyedBuckets(limits.connectsPerSecondPerAddress, 2 * limits.connectsPerSecondPerAddress, () => service.now());
  const server: Server = createServer({ noDelay: true }, (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const verdict = connects.take(address) ? service.admit(address) : 'connect-rate';
    if (verdict !== 'ok') {
      service.refused(verdict);
      socket.destroy();
      return;
    }
    service.opened(new Connection(socket, service));
  });
  server.maxConnections = limits.maxConnections + 64;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new NodeError('listen', `cannot listen for devices on ${listen.host}:${listen.port}: ${error.code ?? error.message}`, {
        where: `${listen.host}:${listen.port}`,
        ...(error.code === 'EADDRINUSE' ? { hint: 'another process uses that port: pass another --port' } : {}),
      })),
    );
    server.listen(listen.port, listen.host, () => resolve((server.address() as AddressInfo).port));
  });
  const sweeper = setInterval(() => {
    try {
      service.sweep();
      connects.prune();
    } catch (error) {
      service.logger.error('device_sweep_failed', { error });
    }
  }, limits.sweepIntervalMs);
  service.logger.info('devices_listening', { host: listen.host, port });
  let closing: Promise<void> | undefined;
  return {
    port,
    service,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweeper);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await service.close();
        await stopped;
      })()),
  };
}
