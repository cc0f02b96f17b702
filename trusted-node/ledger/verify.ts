/**
 * `verify`: re-checks the whole chain from the store alone. For every block, in height order:
 * header fields, hash, link to the previous block, transaction ids, transaction and credit
 * roots, every transaction replayed under the rules from genesis, the state root after it, and
 * that its credits are exactly the rewards it settles. Finally the accounts table must equal the
 * replayed state. The report names the first inconsistency and where it is.
 * @module
 */
import { txId } from '../../protocol/tx.ts';
import { equalBytes, toHex } from '../bytes.ts';
import type { Credit, LedgerStore, StoredBlock } from '../store/types.ts';
import { applyBlock, BlockRuleError } from './apply.ts';
import { BLOCK_VERSION, blockHash, creditRoot, transactionRoot, ZERO_HASH } from './block.ts';
import { LedgerState } from './state.ts';

/** The first inconsistency found. */
export interface Inconsistency {
  /** Where: e.g. `blocks[12].txRoot`, `blocks[3].transactions[0]`, `accounts[<key>].balance`. */
  readonly where: string;
  readonly message: string;
}

/** Outcome of {@link verifyChain}. */
export interface VerifyReport {
  readonly ok: boolean;
  /** Blocks that passed every check. */
  readonly blocksChecked: number;
  readonly transactionsChecked: number;
  readonly accounts: number;
  readonly problem?: Inconsistency;
}

/** Options of {@link verifyChain}. */
export interface VerifyOptions {
  /** Called after each verified block (progress output). */
  readonly onBlock?: (height: number) => void;
}

class Found extends Error {
  constructor(readonly problem: Inconsistency) {
    super(`${problem.where}: ${problem.message}`);
  }
}

function fail(where: string, message: string): never {
  throw new Found({ where, message });
}

/** Verifies the chain in `store`; never throws for an inconsistency, only for a store failure. */
export async function verifyChain(store: LedgerStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const state = new LedgerState();
  let blocksChecked = 0;
  let transactionsChecked = 0;
  try {
    const chain = await store.chainConfig();
    if (chain === undefined) fail('meta', 'no chain parameters: the store was never initialized');
    let previous: StoredBlock | undefined;
    for (let height = 0; ; height++) {
      const block = await store.block(height);
      if (block === undefined) break;
      checkBlock(block, previous, chain.chainId);
      if (height === 0 && !equalBytes(block.hash, chain.genesisHash)) fail('blocks[0].hash', `${toHex(block.hash)} is not the chain's genesis hash ${toHex(chain.genesisHash)}`);
      try {
        const { changes } = applyBlock(state, block.credits, block.transactions.map((t) => t.tx), chain);
        state.apply(changes);
      } catch (error) {
        if (error instanceof BlockRuleError) fail(`blocks[${height}].${error.where}`, `${error.refusal.reason}: ${error.refusal.message}`);
        throw error;
      }
      if (!equalBytes(state.root, block.header.stateRoot)) fail(`blocks[${height}].stateRoot`, `the header says ${toHex(block.header.stateRoot)}, replaying the chain gives ${toHex(state.root)}`);
      if (height > 0) await checkSettlement(store, block);
      previous = block;
      blocksChecked++;
      transactionsChecked += block.transactions.length;
      options.onBlock?.(height);
    }
    if (previous === undefined) fail('blocks[0]', 'missing: the chain has no genesis block');
    const head = await store.head();
    if (head === undefined || head.header.height !== previous.header.height) {
      fail(`blocks[${previous.header.height + 1}]`, `missing, but the head is at height ${head?.header.height}`);
    }
    await checkAccounts(store, state);
    return { ok: true, blocksChecked, transactionsChecked, accounts: state.size };
  } catch (error) {
    if (error instanceof Found) return { ok: false, blocksChecked, transactionsChecked, accounts: state.size, problem: error.problem };
    throw error;
  }
}

