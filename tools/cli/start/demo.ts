// The demo wallet of `micromine start`: valid transfers between the demo accounts, and one
// deliberately broken transfer of every kind the wallet can make (bad signature, overspend, bad
// nonce, fee too low, wrong chain, duplicate), all sent over the node's real HTTP API.
import { toHex } from '../../../trusted-node/bytes.ts';
import { NodeClient } from '../../../trusted-node/wallet/client.ts';
import { loadKey } from '../../../trusted-node/wallet/keys.ts';
import { DEFECTS, buildTransfer, type Defect } from '../../../trusted-node/wallet/transfer.ts';

/** One transfer the demo sent and what the node answered. */
export interface DemoTransfer {
  readonly from: string;
  readonly to: string;
  readonly amount: string;
  /** the defect built into it, if any, and the reason the node must give */
  readonly defect: Defect | null;
  readonly expected: string | null;
  readonly id: string;
  readonly accepted: boolean;
  /** the node's rejection reason (or error code) when it refused */
  readonly reason: string | null;
}

/** The valid transfers: each demo account pays the next, twice. */
const VALID: readonly [string, string, bigint][] = [
  ['alice', 'bob', 25n], ['bob', 'carol', 15n], ['carol', 'alice', 10n],
  ['alice', 'carol', 5n], ['bob', 'alice', 7n], ['carol', 'bob', 3n],
];

/** The broken transfers, each by one of the demo accounts. */
const BROKEN: readonly [string, string, Defect][] = [
  ['alice', 'bob', 'bad-signature'], ['bob', 'carol', 'overspend'], ['carol', 'alice', 'wrong-nonce'],
  ['alice', 'carol', 'low-fee'], ['bob', 'alice', 'wrong-chain'], ['carol', 'bob', 'duplicate'],
];

async function send(client: NodeClient, from: string, to: string, amount: bigint, defect: Defect | null): Promise<DemoTransfer[]> {
  const key = loadKey(`demo:${from}`);
  const [chain, account] = await Promise.all([client.chain(), client.account(key.publicKey)]);
  const built = buildTransfer(
    { from: key, to: loadKey(`demo:${to}`).publicKey, amount, ...(defect === null ? {} : { defect }) },
    { chainId: chain.chainId, minFee: chain.minFee, nextNonce: account.nextNonce, available: account.balance - account.pendingSpend },
  );
  const answer = async (defectOf: Defect | null): Promise<DemoTransfer> => {
    const outcome = await client.submit(built.tx);
    return {
      from, to, amount: String(built.amount), defect: defectOf, expected: defectOf === null ? null : DEFECTS[defectOf], id: built.id,
      accepted: outcome.accepted, reason: outcome.accepted ? null : (outcome.reason ?? outcome.code),
    };
  };
  // A duplicate is a valid transfer sent twice: the first is accepted, the second refused.
  if (defect === 'duplicate') return [await answer(null), await answer('duplicate')];
  return [await answer(defect)];
}

/** Sends the demo's transfers to the node at `httpUrl`, in order; resolves to each outcome. */
export async function sendDemoTransfers(httpUrl: string): Promise<DemoTransfer[]> {
  const client = new NodeClient(httpUrl);
  const sent: DemoTransfer[] = [];
  for (const [from, to, amount] of VALID) sent.push(...(await send(client, from, to, amount, null)));
  for (const [from, to, defect] of BROKEN) sent.push(...(await send(client, from, to, 1n, defect)));
  return sent;
}

/** The account (hex) of a demo name, for summaries. */
export const demoAccount = (name: string): string => toHex(loadKey(`demo:${name}`).publicKey);
