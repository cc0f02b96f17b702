/**
 * Runs `micromine node` directly: `node --import tsx trusted-node/bin.ts [args]`.
 * @module
 */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
