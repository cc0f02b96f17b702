import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../trusted-node/store/sqlite.ts';
import { Mempool, type PendingTx } from '../../trusted-node/mempool.ts';
import { NodeError } from '../../trusted-node/errors.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { decodeTransaction, type DecodedTx } from '../../trusted-node/ledger/rules.ts';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';

let serial = 0;
/** A pending entry; the mempool orders by fee, arrival and nonce, so the bytes need not be a real transaction. */
function pending(sender: number, nonce: number, fee: bigint, amount = 1n): PendingTx {
  serial++;
  const id = new Uint8Array(32);
  new DataView(id.buffer).setUint32(0, serial);
  const senderKey = new Uint8Array(32).fill(sender);
  return { id, key: toHex(id), tx: new Uint8Array(153).fill(serial & 0xff), sender: senderKey, senderKey: toHex(senderKey), nonce, fee, amount, receivedAt: serial };
}

const keysOf = (txs: readonly PendingTx[]) => txs.map((t) => `${t.sender[0]}/${t.nonce}/${t.fee}`);

test('select takes the highest fee first but keeps each sender in nonce order', async () => {
  const pool = new Mempool(openSqliteStore(':memory:'), 100);
  for (const t of [pending(1, 0, 5n), pending(1, 1, 50n), pending(2, 0, 20n), pending(3, 0, 20n), pending(2, 1, 1n)]) await pool.add(t);
  // Sender 1's fee-50 transaction must wait for its fee-5 predecessor; equal fees go by arrival.
  assert.equal(keysOf(pool.select(10)), ['2/0/20', '3/0/20', '1/0/5', '1/1/50', '2/1/1']);
  assert.equal(keysOf(pool.select(2)), ['2/0/20', '3/0/20']);
  assert.is(pool.nextNonce(toHex(new Uint8Array(32).fill(1)), 0), 2);
  assert.is(pool.pendingSpend(toHex(new Uint8Array(32).fill(1))), 5n + 50n + 2n);
});

test('a full pool evicts the cheapest with its sender\'s later transactions, and refuses what pays no more', async () => {
  const store = openSqliteStore(':memory:');
  const pool = new Mempool(store, 3);
  await pool.add(pending(1, 0, 3n));
  await pool.add(pending(1, 1, 90n));
  await pool.add(pending(2, 0, 10n));
  for (const fee of [3n, 2n]) {
    try {
      await pool.add(pending(3, 0, fee));
      assert.unreachable('a fee not above the cheapest must be refused');
    } catch (error) {
      assert.instance(error, NodeError);
      assert.is((error as NodeError).code, 'mempool_full');
      assert.match((error as NodeError).message, /cheapest pays fee 3/);
    }
  }
  const evicted = await pool.add(pending(3, 0, 4n));
  assert.equal(keysOf(evicted), ['1/0/3', '1/1/90'], 'evicting nonce 0 makes nonce 1 unexecutable: both go');
  assert.is(pool.size, 2);
  assert.is(pool.lowestFee(), 4n);
  assert.is((await store.mempoolEntries()).length, 2, 'the eviction is durable');
});

test('a sender cannot evict its own earlier transaction', async () => {
  const pool = new Mempool(openSqliteStore(':memory:'), 2);
  await pool.add(pending(1, 0, 1n));
  await pool.add(pending(2, 0, 5n));
  try {
    await pool.add(pending(1, 1, 100n));
    assert.unreachable('expected mempool_full');
  } catch (error) {
    assert.match((error as Error).message, /own earlier transaction/);
  }
});

test('duplicates are refused; restarting restores the pool from the store', async () => {
  const store = openSqliteStore(':memory:');
  const pool = new Mempool(store, 10);
  const t = pending(4, 0, 7n);
  await pool.add(t);
  try {
    await pool.add(t);
    assert.unreachable('expected a duplicate refusal');
  } catch (error) {
    assert.is((error as NodeError).reason, 'duplicate');
  }
  const records = await store.mempoolEntries();
  assert.equal(records.map((r) => toHex(r.id)), [t.key]);
  assert.is(records[0]!.fee, 7n);
});

test('unexecutable finds the first pending transaction a committed account no longer covers', async () => {
  const pool = new Mempool(openSqliteStore(':memory:'), 10);
  for (const t of [pending(5, 3, 1n, 10n), pending(5, 4, 1n, 10n), pending(5, 5, 1n, 10n)]) await pool.add(t);
  const key = toHex(new Uint8Array(32).fill(5));
  assert.equal(pool.unexecutable(key, { nonce: 3, balance: 33n }).length, 0);
  assert.equal(keysOf(pool.unexecutable(key, { nonce: 3, balance: 22n })), ['5/5/1']);
  assert.equal(keysOf(pool.unexecutable(key, { nonce: 4, balance: 1000n })), ['5/3/1', '5/4/1', '5/5/1']);
  assert.equal(keysOf(pool.unexecutable(key, undefined)), ['5/3/1', '5/4/1', '5/5/1']);
});

test.run();

test('signatureVerified vouches only for the exact bytes intake verified', async () => {
  const pool = new Mempool(openSqliteStore(':memory:'));
  const secret = demoSecretKey('alice');
  const sign = (nonce: number) => signTx({ chainId: 1, sender: publicKeyOf(secret), recipient: new Uint8Array(32).fill(9), amount: 5n, fee: 10n, nonce }, secret);
  const decode = (bytes: Uint8Array) => decodeTransaction(bytes) as DecodedTx;
  const checked = decode(sign(0));
  const injected = decode(sign(1));
  for (const [tx, signatureVerified] of [[checked, true], [injected, false]] as const) {
    const { id, key, bytes, sender, senderKey, nonce, fee, amount } = tx;
    await pool.add({ id, key, tx: bytes, sender, senderKey, nonce, fee, amount, receivedAt: 0, signatureVerified });
  }
  assert.ok(pool.signatureVerified(checked));
  assert.not.ok(pool.signatureVerified(injected), 'added without intake\'s check');
  const resigned = checked.bytes.slice();
  resigned[120] ^= 1;
  assert.not.ok(pool.signatureVerified(decode(resigned)), 'same id, other signature');
});
