/**
 * The wallet command (the `micromine` dispatcher passes the arguments after `wallet`):
 *
 *     micromine wallet new --out FILE
 *     micromine wallet address --key KEY
 *     micromine wallet balance (--key KEY | --account ACCOUNT) [--node-http URL]
 *     micromine wallet transfer --key KEY --to ACCOUNT --amount N [--fee N] [--nonce N]
 *                               [--defect D] [--wait] [--node-http URL]
 *
 * KEY is `demo:alice|bob|carol` or a key file; ACCOUNT is 64 hex, `demo:<name>` or a key file.
 * A transfer prints one JSON line. Without `--defect` it exits 0 when the node accepted it
 * (with `--wait`, once it is in a block); with `--defect` it exits 0 when the node rejected it
 * with exactly the reason the defect must cause, so demo scripts can assert the node's checks.
 * @module
 */
import { parseArgs } from 'node:util';
import { toHex } from '../bytes.ts';
import { NodeError, exitCodeOf } from '../errors.ts';
import { parseAmount } from '../ledger/genesis.ts';
import { DEFAULT_HTTP_PORT } from '../node.ts';
import { NodeClient } from './client.ts';
import { createKeyFile, loadKey, resolveAccount } from './keys.ts';
import { buildTransfer, DEFECTS, type Defect } from './transfer.ts';

/** Usage text. */
export const WALLET_USAGE = `usage:
  micromine wallet new --out FILE            make a key file (mode 0600)
  micromine wallet address --key KEY         print the account (public key)
  micromine wallet balance (--key KEY | --account ACCOUNT) [--node-http URL]
  micromine wallet transfer --key KEY --to ACCOUNT --amount N [--fee N] [--nonce N]
                            [--defect D] [--wait] [--node-http URL]

  KEY      demo:alice, demo:bob, demo:carol, or a key file
  ACCOUNT  64 hex characters, demo:<name>, or a key file
  --node-http URL  the node's HTTP address (default http://127.0.0.1:${DEFAULT_HTTP_PORT})
  --defect D       ${Object.keys(DEFECTS).join(', ')}:
                   send a deliberately invalid transfer; exit 0 when the node rejects it for that reason
`;

class UsageError extends Error {}

const OPTIONS = {
  out: { type: 'string' }, key: { type: 'string' }, account: { type: 'string' }, 'node-http': { type: 'string' }, to: { type: 'string' },
  amount: { type: 'string' }, fee: { type: 'string' }, nonce: { type: 'string' }, defect: { type: 'string' }, wait: { type: 'boolean' },
} as const;

/** Parsed option values. */
type WalletOptions = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** Runs `micromine wallet`; resolves to the exit code (0 ok, 1 failed or rejected, 2 usage or input, 3 node unreachable). */
export async function walletMain(args: readonly string[]): Promise<number> {
  try {
    const [command, ...rest] = args;
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const values = parsed.values;
    const client = (): NodeClient => new NodeClient(values['node-http'] ?? `http://127.0.0.1:${DEFAULT_HTTP_PORT}`);
    switch (command) {
      case 'new': {
        const key = createKeyFile(required(values.out, '--out'));
        print({ file: values.out, account: toHex(key.publicKey) });
        return 0;
      }
      case 'address':
        print({ account: toHex(loadKey(required(values.key, '--key')).publicKey) });
        return 0;
      case 'balance': {
        const account = values.key !== undefined ? loadKey(values.key).publicKey : resolveAccount(required(values.account, '--key or --account'));
        const info = await client().account(account);
        print({ account: toHex(account), ...info });
        return 0;
      }
      case 'transfer':
        return await transfer(client(), values);
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(WALLET_USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown wallet command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${WALLET_USAGE}`);
      return 2;
    }
    const hint = error instanceof NodeError && error.hint ? `hint: ${error.hint}\n` : '';
    process.stderr.write(`error: ${(error as Error).message}\n${hint}`);
    return error instanceof NodeError ? exitCodeOf(error) : 1;
  }
}

async function transfer(client: NodeClient, values: WalletOptions): Promise<number> {
  const from = loadKey(required(values.key, '--key'));
  const to = resolveAccount(required(values.to, '--to'));
  const amount = parseAmount('--amount', required(values.amount, '--amount'));
  const defect = values.defect as Defect | undefined;
  if (defect !== undefined && !Object.hasOwn(DEFECTS, defect)) throw new UsageError(`--defect expected one of ${Object.keys(DEFECTS).join(', ')}, got ${JSON.stringify(defect)}`);
  if (values.nonce !== undefined && !/^(0|[1-9][0-9]{0,9})$/.test(values.nonce)) throw new UsageError(`--nonce expected a u32, got ${JSON.stringify(values.nonce)}`);
  const [chain, account] = await Promise.all([client.chain(), client.account(from.publicKey)]);
  const built = buildTransfer(
    {
      from, to, amount,
      ...(values.fee !== undefined ? { fee: parseAmount('--fee', values.fee) } : {}),
      ...(values.nonce !== undefined ? { nonce: Number(values.nonce) } : {}),
      ...(defect !== undefined ? { defect } : {}),
    },
    { chainId: chain.chainId, minFee: chain.minFee, nextNonce: account.nextNonce, available: account.balance - account.pendingSpend },
  );
  let outcome = await client.submit(built.tx);
  if (defect === 'duplicate' && outcome.accepted) outcome = await client.submit(built.tx);
  const line = { id: built.id, amount: built.amount, fee: built.fee, nonce: built.nonce, ...(defect ? { defect, expected: DEFECTS[defect] } : {}), ...outcome };
  if (defect !== undefined) {
    print(line);
    return !outcome.accepted && outcome.reason === DEFECTS[defect] ? 0 : 1;
  }
  if (!outcome.accepted) {
    print(line);
    return 1;
  }
  const status = values.wait ? await waitForBlock(client, built.id) : { status: 'pending' };
  print({ ...line, ...status });
  return status.status === 'committed' ? 0 : values.wait ? 1 : 0;
}

/** Polls until the transaction is in a block, for at most 60 s. */
async function waitForBlock(client: NodeClient, id: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const tx = await client.transaction(id);
    if (tx?.status === 'committed') return { status: 'committed', height: tx.height };
    if (tx === undefined) return { status: 'dropped' };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { status: 'pending' };
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new UsageError(`${name} is required`);
  return value;
}

function print(value: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
}
