/**
 * Runs `micromine flash` directly: `node --import tsx tools/flash/bin.ts [args]`.
 * @module
 */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
