// Quorum consensus with honest, lying and silent devices, each a simulated device speaking the
// real protocol to a real node over loopback TCP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publicKeyOf } from '../../protocol/tx.ts';
import { toHex } from '../../trusted-node/bytes.ts';
import { demoSecretKey } from '../../trusted-node/ledger/genesis.ts';
import { HONEST, LIAR, SILENT } from '../../tools/loadgen/device.ts';
import { eventually, startFleet, transfer } from './fleet.ts';

const bob = publicKeyOf(demoSecretKey('bob'));

test('three honest sig-tier devices accept a valid transfer and it is committed', async () => {
  const fleet = await startFleet({ consensus: { auditRate: 0 } });
  try {
    const devices = await Promise.all([1, 2, 3].map(() => fleet.device('moddable-esp32', HONEST)));
    await Promise.all(devices.map((d) => d.connect()));
    const accepted = await fleet.node.intake.submit(toHex(transfer('alice', bob, 500n, 0)));
    await eventually(() => fleet.devices.service.consensus.accepted.length === 1, 'the quorum accepts');
    const block = await fleet.node.producer.produce();
    assert.equal(block?.included.map((t) => t.key), [accepted.id]);
    assert.is((await fleet.node.store.transaction(Buffer.from(accepted.id, 'hex')))?.height, 1);
    await eventually(() => devices.every((d) => d.acks.length === 1), 'every device has its ack');
    assert.equal(devices.map((d) => d.errors), [[], [], []]);
  } finally {
    await fleet.stop();
  }
});

test.run();
