/**
 * Block application: the one place where credits and transfers change balances. The ledger
 * uses it to build and commit blocks and `verify` to replay the chain, so both follow the same
 * rules. Credits apply first, then transactions in block order; each transaction must carry its
 * sender's current nonce and fit its balance. The fee leaves circulation (rewards are minted
 * by credits instead), and credits may not raise the total supply past u64, so no balance can
 * ever overflow.
 * @module
 */
import { toHex } from '../bytes.ts';
import type { AccountRecord, Credit } from '../store/types.ts';
import { checkTransaction, decodeTransaction, isRefusal, type DecodedTx, type Refusal } from './rules.ts';
import type { LedgerState } from './state.ts';

const U64_MAX = (1n << 64n) - 1n;

/** Chain parameters the rules read. */
export interface ChainRules {
  readonly chainId: number;
  readonly minFee: bigint;
}

/** A transaction left out of a block and why. */
export interface RefusedTx {
  /** Position in the candidate list. */
  readonly index: number;
  readonly refusal: Refusal;
}

/** Result of applying a block's contents to a state (the state itself is not changed). */
export interface Application {
  /** New values of every account touched, in slot order (new accounts get the next slots). */
  readonly changes: AccountRecord[];
  /** Transactions that applied, in order. */
  readonly included: DecodedTx[];
  /** Transactions that did not (always empty in strict mode: the first one throws). */
  readonly refused: RefusedTx[];
}

/** Raised in strict mode for the first transaction or credit that breaks a rule. */
export class BlockRuleError extends Error {
  constructor(
    readonly where: string,
    readonly refusal: Refusal,
  ) {
    super(`${where}: ${refusal.reason}: ${refusal.message}`);
    this.name = 'BlockRuleError';
  }
}

/** How {@link applyBlock} treats the transactions. */
export interface ApplyOptions {
  /** Leave out (and list in `refused`) a transaction that breaks a rule instead of throwing. */
  readonly skipInvalid?: boolean;
  /** Transactions whose exact bytes this node already verified the signature of (see `RuleContext.signatureVerified`). */
  readonly signatureVerified?: (tx: DecodedTx) => boolean;
}

/**
 * Applies credits then transactions to a copy-on-write view of `state`. With `skipInvalid`
 * (building a block from candidates) a failing transaction is left out and listed in
 * `refused`; without it (committing or replaying a block) the first failure throws
 * {@link BlockRuleError}. Credits never fail softly: a credit that would overflow the supply throws.
 */
export function applyBlock(
  state: LedgerState,
  credits: readonly Credit[],
  transactions: readonly Uint8Array[],
  rules: ChainRules,
  options: ApplyOptions = {},
): Application {
  const touched = new Map<string, AccountRecord>();
  let nextSlot = state.size;
  let supply = state.supply;
  const read = (publicKey: Uint8Array): AccountRecord | undefined => touched.get(toHex(publicKey)) ?? state.get(publicKey);
  const write = (publicKey: Uint8Array, balance: bigint, nonce: number): void => {
    const slot = read(publicKey)?.slot ?? nextSlot++;
    touched.set(toHex(publicKey), { publicKey: publicKey.slice(), slot, balance, nonce });
  };

  credits.forEach((credit, i) => {
    supply += credit.amount;
    if (supply > U64_MAX) throw new BlockRuleError(`credits[${i}]`, { reason: 'malformed', message: `"amount" would raise the total supply past u64 (${supply})` });
    const account = read(credit.account);
    write(credit.account, (account?.balance ?? 0n) + credit.amount, account?.nonce ?? 0);
  });

  const included: DecodedTx[] = [];
  const refused: RefusedTx[] = [];
  transactions.forEach((bytes, index) => {
    const decoded = decodeTransaction(bytes);
    const sender = isRefusal(decoded) ? undefined : read(decoded.sender);
    const refusal = isRefusal(decoded)
      ? decoded
      : checkTransaction(decoded, {
        ...rules, expectedNonce: sender?.nonce ?? 0, available: sender?.balance ?? 0n, signatureVerified: options.signatureVerified?.(decoded) ?? false,
      });
    if (refusal !== undefined) {
      if (!options.skipInvalid) throw new BlockRuleError(`transactions[${index}]`, refusal);
      refused.push({ index, refusal });
      return;
    }
    const tx = decoded as DecodedTx;
    write(tx.sender, sender!.balance - tx.amount - tx.fee, sender!.nonce + 1);
    supply -= tx.fee;
    const recipient = read(tx.recipient);
    write(tx.recipient, (recipient?.balance ?? 0n) + tx.amount, recipient?.nonce ?? 0);
    included.push(tx);
  });

  return { changes: [...touched.values()].sort((a, b) => a.slot - b.slot), included, refused };
}
