/**
 * Runs `micromine wallet` directly: `node --import tsx trusted-node/wallet/bin.ts [args]`.
 * @module
 */
import { walletMain } from './cli.ts';

process.exitCode = await walletMain(process.argv.slice(2));
