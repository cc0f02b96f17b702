/**
 * Genesis: the chain parameters and the initial accounts, committed as block 0 whose credits
 * are the initial balances. The demo genesis funds three accounts whose secret keys derive from
 * public names (`demo:alice`, `demo:bob`, `demo:carol`), so demos and tests can sign with them;
 * they are for play only, since anyone can derive those keys.
 * @module
 */
import { u32 } from '../../firmware/core/assert.ts';
import { asciiBytes } from '../../firmware/core/bytes.ts';
import { sha256 } from '../../protocol/digest.ts';
import { publicKeyOf } from '../../protocol/tx.ts';
import { parseHex, toHex } from '../bytes.ts';
import { badField } from '../errors.ts';
import type { BlockCommit, ChainConfig, Credit } from '../store/types.ts';
import { applyBlock } from './apply.ts';
import { BLOCK_VERSION, blockHash, creditRoot, transactionRoot, ZERO_HASH } from './block.ts';
import { LedgerState } from './state.ts';

/** An initial balance. */
export interface GenesisAccount {
  readonly publicKey: Uint8Array;
  readonly balance: bigint;
}

/** Everything that defines a chain. */
export interface GenesisConfig {
  readonly chainId: number;
  readonly minFee: bigint;
  /** Time of block 0 in ms since the Unix epoch (fixed, so the genesis hash is reproducible). */
  readonly time: number;
  readonly accounts: readonly GenesisAccount[];
}

/** Names of the demo accounts. */
export const DEMO_ACCOUNT_NAMES = ['alice', 'bob', 'carol'] as const;
/** Balance of each demo account. */
export const DEMO_BALANCE = 1_000_000_000n;

/** The secret key of a demo account: SHA-256 of `micromine demo account <name>`. Public knowledge. */
export function demoSecretKey(name: string): Uint8Array {
  return sha256(asciiBytes(`micromine demo account ${name}`));
}

/** The demo chain: chain id 1, minimum fee 10, the three demo accounts funded. */
export function demoGenesis(): GenesisConfig {
  return {
    chainId: 1,
    minFee: 10n,
    time: 0,
    accounts: DEMO_ACCOUNT_NAMES.map((name) => ({ publicKey: publicKeyOf(demoSecretKey(name)), balance: DEMO_BALANCE })),
  };
}

/**
 * Parses a genesis file: `{"chainId": 1, "minFee": "10", "time": 0, "accounts": [{"publicKey": "<64 hex>", "balance": "1000"}]}`
 * (amounts as decimal strings since they are u64). Throws `bad_field` naming the field.
 */
export function parseGenesis(json: unknown): GenesisConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw badField('genesis', 'expected a JSON object');
  const input = json as Record<string, unknown>;
  const unknown = Object.keys(input).find((k) => !['chainId', 'minFee', 'time', 'accounts'].includes(k));
  if (unknown !== undefined) throw badField(unknown, 'is not a genesis field (expected chainId, minFee, time, accounts)');
  let chainId: number;
  try {
    chainId = u32('chainId', input.chainId);
  } catch {
    throw badField('chainId', 'expected an integer in [0, 2^32)');
  }
  const time = input.time ?? 0;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) throw badField('time', 'expected milliseconds since the Unix epoch');
  if (!Array.isArray(input.accounts)) throw badField('accounts', 'expected an array of {publicKey, balance}');
  const seen = new Set<string>();
  const accounts = input.accounts.map((a: unknown, i): GenesisAccount => {
    const where = `accounts[${i}]`;
    if (typeof a !== 'object' || a === null) throw badField(where, 'expected {publicKey, balance}');
    const record = a as Record<string, unknown>;
    const publicKey = parseHex(`${where}.publicKey`, record.publicKey, 32);
    if (seen.has(toHex(publicKey))) throw badField(`${where}.publicKey`, 'repeats an earlier account');
    seen.add(toHex(publicKey));
    return { publicKey, balance: parseAmount(`${where}.balance`, record.balance) };
  });
  return { chainId, minFee: parseAmount('minFee', input.minFee), time, accounts };
}

/** A u64 amount given as a decimal string (or a safe integer number). */
export function parseAmount(field: string, value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) >= 1n << 64n) {
    throw badField(field, 'expected a u64 amount as a decimal string, e.g. "1000"');
  }
  return BigInt(value);
}

/** Block 0 of a genesis config and the chain parameters it fixes. */
export function genesisBlock(config: GenesisConfig): { chain: ChainConfig; commit: BlockCommit } {
  const credits: Credit[] = config.accounts.map((a) => ({ account: a.publicKey, amount: a.balance }));
  const state = new LedgerState();
  const { changes } = applyBlock(state, credits, [], config);
  state.apply(changes);
  const header = {
    version: BLOCK_VERSION,
    chainId: config.chainId,
    height: 0,
    time: config.time,
    prevHash: ZERO_HASH,
    txRoot: transactionRoot([]),
    creditRoot: creditRoot(credits),
    stateRoot: state.root,
    txCount: 0,
    creditCount: credits.length,
  };
  const hash = blockHash(header);
  return {
    chain: { chainId: config.chainId, minFee: config.minFee, genesisHash: hash },
    commit: { block: { header, hash, transactions: [], credits }, accounts: changes, paidRewards: [] },
  };
}
