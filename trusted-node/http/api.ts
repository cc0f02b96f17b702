/**
 * The node's HTTP endpoints (JSON unless noted):
 *
 * | method | path | answer |
 * | --- | --- | --- |
 * | GET | /health | liveness and head height |
 * | GET | /stats | chain parameters, head, counts, mempool |
 * | GET | /devices | registered devices (never their keys) |
 * | GET | /blocks/:height | a block with its decoded transactions and credits |
 * | GET | /tx/:id | a committed or pending transaction |
 * | GET | /accounts/:publicKey | balance, nonce and the nonce a wallet should use next |
 * | POST | /tx | submit `{"tx":"<hex>"}`; 202 once durably pending |
 * | GET | /metrics | Prometheus text format |
 * | POST | /admin/devices | register a device (bearer token); 201 with the record |
 * @module
 */
import { parseHex, toHex } from '../bytes.ts';
import { badField, NodeError } from '../errors.ts';
import type { Intake } from '../intake.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { decodeTransaction, isRefusal } from '../ledger/rules.ts';
import type { Mempool } from '../mempool.ts';
import type { MetricsRegistry } from '../metrics.ts';
import { publicDevice, registerDevice } from '../registry.ts';
import type { LedgerStore } from '../store/types.ts';
import type { Route } from './server.ts';

/** What the endpoints read and write. */
export interface ApiDeps {
  readonly store: LedgerStore;
  readonly ledger: Ledger;
  readonly mempool: Mempool;
  readonly intake: Intake;
  readonly metrics: MetricsRegistry;
  readonly startedAt: number;
  readonly now?: () => number;
}

/** The route table of the node's HTTP API. */
export function apiRoutes(deps: ApiDeps): Route[] {
  const { store, ledger, mempool, intake, metrics } = deps;
  const now = deps.now ?? Date.now;
  return [
    {
      method: 'GET',
      pattern: '/health',
      handler: () => ({ status: 200, json: { status: 'ok', height: ledger.head.header.height, uptimeSeconds: Math.floor((now() - deps.startedAt) / 1000) } }),
    },
    {
      method: 'GET',
      pattern: '/stats',
      handler: async () => {
        const counts = await store.counts();
        return {
          status: 200,
          json: {
            chain: { chainId: ledger.chain.chainId, minFee: ledger.chain.minFee, genesisHash: ledger.chain.genesisHash },
            head: { height: ledger.head.header.height, hash: ledger.head.hash, time: ledger.head.header.time, stateRoot: ledger.head.header.stateRoot },
            blocks: counts.blocks,
            transactions: counts.transactions,
            accounts: counts.accounts,
            devices: counts.devices,
            results: counts.results,
            unpaidRewards: counts.unpaidRewards,
            mempool: { size: mempool.size, capacity: mempool.capacity, lowestFee: mempool.lowestFee() ?? null },
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/devices',
      handler: async () => ({ status: 200, json: { devices: (await store.devices()).map(publicDevice) } }),
    },
    {
      method: 'GET',
      pattern: '/blocks/:height',
      handler: async ({ params }) => {
        const height = params.height!;
        if (!/^(0|[1-9][0-9]{0,9})$/.test(height)) throw badField('height', 'expected a block height (a decimal integer >= 0)');
        const block = await store.block(Number(height));
        if (block === undefined) throw new NodeError('not_found', `no block at height ${height} (the head is at ${ledger.head.header.height})`, { where: 'height' });
        return {
          status: 200,
          json: {
            hash: block.hash,
            ...block.header,
            transactions: block.transactions.map((t) => describeTx(t.tx)),
            credits: block.credits,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/tx/:id',
      handler: async ({ params }) => {
        const id = parseHex('id', params.id, 32);
        const committed = await store.transaction(id);
        if (committed !== undefined) return { status: 200, json: { status: 'committed', height: committed.height, index: committed.index, ...describeTx(committed.tx) } };
        const pending = mempool.get(toHex(id));
        if (pending !== undefined) return { status: 200, json: { status: 'pending', ...describeTx(pending.tx) } };
        throw new NodeError('not_found', `no transaction ${params.id} (neither committed nor pending)`, { where: 'id' });
      },
    },
    {
      method: 'GET',
      pattern: '/accounts/:publicKey',
      handler: ({ params }) => {
        const publicKey = parseHex('publicKey', params.publicKey, 32);
        const account = ledger.account(publicKey);
        const key = toHex(publicKey);
        return {
          status: 200,
          json: {
            publicKey: key,
            balance: account?.balance ?? 0n,
            nonce: account?.nonce ?? 0,
            nextNonce: mempool.nextNonce(key, account?.nonce ?? 0),
            pendingSpend: mempool.pendingSpend(key),
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: '/tx',
      handler: async ({ json }) => {
        const body = await json();
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badField('body', 'expected a JSON object {"tx": "<hex>"}');
        const unknown = Object.keys(body).find((k) => k !== 'tx');
        if (unknown !== undefined) throw badField(unknown, 'is not a field of a submission (expected only "tx")');
        return { status: 202, json: await intake.submit((body as { tx?: unknown }).tx) };
      },
    },
    {
      method: 'GET',
      pattern: '/metrics',
      handler: () => ({ status: 200, text: metrics.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
    },
    {
      method: 'POST',
      pattern: '/admin/devices',
      admin: true,
      handler: async ({ json }) => ({ status: 201, json: publicDevice(await registerDevice(store, await json(), now())) }),
    },
  ];
}

/** A transaction's fields for JSON answers. */
function describeTx(bytes: Uint8Array): Record<string, unknown> {
  const tx = decodeTransaction(bytes);
  if (isRefusal(tx)) return { tx: bytes, malformed: tx.message };
  return { id: tx.id, tx: bytes, chainId: tx.chainId, sender: tx.sender, recipient: tx.recipient, amount: tx.amount, fee: tx.fee, nonce: tx.nonce };
}
