/**
 * A small client of the node's public HTTP API for wallets (fetch, JSON).
 * @module
 */
import { toHex } from '../bytes.ts';
import { NodeError, type NodeErrorCode } from '../errors.ts';

/** The chain as `/stats` describes it. */
export interface ChainInfo {
  readonly chainId: number;
  readonly minFee: bigint;
  readonly height: number;
}

/** An account as `/accounts/:publicKey` describes it. */
export interface AccountInfo {
  readonly balance: bigint;
  readonly nonce: number;
  readonly nextNonce: number;
  readonly pendingSpend: bigint;
}

/** A node's answer to a submission: accepted, or the node's structured error. */
export type SubmitOutcome =
  | { readonly accepted: true; readonly id: string }
  | { readonly accepted: false; readonly status: number; readonly code: string; readonly reason?: string; readonly message: string };

/** Talks to one node's HTTP API. */
export class NodeClient {
  readonly #base: URL;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, timeoutMs = 10_000) {
    try {
      this.#base = new URL(baseUrl.replace(/\/?$/, '/'));
    } catch {
      throw new NodeError('bad_request', `--node-http expected an http URL, got ${JSON.stringify(baseUrl)}`, { where: '--node-http', hint: 'e.g. http://127.0.0.1:7071' });
    }
    this.#timeoutMs = timeoutMs;
  }

  async chain(): Promise<ChainInfo> {
    const stats = (await this.#get('stats')) as { chain: { chainId: number; minFee: string }; head: { height: number } };
    return { chainId: stats.chain.chainId, minFee: BigInt(stats.chain.minFee), height: stats.head.height };
  }

  async account(publicKey: Uint8Array): Promise<AccountInfo> {
    const a = (await this.#get(`accounts/${toHex(publicKey)}`)) as { balance: string; nonce: number; nextNonce: number; pendingSpend: string };
    return { balance: BigInt(a.balance), nonce: a.nonce, nextNonce: a.nextNonce, pendingSpend: BigInt(a.pendingSpend) };
  }

  /** A transaction's status (`committed` or `pending`) or undefined when the node knows nothing of it. */
  async transaction(id: string): Promise<Record<string, unknown> | undefined> {
    const response = await this.#fetch(`tx/${id}`);
    if (response.status === 404) return undefined;
    return (await this.#json(response)) as Record<string, unknown>;
  }

  async submit(tx: Uint8Array): Promise<SubmitOutcome> {
    const response = await this.#fetch('tx', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tx: toHex(tx) }) });
    const body = (await response.json().catch(() => ({}))) as { id?: string; error?: { code: string; reason?: string; message: string } };
    if (response.status === 202 && typeof body.id === 'string') return { accepted: true, id: body.id };
    const error = body.error ?? { code: 'unknown', message: `HTTP ${response.status}` };
    return { accepted: false, status: response.status, code: error.code, ...(error.reason ? { reason: error.reason } : {}), message: error.message };
  }

  async #get(path: string): Promise<unknown> {
    return this.#json(await this.#fetch(path));
  }

  async #json(response: Response): Promise<unknown> {
    const body = (await response.json().catch(() => undefined)) as { error?: { code: NodeErrorCode; message: string } } | undefined;
    if (!response.ok) {
      throw new NodeError(body?.error?.code ?? 'bad_request', `the node answered ${response.status}: ${body?.error?.message ?? 'no JSON body'}`, { where: response.url });
    }
    return body;
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path, this.#base);
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new NodeError('unreachable', `cannot reach the node at ${url.origin} (${cause})`, { where: url.href, hint: 'start it with "micromine node", or pass --node-http with its HTTP address' });
    }
  }
}
