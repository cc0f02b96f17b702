/**
 * The node under load, in its own process: `node --import tsx tools/loadgen/node-process.ts
 * <config JSON>`. It starts a real trusted node (SQLite, the device server) with the device
 * server options of the config, prints one JSON line `{"ready": true, "port", "httpPort"}` on
 * stdout once both ports are bound, and stops gracefully on SIGTERM.
 * @module
 */
import { createLogger } from '../../trusted-node/log.ts';
import { startNode } from '../../trusted-node/node.ts';
import { deviceServer } from '../../trusted-node/devices/server.ts';
import type { DeviceServerOptions } from '../../trusted-node/devices/options.ts';

/** What the load generator tells the node process. */
export interface NodeProcessConfig {
  readonly dataDir: string;
  readonly blockIntervalMs: number;
  /** Device server options (JSON: no reward amounts, which are bigints). */
  readonly devices: DeviceServerOptions;
}

const config = JSON.parse(process.argv[2] ?? '{}') as NodeProcessConfig;
const node = await startNode({
  dataDir: config.dataDir,
  port: 0,
  httpPort: 0,
  blockIntervalMs: config.blockIntervalMs,
  logger: createLogger(process.stderr, { level: 'warn' }),
  deviceServer: deviceServer(config.devices),
});
process.stdout.write(JSON.stringify({ ready: true, port: node.port, httpPort: node.httpPort }) + '\n');
process.once('SIGTERM', () => {
  void node.stop().then(() => process.exit(0));
});
