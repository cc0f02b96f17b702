/**
 * Runs `micromine provision` directly: `node --import tsx tools/provision/bin.ts [args]`.
 * @module
 */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
