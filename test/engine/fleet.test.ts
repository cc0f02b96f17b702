// Many devices at once: 32 device processes run side by side, each with its own heap, clock
// and host calls, and each gives the same answer and the same computrons as the others.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDevice, type XsDevice } from '../../host-sim/engine/index.ts';
import { ESP32, ESP32C3 } from './creations.ts';

const WORK = `globalThis.work = (id) => {
  let acc = 0;
  for (let i = 0; i < 2000; i++) acc = (acc * 31 + i) % 65521;
  const reply = new Uint8Array(hostCall(Uint8Array.of(id)));
  return acc + ":" + reply[0];
}`;

test('32 devices run concurrently, isolated and deterministic', async () => {
  const count = 32;
  const devices: XsDevice[] = await Promise.all(Array.from({ length: count }, (_, index) => startDevice({
    creation: index % 2 ? ESP32 : ESP32C3,
    name: `device-${index}`,
    onHostCall: (message) => Uint8Array.of((message as Uint8Array)[0]! * 2),
  })));
  try {
    await Promise.all(devices.map((device) => device.evaluate(WORK)));
    const results = await Promise.all(devices.map((device, index) => device.call('work', [index])));
    const expectedAcc = results[0]!.value!.toString().split(':')[0];
    results.forEach(({ value }, index) => assert.is(value, `${expectedAcc}:${index * 2}`));
    assert.is(new Set(results.map((r) => r.usage.computrons)).size, 1, 'same work, same computrons on every device');
    // Each device keeps its own state.
    await Promise.all(devices.map((device, index) => device.evaluate(`globalThis.mine = ${index}`)));
    const mine = await Promise.all(devices.map((device) => device.evaluate('mine')));
    assert.equal(mine.map((r) => r.value), Array.from({ length: count }, (_, index) => index));
  } finally {
    await Promise.all(devices.map((device) => device.close()));
  }
});

test.run();
