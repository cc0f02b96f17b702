// The simulated devices' templates for mm.pull and mm.submit are the device's own `request`
// lines, byte for byte, and leave the connection's request state as `request` does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RESULT_SIZE } from '../../firmware/core/layout.ts';
import { createClient, request, type WireClient } from '../../firmware/core/wire/client.ts';
import { METHOD_PULL, METHOD_SUBMIT } from '../../firmware/core/wire/protocol.ts';
import { hexOf, hexInto } from '../../protocol/hex.ts';
import { pullLine, submitLine } from '../../tools/loadgen/lines.ts';

/** Two clients in the same state. */
function pair(lastId: number): [WireClient, WireClient] {
  return [{ ...createClient(), lastId }, { ...createClient(), lastId }];
}

test('pull lines equal request() lines, for every verdict and around the id wrap', () => {
  for (const lastId of [0, 1, 0xfffffffe, 0xffffffff]) {
    for (const [unitId, index, verdict] of [[0, 0, null], [7, 1, 0], [0xffffffff, 65_535, 8], [12, 3, 2]] as const) {
      const [template, reference] = pair(lastId);
      assert.is(pullLine(template, unitId, index, verdict), request(reference, METHOD_PULL, [unitId, index, verdict]));
      assert.equal(template, reference, 'the same request state');
    }
  }
});

test('submit lines equal request() lines', () => {
  const result = Uint8Array.from({ length: RESULT_SIZE }, (_, i) => (i * 37) & 0xff);
  for (const lastId of [0, 0xffffffff]) {
    const [template, reference] = pair(lastId);
    assert.is(submitLine(template, 42, result), request(reference, METHOD_SUBMIT, [42, hexOf(result)]));
    assert.equal(template, reference);
  }
});

test('templates refuse what request() and the checked builders refuse, naming it, and change nothing', () => {
  const client = createClient();
  assert.throws(() => pullLine(client, -1, 0, null), (e: Error) => e instanceof RangeError && e.message === '"unitId" expected u32, got -1');
  assert.throws(() => pullLine(client, 1, 1.5, 0), (e: Error) => e instanceof RangeError && e.message === '"index" expected u32, got 1.5');
  assert.throws(() => pullLine(client, 1, 0, 0), (e: Error) => /"previousVerdict" must be null exactly when "index" is 0/.test(e.message));
  assert.throws(() => pullLine(client, 1, 2, 99), (e: Error) => e instanceof RangeError && /"previousVerdict" expected a reason code, got 99/.test(e.message));
  assert.throws(() => submitLine(client, 1, new Uint8Array(3)), (e: Error) => e instanceof RangeError && e.message === '"result" expected 112 bytes, got 3');
  assert.equal(client, createClient(), 'no request was claimed');
  pullLine(client, 1, 0, null);
  assert.throws(() => pullLine(client, 1, 1, 0), (e: Error) => e instanceof RangeError && e.message === '"method" busy');
  assert.throws(() => submitLine(client, 1, new Uint8Array(RESULT_SIZE)), (e: Error) => e.message === '"method" busy');
});

test('hexInto decodes canonical hex into the buffer it is given, and refuses anything else', () => {
  const out = Buffer.alloc(4);
  const view = hexInto('00ff7a', out)!;
  assert.equal(Array.from(view), [0x00, 0xff, 0x7a]);
  assert.is(view.buffer, out.buffer, 'a view of the buffer, not a copy');
  assert.equal(Array.from(hexInto('', out)!), []);
  for (const bad of ['0', '0g', '0A', 'zz', '0011223344']) assert.is(hexInto(bad, out), null, bad);
});

test.run();
