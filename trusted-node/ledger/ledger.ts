/**
 * The ledger: the chain head and the account state in memory, over the durable store. Blocks
 * are built from candidate transactions (invalid ones left out), applied to the state, and
 * committed with their account changes, settled rewards and mempool removals in one store
 * transaction. Commits run one at a time, in call order.
 * @module
 */
import { toHex } from '../bytes.ts';
import { NodeError } from '../errors.ts';
import type { BlockCommit, BlockRecord, ChainConfig, Credit, LedgerStore, StoredBlock } from '../store/types.ts';
import { applyBlock, type RefusedTx } from './apply.ts';
import { BLOCK_VERSION, blockHash, creditRoot, transactionRoot } from './block.ts';
import { demoGenesis, genesisBlock, type GenesisConfig } from './genesis.ts';
import type { DecodedTx } from './rules.ts';
import { LedgerState, type SlottedAccount } from './state.ts';

/** Default cap on transactions per block. */
export const DEFAULT_MAX_BLOCK_TRANSACTIONS = 1_000;

/** What the next block should contain. */
export interface BlockCandidate {
  /** Encoded transactions in the order to try; ones that break a rule are left out. */
  readonly transactions: readonly Uint8Array[];
  /** Mints (reward settlements); they apply before the transactions. */
  readonly credits?: readonly Credit[];
  /** Ids of the rewards the credits settle. */
  readonly paidRewards?: readonly number[];
  /**
   * Which transactions' exact bytes this node already verified the signature of (the producer
   * asks the mempool: intake verified them); those are not verified again. Default: none.
   */
  readonly signatureVerified?: (tx: DecodedTx) => boolean;
}

/** A committed block and the candidates left out of it. */
export interface CommittedBlock {
  readonly block: StoredBlock;
  readonly included: readonly DecodedTx[];
  readonly refused: readonly RefusedTx[];
}

/** Options of {@link Ledger.open}. */
export interface LedgerOptions {
  /**
   * Genesis for a new store; for an existing one it must match (else `chain_mismatch`).
   * Default: the demo genesis for a new store, whatever the store holds otherwise.
   */
  readonly genesis?: GenesisConfig;
  /** Clock for block times. Default `Date.now`. */
  readonly now?: () => number;
  /** Most transactions per block. Default {@link DEFAULT_MAX_BLOCK_TRANSACTIONS}. */
  readonly maxBlockTransactions?: number;
}

/** The chain head and account state; see the module comment. */
export class Ledger {
  readonly chain: ChainConfig;
  readonly maxBlockTransactions: number;
  readonly #store: LedgerStore;
  readonly #state: LedgerState;
  readonly #now: () => number;
  #head: BlockRecord;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(store: LedgerStore, chain: ChainConfig, head: BlockRecord, state: LedgerState, options: LedgerOptions) {
    this.#store = store;
    this.chain = chain;
    this.#head = head;
    this.#state = state;
    this.#now = options.now ?? Date.now;
    this.maxBlockTransactions = options.maxBlockTransactions ?? DEFAULT_MAX_BLOCK_TRANSACTIONS;
  }

  /**
   * Opens the ledger of `store`, committing genesis first when the store is new. Refuses a
   * store whose genesis differs from `options.genesis`, or whose account table does not
   * match its head's state root (run `verify` to find out why).
   */
  static async open(store: LedgerStore, options: LedgerOptions = {}): Promise<Ledger> {
    const wanted = genesisBlock(options.genesis ?? demoGenesis());
    let chain = await store.chainConfig();
    if (chain === undefined) {
      await store.initialize(wanted.chain, wanted.commit);
      chain = wanted.chain;
    } else if (options.genesis !== undefined && (toHex(chain.genesisHash) !== toHex(wanted.chain.genesisHash) || chain.minFee !== wanted.chain.minFee)) {
      throw new NodeError('chain_mismatch', `the store holds chain ${toHex(chain.genesisHash)}, the genesis given makes ${toHex(wanted.chain.genesisHash)}`, {
        where: 'genesis',
        hint: 'use the genesis file this data directory was created with, or a new data directory',
      });
    }
    const head = await store.head();
    if (head === undefined) throw new NodeError('chain_mismatch', 'the store has chain parameters but no block 0', { hint: 'run verify' });
    const state = new LedgerState(await store.accounts());
    if (toHex(state.root) !== toHex(head.header.stateRoot)) {
      throw new NodeError('chain_mismatch', `the accounts table does not match the state root of block ${head.header.height}`, { where: 'accounts', hint: 'run verify to find the first inconsistency' });
    }
    return new Ledger(store, chain, head, state, options);
  }

  /** The highest committed block. */
  get head(): BlockRecord {
    return this.#head;
  }

  /** Number of accounts. */
  get accountCount(): number {
    return this.#state.size;
  }

  /** The committed state of an account, or undefined when it never received anything. */
  account(publicKey: Uint8Array): SlottedAccount | undefined {
    return this.#state.get(publicKey);
  }

  /** The committed account in `slot` (0 to {@link accountCount} - 1), in order of first appearance. */
  accountAt(slot: number): SlottedAccount {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < this.#state.size)) throw new RangeError(`"slot" expected 0-${this.#state.size - 1}, got ${slot}`);
    return this.#state.at(slot);
  }

  /** The state proof of an account against {@link stateRoot}, for work units. */
  proof(publicKey: Uint8Array): Uint8Array | undefined {
    return this.#state.proof(publicKey);
  }

  /** The current state root (the head's). */
  get stateRoot(): Uint8Array {
    return this.#state.root;
  }

  /**
   * Builds the next block from a candidate, applies it and commits it durably. Candidate
   * transactions that break a rule are left out and reported; at most
   * {@link maxBlockTransactions} are considered. Resolves once the block is durable.
   */
  commitBlock(candidate: BlockCandidate): Promise<CommittedBlock> {
    const run = this.#queue.then(() => this.#commit(candidate));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #commit(candidate: BlockCandidate): Promise<CommittedBlock> {
    const credits = candidate.credits ?? [];
    const transactions = candidate.transactions.slice(0, this.maxBlockTransactions);
    const applied = applyBlock(this.#state, credits, transactions, this.chain, {
      skipInvalid: true, ...(candidate.signatureVerified ? { signatureVerified: candidate.signatureVerified } : {}),
    });
    const previous = this.#head.header;
    const undo = this.#state.apply(applied.changes);
    const header = {
      version: BLOCK_VERSION,
      chainId: this.chain.chainId,
      height: previous.height + 1,
      time: Math.max(this.#now(), previous.time),
      prevHash: this.#head.hash,
      txRoot: transactionRoot(applied.included.map((t) => t.id)),
      creditRoot: creditRoot(credits),
      stateRoot: this.#state.root,
      txCount: applied.included.length,
      creditCount: credits.length,
    };
    const block: StoredBlock = {
      header,
      hash: blockHash(header),
      transactions: applied.included.map((t) => ({ id: t.id, tx: t.bytes })),
      credits,
    };
    const commit: BlockCommit = { block, accounts: applied.changes, paidRewards: candidate.paidRewards ?? [] };
    try {
      await this.#store.commitBlock(commit);
    } catch (error) {
      undo();
      throw error;
    }
    this.#head = { header, hash: block.hash };
    return { block, included: applied.included, refused: applied.refused };
  }
}
