import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';
import { main } from '../../trusted-node/cli.ts';
import { startNode } from '../../trusted-node/node.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { toHex } from '../../trusted-node/bytes.ts';

/** Runs the CLI in-process, capturing what it writes. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

async function withChain(body: (data: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'mm-cli-'));
  const data = join(root, 'node');
  try {
    const node = await startNode({ dataDir: data, httpPort: 0, blockIntervalMs: 0 });
    const alice = demoSecretKey('alice');
    await node.intake.submit(toHex(signTx({ chainId: 1, sender: publicKeyOf(alice), recipient: publicKeyOf(demoSecretKey('bob')), amount: 9n, fee: 10n, nonce: 0 }, alice)));
    await node.producer.produce();
    await node.stop();
    await body(data);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('verify passes a sound chain and names the first tampered row; the node then refuses to start', () =>
  withChain(async (data) => {
    const good = await run(['verify', '--data', data]);
    assert.equal([good.code, good.out], [0, 'chain OK: 2 blocks, 1 transactions, 3 accounts\n']);
    const raw = new Database(join(data, 'ledger.sqlite'));
    raw.exec("UPDATE accounts SET balance = '1' WHERE slot = 2");
    raw.close();
    const bad = await run(['verify', '--data', data, '--json']);
    assert.is(bad.code, 1);
    const report = JSON.parse(bad.out);
    assert.equal([report.ok, report.blocksChecked], [false, 2]);
    assert.match(report.problem.where, /^accounts\[[0-9a-f]{64}\]\.balance$/);
    assert.match(report.problem.message, /stored 1, replay gives 1000000000/);
    await startNode({ dataDir: data, httpPort: 0, blockIntervalMs: 0 }).then(
      (node) => node.stop().then(() => assert.unreachable('a node must not start on an inconsistent ledger')),
      (error: Error & { code?: string }) => assert.equal([error.code, /run verify/.test(String((error as { hint?: string }).hint))], ['chain_mismatch', true]),
    );
  }));

test('add-device draws an id and key, shows the key once, and refuses bad fields and taken ids', () =>
  withChain(async (data) => {
    const owner = toHex(publicKeyOf(demoSecretKey('carol')));
    const added = await run(['add-device', '--data', data, '--profile', 'espruino-esp32c3', '--owner', owner]);
    assert.is(added.code, 0, added.err);
    const device = JSON.parse(added.out);
    assert.match(device.id, /^[0-9a-f]{16}$/);
    assert.match(device.key, /^[0-9a-f]{64}$/);
    assert.equal([device.tier, device.owner], ['hash', owner]);
    const again = await run(['add-device', '--data', data, '--profile', 'espruino-esp32c3', '--owner', owner, '--id', device.id]);
    assert.equal([again.code, /already registered/.test(again.err)], [2, true]);
    const wrongTier = await run(['add-device', '--data', data, '--profile', 'espruino-esp32', '--tier', 'sig', '--owner', owner]);
    assert.equal([wrongTier.code, /"tier" sig needs Ed25519/.test(wrongTier.err), /hint: use tier "hash"/.test(wrongTier.err)], [2, true, true]);
  }));

test('usage errors exit 2 naming the option; a foreign data directory exits 3 with a hint', async () => {
  const unknown = await run(['--colour', 'red']);
  assert.equal([unknown.code, /Unknown option '--colour'/.test(unknown.err)], [2, true]);
  const port = await run(['--http-port', '70000']);
  assert.equal([port.code, /--http-port expected a port in 0\.\.65535, got 70000/.test(port.err)], [2, true]);
  const missing = await run(['add-device', '--owner', 'ab']);
  assert.equal([missing.code, /--profile is required/.test(missing.err)], [2, true]);
  const root = mkdtempSync(join(tmpdir(), 'mm-cli-'));
  try {
    mkdirSync(join(root, 'home'));
    writeFileSync(join(root, 'home', 'letters.txt'), 'private');
    const foreign = await run(['--data', join(root, 'home'), '--http-port', '0']);
    assert.is(foreign.code, 3);
    assert.match(foreign.err, /refusing to use .*home: it is not empty and has no micromine-node\.json/);
    assert.match(foreign.err, /hint: pass --data with a new or empty directory/);
    const nothing = await run(['verify', '--data', join(root, 'nothing')]);
    assert.equal([nothing.code, /no micromine node data/.test(nothing.err)], [3, true]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
