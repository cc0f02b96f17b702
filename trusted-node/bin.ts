/**
 * Runs `micromine node` directly: `node --import tsx trusted-node/bin.ts [args]`, with the
 * device server on the device port.
 * @module
 */
import { main } from './cli.ts';
import { deviceServer } from './devices/server.ts';

process.exitCode = await main(process.argv.slice(2), { deviceServer: deviceServer() });
