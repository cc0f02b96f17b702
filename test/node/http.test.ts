import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';
import { startNode, type NodeHandle } from '../../trusted-node/node.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { NodeClient } from '../../trusted-node/wallet/client.ts';
import { buildTransfer, DEFECTS, type Defect } from '../../trusted-node/wallet/transfer.ts';
import { loadKey } from '../../trusted-node/wallet/keys.ts';

const alice = demoSecretKey('alice');
const bob = publicKeyOf(demoSecretKey('bob'));

async function withNode(run: (node: NodeHandle, base: string, token: string) => Promise<void>, limits = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-http-'));
  const node = await startNode({ dataDir: join(dir, 'node'), httpPort: 0, blockIntervalMs: 0, httpLimits: limits });
  try {
    await run(node, `http://127.0.0.1:${node.httpPort}`, readFileSync(join(dir, 'node', 'admin.token'), 'utf8').trim());
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function getJson(url: string): Promise<[number, any]> {
  const response = await fetch(url);
  return [response.status, await response.json()];
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<[number, any]> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return [response.status, await response.json()];
}

test('the API returns what the ledger holds: blocks, transactions, accounts, stats', () =>
  withNode(async (node, base) => {
    const txs = [0, 1].map((nonce) => signTx({ chainId: 1, sender: publicKeyOf(alice), recipient: bob, amount: 100n + BigInt(nonce), fee: 10n, nonce }, alice));
    for (const tx of txs) {
      const [status, body] = await post(`${base}/tx`, JSON.stringify({ tx: toHex(tx) }));
      assert.is(status, 202);
      assert.is(body.status, 'pending');
    }
    const firstId = toHex((await node.store.mempoolEntries())[0]!.id);
    assert.is((await getJson(`${base}/tx/${firstId}`))[1].status, 'pending');
    assert.is((await getJson(`${base}/accounts/${toHex(publicKeyOf(alice))}`))[1].nextNonce, 2);

    const committed = await node.producer.produce();
    assert.is(committed?.included.length, 2);
    const stored = (await node.store.block(1))!;
    const [status, block] = await getJson(`${base}/blocks/1`);
    assert.is(status, 200);
    assert.is(block.hash, toHex(stored.hash));
    assert.is(block.prevHash, toHex(stored.header.prevHash));
    assert.is(block.stateRoot, toHex(stored.header.stateRoot));
    assert.is(block.txRoot, toHex(stored.header.txRoot));
    assert.equal(block.transactions.map((t: any) => t.tx), stored.transactions.map((t) => toHex(t.tx)));
    assert.equal(block.transactions.map((t: any) => t.amount), ['100', '101']);

    const [, tx] = await getJson(`${base}/tx/${toHex(stored.transactions[1]!.id)}`);
    assert.equal([tx.status, tx.height, tx.index, tx.nonce, tx.sender], ['committed', 1, 1, 1, toHex(publicKeyOf(alice))]);

    const [, account] = await getJson(`${base}/accounts/${toHex(bob)}`);
    assert.equal([account.balance, account.nonce], [String(node.ledger.account(bob)!.balance), 0]);
    assert.is(account.balance, '1000000201');

    const [, stats] = await getJson(`${base}/stats`);
    const counts = await node.store.counts();
    assert.equal([stats.head.height, stats.head.hash, stats.blocks, stats.transactions, stats.accounts, stats.mempool.size], [1, toHex(stored.hash), counts.blocks, counts.transactions, counts.accounts, 0]);
    assert.equal(await getJson(`${base}/health`), [200, { status: 'ok', height: 1, uptimeSeconds: (await getJson(`${base}/health`))[1].uptimeSeconds }]);
  }));

test('bad requests get JSON errors with a code, a message and where', () =>
  withNode(async (_node, base) => {
    const cases: [Promise<[number, any]>, number, string, string?][] = [
      [getJson(`${base}/blocks/7`), 404, 'not_found', 'height'],
      [getJson(`${base}/blocks/-1`), 400, 'bad_field', 'height'],
      [getJson(`${base}/tx/${'ab'.repeat(31)}`), 400, 'bad_field', 'id'],
      [getJson(`${base}/tx/${'ab'.repeat(32)}`), 404, 'not_found', 'id'],
      [getJson(`${base}/nowhere`), 404, 'not_found'],
      [post(`${base}/health`, '{}'), 405, 'method_not_allowed'],
      [post(`${base}/tx`, '{"tx":'), 400, 'bad_json', 'body'],
      [post(`${base}/tx`, '{"tx":"00","extra":1}'), 400, 'bad_field', 'extra'],
      [post(`${base}/tx`, '{"tx":"0G"}'), 400, 'bad_field', 'tx'],
      [post(`${base}/tx`, '{"tx":"00"}'), 400, 'bad_field', 'tx'],
      [post(`${base}/tx`, JSON.stringify({ tx: 'ab'.repeat(153) })), 422, 'tx_rejected', 'tx'],
      [post(`${base}/tx`, JSON.stringify({ tx: 'a'.repeat(40_000) })), 413, 'payload_too_large', 'body'],
      [post(`${base}/tx`, '{}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
    ];
    for (const [pending, status, code, where] of cases) {
      const [got, body] = await pending;
      assert.is(got, status, JSON.stringify(body));
      assert.is(body.error.code, code);
      assert.type(body.error.message, 'string');
      if (where !== undefined) assert.is(body.error.where, where);
    }
  }));

test('every deliberate wallet defect is rejected for its own reason, and counted in /metrics', () =>
  withNode(async (_node, base) => {
    const client = new NodeClient(base);
    const from = loadKey('demo:alice');
    for (const defect of Object.keys(DEFECTS) as Defect[]) {
      const chain = await client.chain();
      const account = await client.account(from.publicKey);
      const context = { chainId: chain.chainId, minFee: chain.minFee, nextNonce: account.nextNonce, available: account.balance - account.pendingSpend };
      const built = buildTransfer({ from, to: bob, amount: 5n, defect }, context);
      let outcome = await client.submit(built.tx);
      if (defect === 'duplicate') {
        assert.ok(outcome.accepted, 'the first copy is valid');
        outcome = await client.submit(built.tx);
      }
      assert.equal(outcome.accepted ? 'accepted' : outcome.reason, DEFECTS[defect], defect);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const reason of Object.values(DEFECTS)) assert.match(metrics, `mm_tx_submissions_total{outcome="${reason}"} 1\n`);
    assert.match(metrics, 'mm_tx_submissions_total{outcome="accepted"} 1\n');
    assert.match(metrics, 'mm_mempool_transactions 1\n');
    assert.match(metrics, 'mm_http_requests_total{route="/tx",status="422"} 6\n');
    assert.match(metrics, 'mm_http_errors_total{code="tx_rejected"} 6\n');
  }));

test('admin registration: 201 without the key, 400 naming the field, 401 without the token, 409 for a taken id', () =>
  withNode(async (node, base, token) => {
    const device = { id: '0123456789abcdef', key: '11'.repeat(32), profile: 'moddable-esp32', tier: 'sig', owner: toHex(bob) };
    const auth = { authorization: `Bearer ${token}` };
    assert.is((await post(`${base}/admin/devices`, JSON.stringify(device)))[0], 401);
    const [wrong, wrongBody] = await post(`${base}/admin/devices`, JSON.stringify(device), { authorization: `Bearer ${'0'.repeat(64)}` });
    assert.equal([wrong, wrongBody.error.code], [401, 'unauthorized']);
    const [created, record] = await post(`${base}/admin/devices`, JSON.stringify(device), auth);
    assert.is(created, 201);
    assert.equal([record.id, record.profile, record.tier, record.owner, record.suspended], [device.id, device.profile, 'sig', device.owner, false]);
    assert.not.ok('key' in record, 'the key is never served');
    const [conflict, conflictBody] = await post(`${base}/admin/devices`, JSON.stringify(device), auth);
    assert.equal([conflict, conflictBody.error.code], [409, 'conflict']);
    const bad: [Record<string, unknown>, string][] = [
      [{ ...device, id: '0123' }, 'id'],
      [{ ...device, key: 'zz' }, 'key'],
      [{ ...device, key: '11'.repeat(31) }, 'key'],
      [{ ...device, profile: 'esp8266' }, 'profile'],
      [{ ...device, id: 'fedcba9876543210', profile: 'espruino-esp32', tier: 'sig' }, 'tier'],
      [{ ...device, owner: 'me' }, 'owner'],
      [{ ...device, color: 'red' }, 'color'],
    ];
    for (const [body, field] of bad) {
      const [status, answer] = await post(`${base}/admin/devices`, JSON.stringify(body), auth);
      assert.equal([status, answer.error.code, answer.error.where], [400, 'bad_field', field]);
      assert.match(answer.error.message, `"${field}"`);
    }
    const [, list] = await getJson(`${base}/devices`);
    assert.equal(list.devices.map((d: any) => d.id), [device.id]);
    assert.not.ok('key' in list.devices[0]);
    assert.is((await node.store.devices()).length, 1);
  }));

test('a client that trickles its headers is cut off; other clients are still served', () =>
  withNode(
    async (node, base) => {
      const socket = connect(node.httpPort, '127.0.0.1');
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        // The client stays silent: only the server's timeout can end this.
      });
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.is((await getJson(`${base}/health`))[0], 200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, 'mm_http_errors_total{code="timeout"} 1');
    },
    { headersTimeoutMs: 200, requestTimeoutMs: 400 },
  ));

test('oversized headers are refused with 431', () =>
  withNode(async (node) => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: node.httpPort, path: '/health', headers: { 'x-filler': 'a'.repeat(10_000) } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    assert.is(status, 431);
  }));

test('the data directory is marked ours and the admin token is private', () =>
  withNode(async (node) => {
    assert.is(statSync(join(node.dataDir, 'admin.token')).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(join(node.dataDir, 'micromine-node.json'), 'utf8')).kind, 'micromine-node');
  }));

test.run();
