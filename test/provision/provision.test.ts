import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { decodeEspruinoConfig, decodeModdablePreferences, preferencesFromJson } from '../../protocol/device-config.ts';
import { createIdentity } from '../../tools/provision/identity.ts';
import { provisionDevice } from '../../tools/provision/provision.ts';
import { readDeviceDirectory } from '../../tools/provision/device-dir.ts';
import { ToolError } from '../../tools/provision/errors.ts';
import { main } from '../../tools/provision/cli.ts';

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OWNER = 'ab'.repeat(32);

/**
 * A stand-in for the node's admin endpoint that enforces the documented contract
 * (docs/decisions.md) and records what it accepted. Replies are the contract's statuses.
 */
interface ContractNode { server: Server; url: string; accepted: Record<string, unknown>[]; reply?: (body: Record<string, unknown>) => [number, unknown] }

async function readBody(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

async function contractNode(): Promise<ContractNode> {
  const node: ContractNode = { server: createServer(), url: '', accepted: [] };
  node.server.on('request', async (request, response) => {
    const send = (status: number, body: unknown) => { response.writeHead(status, { 'content-type': 'application/json' }); response.end(JSON.stringify(body)); };
    if (request.method !== 'POST' || request.url !== '/admin/devices') return send(404, { error: { code: 'not_found', message: 'no route' } });
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: { code: 'unauthorized', message: 'bad admin token' } });
    if (!String(request.headers['content-type']).startsWith('application/json')) return send(415, { error: { code: 'unsupported_media_type', message: 'json only' } });
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    assert.equal(Object.keys(body).sort(), ['id', 'key', 'owner', 'profile', 'tier']);
    assert.match(String(body.key), /^[0-9a-f]{64}$/);
    const custom = node.reply?.(body);
    if (custom) return send(custom[0], custom[1]);
    if (node.accepted.some((device) => device.id === body.id)) return send(409, { error: { code: 'conflict', message: 'device exists' } });
    node.accepted.push(body);
    const { key: _key, ...record } = body;
    send(201, record);
  });
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;
  return node;
}

