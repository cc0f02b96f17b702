/**
 * A small JSON HTTP server on node:http: route table with `:param` segments, bearer-token
 * routes, bounded request bodies, JSON errors `{"error":{"code","message","where"?,"hint"?}}`,
 * per-request metrics, and timeouts against slow clients (a client that trickles its headers
 * or body is cut off after `headersTimeoutMs` / `requestTimeoutMs`).
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { NodeError } from '../errors.ts';
import { jsonReplacer } from '../json.ts';
import type { Logger } from '../log.ts';
import type { MetricsRegistry } from '../metrics.ts';

/** HTTP methods the node serves. */
export type HttpMethod = 'GET' | 'POST';

/** What a handler sees of a request. */
export interface RequestContext {
  /** Values of the route's `:name` segments (URL-decoded). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The body parsed as JSON (at most `maxBodyBytes`); rejects with `bad_json` or `payload_too_large`. */
  json(): Promise<unknown>;
}

/** A handler's answer: JSON (default) or plain text. */
export type Reply =
  | { readonly status: number; readonly json: unknown }
  | { readonly status: number; readonly text: string; readonly contentType: string };

/** One route; `admin` routes require `Authorization: Bearer <admin token>`. */
export interface Route {
  readonly method: HttpMethod;
  /** Path pattern, e.g. `/blocks/:height`. */
  readonly pattern: string;
  readonly admin?: boolean;
  readonly handler: (context: RequestContext) => Promise<Reply> | Reply;
}

/** Limits against oversized and slow requests. */
export interface HttpLimits {
  /** Largest request body in bytes. Default 16 KiB (a transaction is 306 hex characters). */
  readonly maxBodyBytes?: number;
  /** Largest header block in bytes. Default 8 KiB. */
  readonly maxHeaderBytes?: number;
  /** Time allowed to receive the headers. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Time allowed to receive the whole request. Default 15 s. */
  readonly requestTimeoutMs?: number;
  /** Idle time before a keep-alive connection is closed. Default 5 s. */
  readonly keepAliveTimeoutMs?: number;
  /** Most simultaneous connections; more are refused. Default 1024. */
  readonly maxConnections?: number;
}

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  readonly routes: readonly Route[];
  readonly adminToken: string;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
  readonly limits?: HttpLimits;
}

interface CompiledRoute extends Route {
  readonly segments: readonly string[];
}

/** Creates (does not start) the HTTP server; call `listen` on the result. */
export function createHttpServer(options: HttpServerOptions): Server {
  const limits = options.limits ?? {};
  const maxBodyBytes = limits.maxBodyBytes ?? 16 * 1024;
  const requestTimeoutMs = limits.requestTimeoutMs ?? 15_000;
  const routes: CompiledRoute[] = options.routes.map((r) => ({ ...r, segments: r.pattern.split('/').slice(1) }));
  const requests = options.metrics.counter({ name: 'mm_http_requests_total', help: 'HTTP requests by route and status', labels: ['route', 'status'] });
  const errors = options.metrics.counter({ name: 'mm_http_errors_total', help: 'HTTP error answers by error code', labels: ['code'] });
  const expected = Buffer.from(options.adminToken, 'utf8');

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes ?? 8 * 1024,
      headersTimeout: limits.headersTimeoutMs ?? 10_000,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5_000,
      // How often node:http checks the two timeouts above; its default (30 s) would let a
      // slow client hold a connection far past them.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
    },
    (request, response) => {
      void handle(request, response);
    },
  );
  server.maxConnections = limits.maxConnections ?? 1024;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const code = error.code === 'HPE_HEADER_OVERFLOW' ? 'payload_too_large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : 'bad_request';
    errors.inc({ code });
    requests.inc({ route: 'unparsed', status: code === 'payload_too_large' ? 431 : code === 'timeout' ? 408 : 400 });
    if (socket.writable) {
      const status = code === 'payload_too_large' ? '431 Request Header Fields Too Large' : code === 'timeout' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let routeLabel = 'unmatched';
    let reply: Reply;
    try {
      const url = new URL(request.url ?? '/', 'http://node');
      const match = matchRoute(routes, request.method ?? 'GET', url.pathname);
      routeLabel = match.route.pattern;
      if (match.route.admin) checkBearer(request.headers.authorization, expected);
      reply = await match.route.handler({ params: match.params, query: url.searchParams, json: () => readJson(request, maxBodyBytes) });
    } catch (error) {
      const failure = error instanceof NodeError ? error : internalError(error, options.logger, request);
      errors.inc({ code: failure.code });
      reply = { status: failure.status, json: { error: failure.toJSON() } };
      if (failure.code === 'unauthorized') response.setHeader('WWW-Authenticate', 'Bearer');
      if (failure.code === 'method_not_allowed' && failure.hint !== undefined) response.setHeader('Allow', failure.hint.replace(/^allowed: /, ''));
      // An unread or oversized body would otherwise keep streaming into a connection we reuse.
      if (!request.complete) response.setHeader('Connection', 'close');
    }
    requests.inc({ route: routeLabel, status: reply.status });
    send(response, reply);
  }

  return server;
}

function matchRoute(routes: readonly CompiledRoute[], method: string, pathname: string): { route: CompiledRoute; params: Record<string, string> } {
  const segments = pathname.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, segments);
    if (params === undefined) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) throw new NodeError('method_not_allowed', `${method} is not allowed on ${pathname}`, { where: pathname, hint: `allowed: ${allowed.join(', ')}` });
  throw new NodeError('not_found', `no endpoint ${pathname}`, { where: pathname });
}

function matchSegments(pattern: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = path[i]!;
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}

function checkBearer(header: string | undefined, expected: Buffer): void {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '', 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new NodeError('unauthorized', header === undefined ? 'missing Authorization header' : 'invalid admin token', {
      where: 'Authorization',
      hint: 'send "Authorization: Bearer <token>" with the token from <data>/admin.token',
    });
  }
}

async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = request.headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    throw new NodeError('unsupported_media_type', `expected Content-Type application/json, got ${type}`, { where: 'Content-Type' });
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new NodeError('bad_json', `request body is not JSON: ${(error as Error).message}`, { where: 'body' });
  }
}

function tooLarge(maxBytes: number): NodeError {
  return new NodeError('payload_too_large', `request body exceeds ${maxBytes} bytes`, { where: 'body' });
}

function internalError(error: unknown, logger: Logger, request: IncomingMessage): NodeError {
  logger.error('http_internal_error', { method: request.method, url: request.url, error });
  return new NodeError('internal', 'internal error (logged by the node)');
}

function send(response: ServerResponse, reply: Reply): void {
  const [body, type] = 'json' in reply ? [JSON.stringify(reply.json, jsonReplacer) + '\n', 'application/json; charset=utf-8'] : [reply.text, reply.contentType];
  response.writeHead(reply.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(body);
}
