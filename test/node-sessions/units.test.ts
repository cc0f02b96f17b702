// Unit headers kept per kind (scheduler/units.ts): each is exactly what the encoder gives for
// its unit, before and after the ledger's state moves on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyOf, signTx } from '../../protocol/tx.ts';
import { Ledger } from '../../trusted-node/ledger/ledger.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { openSqliteStore } from '../../trusted-node/store/sqlite.ts';
import { UnitHeaders, unitHeader, type HeaderPlan } from '../../trusted-node/scheduler/units.ts';

test('a kept header is the encoder\'s header for its unit id, and a new block or state makes new ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-units-'));
  const store = openSqliteStore(join(dir, 'ledger.sqlite'));
  let time = 1_000;
  try {
    const ledger = await Ledger.open(store, { now: () => (time += 1_000) });
    const headers = new UnitHeaders(ledger);
    const plans: [HeaderPlan, number][] = [
      [{ unitId: 1, signatures: false, difficulty: 2, deadlineMs: 10_000 }, 1],
      [{ unitId: 2, signatures: false, difficulty: 2, deadlineMs: 10_000 }, 1],
      [{ unitId: 0xffffffff, signatures: true, difficulty: 2, deadlineMs: 10_000 }, 1],
      [{ unitId: 4, signatures: false, difficulty: 3, deadlineMs: 10_000 }, 1],
      [{ unitId: 5, signatures: false, difficulty: 2, deadlineMs: 12_000 }, 1],
      [{ unitId: 6, signatures: false, difficulty: 2, deadlineMs: 10_000 }, 7],
      [{ unitId: 7, signatures: false, difficulty: 2, deadlineMs: 10_000 }, 1],
    ];
    const check = () => {
      for (const [plan, entries] of plans) assert.equal(headers.header(plan, entries), unitHeader(ledger, plan, entries), JSON.stringify(plan));
    };
    check();
    const first = headers.header(plans[0]![0], 1);
    first.fill(0);
    assert.equal(headers.header(plans[0]![0], 1), unitHeader(ledger, plans[0]![0], 1), 'a header handed out is the caller\'s own copy');
    const alice = demoSecretKey('alice');
    const moved = await ledger.commitBlock({ transactions: [signTx({ chainId: 1, sender: publicKeyOf(alice), recipient: new Uint8Array(32).fill(7), amount: 5n, fee: 10n, nonce: 0 }, alice)] });
    assert.is(moved.included.length, 1);
    check();
    assert.throws(() => headers.header({ ...plans[0]![0], unitId: -1 }, 1), /"unitId" expected u32, got -1/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
