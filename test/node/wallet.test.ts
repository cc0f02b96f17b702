import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTx } from '../../firmware/core/tx.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { publicKeyOf, verifyTxSignature } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { createKeyFile, loadKey, resolveAccount } from '../../trusted-node/wallet/keys.ts';
import { buildTransfer } from '../../trusted-node/wallet/transfer.ts';

test('key files: created 0600, never overwritten, readable only by their owner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-wallet-'));
  try {
    const file = join(dir, 'k');
    const key = createKeyFile(file);
    assert.is(statSync(file).mode & 0o777, 0o600);
    assert.equal(loadKey(file).publicKey, key.publicKey);
    assert.equal(resolveAccount(file), key.publicKey);
    assert.throws(() => createKeyFile(file), /exists: a key file is never overwritten/);
    chmodSync(file, 0o640);
    assert.throws(() => loadKey(file), /readable by other users/);
    writeFileSync(join(dir, 'bad'), 'xyz', { mode: 0o600 });
    assert.throws(() => loadKey(join(dir, 'bad')), /expected 64 lowercase hex/);
    assert.throws(() => loadKey(join(dir, 'none')), /cannot read key file/);
    assert.throws(() => loadKey('demo:mallory'), /no demo account "mallory"/);
    assert.equal(resolveAccount('demo:bob'), publicKeyOf(demoSecretKey('bob')));
    assert.equal(toHex(resolveAccount('ab'.repeat(32))), 'ab'.repeat(32));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each defect changes exactly what it names', () => {
  const from = loadKey('demo:alice');
  const to = resolveAccount('demo:bob');
  const context = { chainId: 1, minFee: 10n, nextNonce: 4, available: 1_000n };
  const fields = (tx: Uint8Array) => {
    const d = decodeTx(tx);
    if (!d.ok) throw new Error(describeDecodeError(d.error));
    return { chainId: d.value.chainId, nonce: d.value.nonce, fee: d.value.feeLow, amount: d.value.amountLow };
  };
  const plain = buildTransfer({ from, to, amount: 5n }, context);
  assert.equal(fields(plain.tx), { chainId: 1, nonce: 4, fee: 10, amount: 5 });
  assert.ok(verifyTxSignature(plain.tx));
  assert.not.ok(verifyTxSignature(buildTransfer({ from, to, amount: 5n, defect: 'bad-signature' }, context).tx));
  assert.equal(fields(buildTransfer({ from, to, amount: 5n, defect: 'overspend' }, context).tx), { chainId: 1, nonce: 4, fee: 10, amount: 991 });
  assert.equal(fields(buildTransfer({ from, to, amount: 5n, defect: 'wrong-nonce' }, context).tx).nonce, 5);
  assert.equal(fields(buildTransfer({ from, to, amount: 5n, defect: 'low-fee' }, context).tx).fee, 9);
  assert.equal(fields(buildTransfer({ from, to, amount: 5n, defect: 'wrong-chain' }, context).tx).chainId, 2);
  assert.throws(() => buildTransfer({ from, to, amount: 5n, defect: 'low-fee' }, { ...context, minFee: 0n }), /minimum fee above 0/);
});

test.run();
