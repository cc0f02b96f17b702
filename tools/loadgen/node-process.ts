/**
 * The node under load, in its own process: `node --import tsx tools/loadgen/node-process.ts
 * <config JSON>`. It starts a real trusted node (SQLite, the device server) with the device
 * server options of the config, prints one JSON line `{"ready": true, "port", "httpPort"}` on
 * stdout once both ports are bound, and stops gracefully on SIGTERM.
 *
 * It also watches its own event loop (perf_hooks' delay histogram, 1 ms resolution): a line
 * `window` on stdin starts a new histogram and `report` prints one JSON line
 * {@link EventLoopReport} for the time since, so the load generator can tell a node that stalls
 * its sessions (a block commit, a long batch) from one that is merely busy.
 * @module
 */
import { createInterface } from 'node:readline';
import { watchStalls, type DelayReport, type GcReport } from './pauses.ts';
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

/** Event-loop delay of the node's main thread since the last `window` line (ms). */
export interface EventLoopReport extends DelayReport {
  /** Garbage-collector pauses of the node process in the same window. */
  readonly gc: GcReport;
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
let stalls = watchStalls();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'window') {
    stalls();
    stalls = watchStalls();
  } else if (line === 'report') {
    const { delay, gc } = stalls();
    const report: EventLoopReport = { ...delay, gc };
    process.stdout.write(JSON.stringify(report) + '\n');
  }
});
process.stdout.write(JSON.stringify({ ready: true, port: node.port, httpPort: node.httpPort }) + '\n');
process.once('SIGTERM', () => {
  void node.stop().then(() => process.exit(0));
});