/** uvu has no async throws: awaits `run` and matches the rejection's message. */
async function rejects(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

let node: ContractNode;
let work: string;
test.before(async () => { node = await contractNode(); });
test.after(() => { node.server.close(); });
test.before.each(() => { work = mkdtempSync(join(tmpdir(), 'mm-provision-')); node.reply = undefined; node.accepted = []; });
test.after.each(() => { rmSync(work, { recursive: true, force: true }); });

async function capture(run: () => Promise<number>): Promise<{ status: number; out: string; err: string }> {
  const log = console.log, error = console.error;
  let out = '', err = '';
  console.log = (...parts: unknown[]) => { out += parts.join(' ') + '\n'; };
  console.error = (...parts: unknown[]) => { err += parts.join(' ') + '\n'; };
  try {
    return { status: await run(), out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test('identity: 8-byte id as 16 hex, 32-byte key, both from the given random source', () => {
  const asked: number[] = [];
  const identity = createIdentity((n) => { asked.push(n); return new Uint8Array(n).fill(asked.length); });
  assert.equal(asked, [8, 32]);
  assert.is(identity.id, '01'.repeat(8));
  assert.equal([...identity.key], new Array(32).fill(2));
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const fresh = createIdentity();
    assert.match(fresh.id, /^[0-9a-f]{16}$/);
    assert.is(fresh.key.length, 32);
    seen.add(fresh.id).add(Buffer.from(fresh.key).toString('hex'));
  }
  assert.is(seen.size, 1000, 'the system source repeated an id or key');
  assert.throws(() => createIdentity((n) => new Uint8Array(n - 1)), /random source returned 7 and 31 bytes/);
});

test('espruino device: registered with the node, mm.cfg and device.json written 0600 in a 0700 directory', async () => {
  const out = join(work, 'dev');
  const result = await provisionDevice({ target: 'espruino-esp32', nodeHttp: node.url, adminToken: TOKEN, owner: OWNER, node: '192.168.4.2:7070', out });
  assert.is(node.accepted.length, 1);
  const sent = node.accepted[0];
  assert.equal({ ...sent, key: undefined }, { id: result.record.config.id, key: undefined, profile: 'espruino-esp32', tier: 'hash', owner: OWNER });
  assert.is(sent.key, Buffer.from(result.record.config.key).toString('hex'));
  assert.not.ok('key' in result.registered);
  assert.equal(readdirSync(out).sort(), ['device.json', 'mm.cfg']);
  assert.is(statSync(out).mode & 0o777, 0o700);
  for (const name of readdirSync(out)) assert.is(statSync(join(out, name)).mode & 0o777, 0o600, name);
  const config = decodeEspruinoConfig(readFileSync(join(out, 'mm.cfg'), 'utf8'));
  assert.equal(config, result.record.config);
  assert.equal(readDeviceDirectory(out).config, config);
  assert.is(readdirSync(work).length, 1, 'a staging directory was left behind');
});

test('moddable device: preferences.json holds the mm Preference entries', async () => {
  const out = join(work, 'dev');
  const result = await provisionDevice({ target: 'moddable-esp32s3', nodeHttp: node.url, adminToken: TOKEN, owner: OWNER, out });
  assert.equal(readdirSync(out).sort(), ['device.json', 'preferences.json']);
  const entries = preferencesFromJson(JSON.parse(readFileSync(join(out, 'preferences.json'), 'utf8')));
  const config = decodeModdablePreferences(entries);
  assert.equal(config, result.record.config);
  assert.is(config.node, '127.0.0.1:7070', 'default device address: node-http host, port 7070');
  assert.is(config.tier, 'sig');
});

for (const [status, body, code, pattern] of [
  [401, { error: { code: 'unauthorized', message: 'bad admin token' } }, 'unauthorized', /refused the admin token: bad admin token/],
  [409, { error: { code: 'conflict', message: 'device exists' } }, 'conflict', /already has a device with id [0-9a-f]{16}: device exists/],
  [400, { error: { code: 'bad_field', message: 'expected 64 hex', where: 'owner' } }, 'node_refused', /refused the registration: expected 64 hex \(field owner\)/],
  [500, 'database is locked', 'node_refused', /answered 500: "database is locked"/],
] as const) {
  test(`node answering ${status}: ${code} error and nothing written`, async () => {
    node.reply = () => [status, body];
    const out = join(work, 'dev');
    try {
      await provisionDevice({ target: 'espruino-esp32', nodeHttp: node.url, adminToken: TOKEN, owner: OWNER, out });
      assert.unreachable('provisioned despite the refusal');
    } catch (error) {
      assert.instance(error, ToolError);
      assert.is((error as ToolError).code, code);
      assert.match((error as Error).message, pattern);
    }
    assert.equal(readdirSync(work), [], 'files were left after a refusal');
  });
}

test('a wrong token is a 401 from the contract node', async () => {
  await rejects(() => provisionDevice({ target: 'espruino-esp32', nodeHttp: node.url, adminToken: 'wrong', owner: OWNER, out: join(work, 'd') }), /refused the admin token/);
  assert.not.ok(existsSync(join(work, 'd')));
});

test('an unreachable node is named, with a hint', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  try {
    await provisionDevice({ target: 'espruino-esp32', nodeHttp: `http://127.0.0.1:${port}`, adminToken: TOKEN, owner: OWNER, out: join(work, 'd') });
    assert.unreachable();
  } catch (error) {
    assert.is((error as ToolError).code, 'node_unreachable');
    assert.match((error as Error).message, new RegExp(`cannot reach the trusted node at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`));
  }
  assert.equal(readdirSync(work), []);
});

test('bad inputs are refused before the node is asked', async () => {
  const base = { target: 'espruino-esp32', nodeHttp: node.url, adminToken: TOKEN, owner: OWNER, out: join(work, 'd') };
  await rejects(() => provisionDevice({ ...base, target: 'espruino-esp8266' }), /unknown target "espruino-esp8266"/);
  await rejects(() => provisionDevice({ ...base, owner: 'alice' }), /--owner expected 64 lowercase hex characters/);
  await rejects(() => provisionDevice({ ...base, node: 'board-cannot-parse' }), /--node expected host:port/);
  await rejects(() => provisionDevice({ ...base, nodeHttp: 'ftp://x' }), /--node-http expected an http\(s\) URL/);
  await rejects(() => provisionDevice({ ...base, adminToken: 'two words' }), /admin token is empty or contains whitespace/);
  assert.is(node.accepted.length, 0);
  assert.equal(readdirSync(work), []);
});

test('CLI: key hidden unless --show-key, token read from a file, exit statuses', async () => {
  const tokenFile = join(work, 'admin.token');
  writeFileSync(tokenFile, TOKEN + '\n', { mode: 0o600 });
  const hidden = await capture(() => main(['--target', 'espruino-esp32c3', '--owner', OWNER, '--node-http', node.url, '--admin-token-file', tokenFile, '--node', '10.0.0.5:7070', '--out', join(work, 'a')]));
  assert.is(hidden.status, 0, hidden.err);
  const key = readDeviceDirectory(join(work, 'a')).config.key;
  const hex = Buffer.from(key).toString('hex');
  assert.match(hidden.out, /provisioned device [0-9a-f]{16} \(espruino-esp32c3, tier hash/);
  assert.match(hidden.out, /key: not shown/);
  assert.not.ok(hidden.out.includes(hex) || hidden.err.includes(hex));
  const shown = await capture(() => main(['--target', 'espruino-esp32', '--owner', OWNER, '--node-http', node.url, '--admin-token', TOKEN, '--out', join(work, 'b'), '--show-key', '--json']));
  assert.is(shown.status, 0, shown.err);
  const json = JSON.parse(shown.out) as { key: string; id: string };
  assert.is(json.key, Buffer.from(readDeviceDirectory(join(work, 'b')).config.key).toString('hex'));
  const unknown = await capture(() => main(['--target', 'espruino-esp32', '--colour']));
  assert.is(unknown.status, 2);
  assert.match(unknown.err, /error \[usage\]: unknown option "--colour" for micromine provision/);
  const missing = await capture(() => main(['--owner', OWNER, '--admin-token', TOKEN]));
  assert.is(missing.status, 2);
  assert.match(missing.err, /micromine provision needs --target/);
  const refused = await capture(() => main(['--target', 'espruino-esp32', '--owner', OWNER, '--node-http', node.url, '--admin-token', 'nope', '--out', join(work, 'c')]));
  assert.is(refused.status, 1);
  assert.match(refused.err, /error \[unauthorized\]/);
});

test.run();
