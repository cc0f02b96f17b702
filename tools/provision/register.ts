/**
 * The client of the trusted node's admin registration endpoint (docs/decisions.md): `POST
 * /admin/devices` with `Authorization: Bearer <token>` and JSON `{"id","key","profile","tier","owner"}`;
 * 201 returns the device record (never the key), 400 names a bad field, 401 means a bad token,
 * 409 an id that exists. Every other outcome is an error too, with the node's own words.
 * @module
 */
import { bytesToHex } from '../../firmware/core/hex.ts';
import type { DeviceProfile, Tier } from '../../protocol/device-config.ts';
import { ToolError } from './errors.ts';

/** What the node is told about a new device. */
export interface Registration {
  readonly id: string;
  readonly key: Uint8Array;
  readonly profile: DeviceProfile;
  readonly tier: Tier;
  readonly owner: string;
}

/** Where and how to reach the node's admin API. */
export interface AdminEndpoint {
  /** Base URL of the node's HTTP port, e.g. `http://127.0.0.1:7071`. */
  readonly nodeHttp: string;
  readonly adminToken: string;
  /** Give up after this many milliseconds (default 10,000). */
  readonly timeoutMs?: number;
}

/** Checks and normalises the node's HTTP base URL (`http:` or `https:`, no query or fragment). */
export function checkNodeHttp(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ToolError('usage', `--node-http expected an http(s) URL, got ${JSON.stringify(value)}`, { where: '--node-http', hint: 'e.g. --node-http http://127.0.0.1:7071' });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new ToolError('usage', `--node-http expected an http(s) URL without query or fragment, got ${JSON.stringify(value)}`, { where: '--node-http', hint: 'e.g. --node-http http://127.0.0.1:7071' });
  }
  return url;
}

/** The message a node put in an error body (`{"error":{"message","where"}}` or flat), else the raw text. */
function nodeMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const inner = typeof parsed.error === 'object' && parsed.error !== null ? (parsed.error as Record<string, unknown>) : parsed;
    const message = typeof inner.message === 'string' ? inner.message : typeof parsed.error === 'string' ? parsed.error : undefined;
    const where = typeof inner.where === 'string' ? inner.where : undefined;
    if (message !== undefined) return where === undefined ? message : `${message} (field ${where})`;
  } catch {
    // not JSON: the text itself is the message
  }
  return body.trim().slice(0, 300) || '(empty body)';
}

/** Registers a device; resolves to the node's record of it, or throws a ToolError per outcome. */
export async function registerDevice(endpoint: AdminEndpoint, device: Registration): Promise<Record<string, unknown>> {
  const url = new URL('admin/devices', checkNodeHttp(endpoint.nodeHttp).href.replace(/\/?$/, '/'));
  const token = endpoint.adminToken;
  if (token === '' || /\s/.test(token)) {
    throw new ToolError('usage', 'the admin token is empty or contains whitespace', { where: 'admin token', hint: 'use the content of <node data>/admin.token' });
  }
  const body = JSON.stringify({ id: device.id, key: bytesToHex(device.key), profile: device.profile, tier: device.tier, owner: device.owner });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(endpoint.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new ToolError('node_unreachable', `cannot reach the trusted node at ${url.origin} (${cause})`, {
      where: url.href,
      hint: 'start it with `micromine node`, or pass --node-http with its HTTP address (port 7071 by default)',
    });
  }
  const text = await response.text();
  const where = `POST ${url.href}`;
  if (response.status === 201) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ToolError('node_refused', 'the node answered 201 without a JSON device record', { where });
    }
  }
  const said = nodeMessage(text);
  if (response.status === 401) throw new ToolError('unauthorized', `the node refused the admin token: ${said}`, { where, hint: 'pass --admin-token-file <node data>/admin.token (created 0600 on the node\'s first start)' });
  if (response.status === 409) throw new ToolError('conflict', `the node already has a device with id ${device.id}: ${said}`, { where, hint: 'run provision again: a new id is drawn each time' });
  if (response.status === 400) throw new ToolError('node_refused', `the node refused the registration: ${said}`, { where });
  throw new ToolError('node_refused', `the node answered ${response.status}: ${said}`, { where });
}