function checkBlock(block: StoredBlock, previous: StoredBlock | undefined, chainId: number): void {
  const { header } = block;
  const at = `blocks[${previous === undefined ? 0 : previous.header.height + 1}]`;
  const expectedHeight = previous === undefined ? 0 : previous.header.height + 1;
  if (header.height !== expectedHeight) fail(`${at}.height`, `expected ${expectedHeight}, got ${header.height}`);
  if (header.version !== BLOCK_VERSION) fail(`${at}.version`, `expected ${BLOCK_VERSION}, got ${header.version}`);
  if (header.chainId !== chainId) fail(`${at}.chainId`, `expected ${chainId}, got ${header.chainId}`);
  const prevHash = previous?.hash ?? ZERO_HASH;
  if (!equalBytes(header.prevHash, prevHash)) fail(`${at}.prevHash`, `expected ${toHex(prevHash)}, got ${toHex(header.prevHash)}`);
  if (previous !== undefined && header.time < previous.header.time) fail(`${at}.time`, `${header.time} is before the previous block's ${previous.header.time}`);
  if (previous === undefined && block.transactions.length > 0) fail(`${at}.transactions`, 'block 0 may only hold credits');
  let hash: Uint8Array;
  try {
    hash = blockHash(header);
  } catch (error) {
    fail(at, `the header cannot be encoded: ${(error as Error).message}`);
  }
  if (!equalBytes(hash, block.hash)) fail(`${at}.hash`, `stored ${toHex(block.hash)}, the header hashes to ${toHex(hash)}`);
  if (header.txCount !== block.transactions.length) fail(`${at}.txCount`, `the header says ${header.txCount}, the block holds ${block.transactions.length}`);
  if (header.creditCount !== block.credits.length) fail(`${at}.creditCount`, `the header says ${header.creditCount}, the block holds ${block.credits.length}`);
  block.transactions.forEach((t, i) => {
    if (t.tx.length < 89 || !equalBytes(txId(t.tx), t.id)) fail(`${at}.transactions[${i}].id`, `stored ${toHex(t.id)} is not the SHA-256 of the transaction body`);
  });
  const txRoot = transactionRoot(block.transactions.map((t) => t.id));
  if (!equalBytes(txRoot, header.txRoot)) fail(`${at}.txRoot`, `the header says ${toHex(header.txRoot)}, the transactions give ${toHex(txRoot)}`);
  let credits: Uint8Array;
  try {
    credits = creditRoot(block.credits);
  } catch (error) {
    fail(`${at}.credits`, (error as Error).message);
  }
  if (!equalBytes(credits, header.creditRoot)) fail(`${at}.creditRoot`, `the header says ${toHex(header.creditRoot)}, the credits give ${toHex(credits)}`);
}

/** A block's credits must be exactly the rewards it settles, summed per account. */
async function checkSettlement(store: LedgerStore, block: StoredBlock): Promise<void> {
  const at = `blocks[${block.header.height}].credits`;
  const rewards = await store.rewardsPaidAt(block.header.height);
  const credited = sumByAccount(block.credits);
  const settled = sumByAccount(rewards.map((r) => ({ account: r.account, amount: r.amount })));
  for (const [account, amount] of credited) {
    const paid = settled.get(account) ?? 0n;
    if (paid !== amount) fail(at, `account ${account} is credited ${amount}, but the rewards settled by this block for it sum to ${paid}`);
  }
  for (const [account, amount] of settled) {
    if (!credited.has(account)) fail(at, `rewards worth ${amount} for account ${account} are marked paid by this block, which credits nothing to it`);
  }
}

function sumByAccount(credits: readonly Credit[]): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const c of credits) sums.set(toHex(c.account), (sums.get(toHex(c.account)) ?? 0n) + c.amount);
  return sums;
}

async function checkAccounts(store: LedgerStore, state: LedgerState): Promise<void> {
  const stored = await store.accounts();
  const replayed = state.all();
  for (const [i, account] of stored.entries()) {
    const key = toHex(account.publicKey);
    const expected = state.get(account.publicKey);
    if (expected === undefined) fail(`accounts[${key}]`, 'is in the accounts table but no block ever touched it');
    if (account.slot !== expected.slot) fail(`accounts[${key}].slot`, `stored ${account.slot}, replay gives ${expected.slot}`);
    if (account.balance !== expected.balance) fail(`accounts[${key}].balance`, `stored ${account.balance}, replay gives ${expected.balance}`);
    if (account.nonce !== expected.nonce) fail(`accounts[${key}].nonce`, `stored ${account.nonce}, replay gives ${expected.nonce}`);
    if (i !== account.slot) fail(`accounts[${key}].slot`, `slot ${account.slot} found at position ${i}`);
  }
  if (stored.length !== replayed.length) {
    const missing = replayed.find((a) => !stored.some((s) => equalBytes(s.publicKey, a.publicKey)));
    fail(`accounts[${missing === undefined ? '?' : toHex(missing.publicKey)}]`, `missing from the accounts table (${stored.length} stored, ${replayed.length} replayed)`);
  }
}
