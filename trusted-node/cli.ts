/**
 * Command line of the trusted node (the `micromine` dispatcher passes the arguments after
 * `node`):
 *
 *     micromine node [--data DIR] [--port P] [--http-port H] [--host H] [--genesis FILE]
 *                    [--block-interval MS] [--log-level L]
 *     micromine node verify [--data DIR] [--json]
 *     micromine node add-device --profile P --owner HEX [--id ID] [--key HEX] [--tier T] [--data DIR]
 *
 * `main` resolves to the exit code: 0 success, 1 failure, 2 bad usage or input, 3 the machine is
 * not ready (port in use, data directory not ours); a message and a hint go to stderr. Running the node logs one JSON object per line to stderr and stops gracefully
 * on SIGTERM or SIGINT.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { toHex } from './bytes.ts';
import { openDataDir } from './datadir.ts';
import { NodeError, exitCodeOf } from './errors.ts';
import { parseGenesis, type GenesisConfig } from './ledger/genesis.ts';
import { verifyChain } from './ledger/verify.ts';
import { createLogger, type LogLevel } from './log.ts';
import { DEFAULT_BLOCK_INTERVAL_MS, DEFAULT_DATA_DIR, DEFAULT_DEVICE_PORT, DEFAULT_HOST, DEFAULT_HTTP_PORT, startNode, type NodeOptions } from './node.ts';
import { publicDevice, registerDevice } from './registry.ts';
import { openSqliteStore } from './store/sqlite.ts';

/** Usage text. */
export const USAGE = `usage:
  micromine node [options]                 run a trusted node
  micromine node verify [--data DIR] [--json]
                                           re-check the whole chain in DIR
  micromine node add-device --profile P --owner HEX [--id ID] [--key HEX] [--tier T] [--data DIR]
                                           register a device (id and key drawn when omitted)

options of "micromine node":
  --data DIR             data directory (default ${DEFAULT_DATA_DIR}); created and marked on first start
  --port P               device TCP port (default ${DEFAULT_DEVICE_PORT})
  --http-port H          HTTP port (default ${DEFAULT_HTTP_PORT})
  --host H               address to bind (default ${DEFAULT_HOST}: loopback only)
  --genesis FILE         genesis JSON for a new ledger (default: the demo chain)
  --block-interval MS    time between blocks (default ${DEFAULT_BLOCK_INTERVAL_MS}; 0: no timer)
  --log-level L          debug, info, warn or error (default info)
`;

/** Optional device server hook, set by the sessions layer when it is linked in. */
export type NodeCliHooks = Pick<NodeOptions, 'deviceServer'>;

class UsageError extends Error {}

/** Runs the `micromine node` command; resolves to the exit code. */
export async function main(args: readonly string[], hooks: NodeCliHooks = {}): Promise<number> {
  try {
    const [first, ...rest] = args;
    if (first === 'verify') return await verifyCommand(rest);
    if (first === 'add-device') return await addDeviceCommand(rest);
    if (first === 'help' || first === '--help' || first === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    return await runCommand(args, hooks);
  } catch (error) {
    return report(error);
  }
}

async function runCommand(args: readonly string[], hooks: NodeCliHooks): Promise<number> {
  const { values } = parse(args, {
    data: { type: 'string' }, port: { type: 'string' }, 'http-port': { type: 'string' }, host: { type: 'string' },
    genesis: { type: 'string' }, 'block-interval': { type: 'string' }, 'log-level': { type: 'string' },
  });
  const level = (values['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level expected debug, info, warn or error, got ${JSON.stringify(level)}`);
  const logger = createLogger(process.stderr, { level });
  const genesis = values.genesis === undefined ? undefined : readGenesis(values.genesis);
  const node = await startNode({
    dataDir: values.data ?? DEFAULT_DATA_DIR,
    port: portOption('--port', values.port, DEFAULT_DEVICE_PORT),
    httpPort: portOption('--http-port', values['http-port'], DEFAULT_HTTP_PORT),
    host: values.host ?? DEFAULT_HOST,
    blockIntervalMs: integerOption('--block-interval', values['block-interval'], DEFAULT_BLOCK_INTERVAL_MS),
    logger,
    ...(genesis ? { genesis } : {}),
    ...hooks,
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info('node_stopping', { signal });
  await node.stop();
  return 0;
}

async function verifyCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(args, { data: { type: 'string' }, json: { type: 'boolean' } });
  const dir = openDataDir(values.data ?? DEFAULT_DATA_DIR, { create: false });
  const store = openSqliteStore(dir.databasePath);
  try {
    const report = await verifyChain(store);
    if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
    else if (report.ok) process.stdout.write(`chain OK: ${report.blocksChecked} blocks, ${report.transactionsChecked} transactions, ${report.accounts} accounts\n`);
    else {
      process.stdout.write(`chain INCONSISTENT after ${report.blocksChecked} good blocks\n  where: ${report.problem!.where}\n  what:  ${report.problem!.message}\n`);
    }
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function addDeviceCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(args, {
    data: { type: 'string' }, id: { type: 'string' }, key: { type: 'string' }, profile: { type: 'string' }, tier: { type: 'string' }, owner: { type: 'string' },
  });
  if (values.profile === undefined) throw new UsageError('--profile is required (e.g. moddable-esp32, espruino-esp32)');
  if (values.owner === undefined) throw new UsageError('--owner is required: the account (64 hex) the device\'s rewards are paid to');
  const dir = openDataDir(values.data ?? DEFAULT_DATA_DIR, { create: false });
  const store = openSqliteStore(dir.databasePath);
  try {
    const key = values.key ?? toHex(randomBytes(32));
    const body = { id: values.id ?? toHex(randomBytes(8)), key, profile: values.profile, owner: values.owner, ...(values.tier ? { tier: values.tier } : {}) };
    const device = await registerDevice(store, body, Date.now());
    // The key is shown once, here, for provisioning; the node never serves it.
    process.stdout.write(JSON.stringify({ ...publicDevice(device), key }, null, 2) + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse<T extends OptionSpec>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function readGenesis(file: string): GenesisConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new NodeError('bad_request', `cannot read the genesis file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { where: file });
  }
  try {
    return parseGenesis(JSON.parse(text));
  } catch (error) {
    if (error instanceof NodeError) throw new NodeError(error.code, `${file}: ${error.message}`, { where: `${file}: ${error.where ?? ''}` });
    throw new NodeError('bad_json', `${file} is not JSON: ${(error as Error).message}`, { where: file });
  }
}

function portOption(name: string, value: string | undefined, fallback: number): number {
  const port = integerOption(name, value, fallback);
  if (port > 65535) throw new UsageError(`${name} expected a port in 0..65535, got ${value}`);
  return port;
}

function integerOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^(0|[1-9][0-9]{0,8})$/.test(value)) throw new UsageError(`${name} expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof NodeError) {
    process.stderr.write(`error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
    return exitCodeOf(error);
  }
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
