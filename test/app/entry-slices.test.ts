// The device program judges each entry in slices, yielding between them (real TCP on loopback,
// a node made of protocol/'s session): no pull goes out before the verdict, a connection lost
// meanwhile does not lose the entry's work, and an entry that is not lowercase hex is found while
// it is decoded, costs the connection and is pulled again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDevice, type DeviceBuild } from '../../firmware/app/device.ts';
import { exampleIdentity, exampleUnit } from '../../protocol/wire-example.ts';
import { FAST, configFor, nodeHal, startNode, until, type NodeHal } from './support.ts';

const DEPTH = 12;
const slice = { attempts: 16, hexBytes: 16, levels: 1, verifierSteps: 8, ms: 1e6 };
const build: DeviceBuild = { firmware: '0.1.0', target: 'espruino-esp32', tier: 'hash', slice };

/** The hal's yields, the entries it received and the requests it wrote, in order. */
function traced(hal: NodeHal): string[] {
  const trace: string[] = [];
  const yieldThen = hal.yieldThen;
  hal.yieldThen = (continuation) => {
    trace.push('yield');
    yieldThen(continuation);
  };
  const connect = hal.connect;
  hal.connect = (host, port, events) => {
    const connection = connect(host, port, {
      ...events,
      onData: (chunk) => {
        if (String(chunk).includes('"entry":"')) trace.push('entry');
        events.onData(chunk);
      },
    });
    return {
      write: (text) => {
        trace.push(JSON.parse(text).method);
        connection.write(text);
      },
      close: connection.close,
    };
  };
  return trace;
}

test('an entry is judged in many slices, and its verdict goes out with the next pull only once it is judged', async () => {
  const unit = exampleUnit(61, 3, DEPTH, 4);
  const node = await startNode([unit]);
  const hal = nodeHal(new Map(), configFor(exampleIdentity(), node.port));
  const trace = traced(hal);
  const d = createDevice(hal, build, FAST, null);
  try {
    d.start();
    await until(() => d.status().acked === 1, 'the result acknowledged');
    assert.equal(node.stored(), [{ unitId: 61, counter: 1, verdicts: [0, 0, 5] }]);
    const entries = trace.flatMap((item, i) => (item === 'entry' ? [i] : []));
    assert.is(entries.length, 3);
    for (const at of entries) {
      const next = trace.indexOf('mm.pull', at);
      assert.ok(next > at, 'a pull follows each entry');
      // Hex in 16-byte slices, the checks, one level a slice: every slice ends in a yield.
      const slices = trace.slice(at, next).filter((item) => item === 'yield').length;
      assert.ok(slices >= Math.ceil(unit.entries[0].length / 16) + 1 + DEPTH, `${slices} slices for one entry`);
      assert.not.ok(trace.slice(at + 1, next).some((item) => item.startsWith('mm.')), 'nothing is sent while it is judged');
    }
  } finally {
    d.stop();
    await node.close();
  }
});

test('a connection lost while an entry is judged: the judging goes on, and the next connection reports its verdict', async () => {
  const node = await startNode([exampleUnit(62, 4, DEPTH, 4)]);
  let entries = 0;
  node.endAfter = (line) => line.includes('"entry":"') && ++entries === 2;
  const hal = nodeHal(new Map(), configFor(exampleIdentity(), node.port));
  const d = createDevice(hal, build, FAST, null);
  try {
    d.start();
    await until(() => d.status().acked === 1, 'the result acknowledged');
    assert.equal(node.stored(), [{ unitId: 62, counter: 1, verdicts: [0, 0, 5, 0] }]);
    assert.is(d.status().connects, 2);
    // Four entries sent, none twice: the second was judged across the reconnection.
    assert.is(node.hosts.flatMap((h) => h.sent).filter((line) => line.includes('"entry":"')).length, 4);
    assert.ok(node.hosts[1]!.sent[1]!.includes('"unit":62'), 'the node kept the unit for the device');
  } finally {
    d.stop();
    await node.close();
  }
});

for (const [fault, edit] of [
  ['a digit that is not lowercase hex', (hex: string) => hex.slice(0, 501) + 'G' + hex.slice(502)],
  ['an odd number of digits', (hex: string) => hex.slice(1)],
] as const) {
  test(`an entry with ${fault} costs the connection and is pulled again`, async () => {
    const node = await startNode([exampleUnit(63, 3, DEPTH, 4)]);
    let entries = 0;
    node.rewrite = (line) => {
      const match = /"entry":"([0-9a-f]+)"/.exec(line);
      return match !== null && ++entries === 2 ? line.replace(match[1]!, edit(match[1]!)) : line;
    };
    const hal = nodeHal(new Map(), configFor(exampleIdentity(), node.port));
    const d = createDevice(hal, build, FAST, null);
    try {
      d.start();
      await until(() => d.status().acked === 1, 'the result acknowledged');
      assert.equal(node.stored(), [{ unitId: 63, counter: 1, verdicts: [0, 0, 5] }]);
      assert.is(d.status().connects, 2);
      // The spoiled second entry was pulled again on the next connection: four entry lines in all.
      assert.is(node.hosts.flatMap((h) => h.sent).filter((line) => line.includes('"entry":"')).length, 4);
      assert.ok(node.hosts[1]!.sent.some((line) => line.includes('"entry":"')), 'the repeated pull was answered');
    } finally {
      d.stop();
      await node.close();
    }
  });
}

test.run();
