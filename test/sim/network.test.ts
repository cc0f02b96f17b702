// A fleet on a jittery network against a real node: with one line in five held up to 2 s, healthy
// devices of both tiers finish their units without one being expired or superseded, because the
// node's deadlines carry an allowance per round trip (docs/node.md, Scheduling).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFleet } from '../../host-sim/fleet.ts';
import { imagesDir } from './support.ts';

const ONLY_DELAY = { loss: 0, delay: 0.2, maxDelayMs: 2000, disconnect: 0, nodeRestart: false, powerCut: 0, slowCpu: 0, flashCorruption: 0 };

test('20% of lines delayed up to 2 s: every unit is done in time, none expired or superseded', async () => {
  const report = await runFleet({
    profiles: ['moddable-esp32', 'espruino-esp32'], devices: 2, units: 3, seed: 42, horizonMs: 1_200_000,
    faults: ONLY_DELAY, imagesDir: await imagesDir(),
  });
  assert.ok((report.faults['message-delay']?.count ?? 0) > 50, 'lines were delayed');
  for (const device of report.devices) {
    assert.is(device.verdict, 'ok', `${device.name}: ${device.verdictMessage}`);
    assert.is(device.resultsAcknowledged, 3, `${device.name} finished its units`);
    assert.equal(device.errors.map((e) => e.code), [], `${device.name}: ${JSON.stringify(device.errors)}`);
    assert.is(device.connects, 1, `${device.name} never had to reconnect`);
  }
});

test.run();
