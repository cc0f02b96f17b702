/**
 * Runs `micromine sim` directly until the dispatcher links it in:
 * `node --import tsx host-sim/bin.ts --profile moddable-esp32 --devices 4 --units 2 --seed 1`.
 * @module
 */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
