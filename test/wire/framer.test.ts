import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createFramer, feedFramer, type FrameEvent } from '../../firmware/core/wire/framer.ts';
import { METHOD_PING, parseDeviceLine } from '../../protocol/wire.ts';
import { createClient, parseNodeLine } from '../../firmware/core/wire/client.ts';
import { seededRandom } from './random.ts';

/** What a framer must produce for a whole stream, computed the obvious way. */
function expected(stream: string, maxLine: number): FrameEvent[] {
  const segments = stream.split('\n');
  const tail = segments.pop()!;
  const events: FrameEvent[] = [];
  for (const segment of segments) {
    if (segment.length > maxLine) events.push(null);
    else if (segment.length > 0) events.push(segment);
  }
  if (tail.length > maxLine) events.push(null);
  return events;
}

test('lines split at every position come out whole and in order', () => {
  const stream = '{"id":1}\n\n{"id":2,"method":"mm.ping"}\nabc\n';
  for (let cut = 0; cut <= stream.length; cut++) {
    const framer = createFramer(64);
    const events = [...feedFramer(framer, stream.slice(0, cut)), ...feedFramer(framer, stream.slice(cut))];
    assert.equal(events, expected(stream, 64), `cut at ${cut}`);
  }
});

test('every byte value frames as its character, one byte at a time too', () => {
  const bytes = '\x61\x0a\xff\x00\x80\x0a\x0a\x62';
  const framer = createFramer(8);
  const events = [...bytes].flatMap((b) => feedFramer(framer, b));
  assert.equal(events, ['a', '\xff\x00\x80']);
  assert.is(framer.partial, 'b');
});

test('a line of exactly the limit passes, one byte more is reported once and dropped', () => {
  const framer = createFramer(10);
  assert.equal(feedFramer(framer, 'x'.repeat(10) + '\n'), ['x'.repeat(10)]);
  assert.equal(feedFramer(framer, 'y'.repeat(6)), []);
  assert.equal(feedFramer(framer, 'y'.repeat(5)), [null]);
  assert.is(framer.partial, '', 'nothing of the oversized line is kept');
  assert.equal(feedFramer(framer, 'y'.repeat(5000)), [], 'reported once, however long it goes on');
  assert.equal(feedFramer(framer, 'yy\nok\n'), ['ok']);
});

test('the framer refuses a limit that is not a positive integer', () => {
  assert.throws(() => createFramer(0), /"maxLine" zero/);
  assert.throws(() => createFramer(1.5), /"maxLine" expected u32, got 1.5/);
  assert.throws(() => createFramer('4096' as never), (e: unknown) => e instanceof TypeError);
});

test('fuzz: 10,000 random byte streams in random chunks frame as the model says and parse without throwing', () => {
  const next = seededRandom(20240601);
  let lines = 0;
  let oversize = 0;
  let classified = 0;
  for (let round = 0; round < 10_000; round++) {
    const length = next() % 200;
    let stream = '';
    for (let i = 0; i < length; i++) {
      const pick = next() % 8;
      stream += pick === 0 ? '\n' : pick === 1 ? '{"id":1,"method":"mm.ping","params":[]}'.charAt(next() % 39) : String.fromCharCode(next() % 256);
    }
    const maxLine = 1 + (next() % 48);
    const framer = createFramer(maxLine);
    const events: FrameEvent[] = [];
    for (let at = 0; at < stream.length; ) {
      const size = 1 + (next() % 17);
      const chunk = stream.slice(at, at + size);
      events.push(...feedFramer(framer, chunk));
      assert.ok(framer.partial.length <= maxLine);
      at += size;
    }
    assert.equal(events, expected(stream, maxLine));
    for (const event of events) {
      if (event === null) {
        oversize++;
        continue;
      }
      lines++;
      const parsed = parseDeviceLine(event);
      assert.ok(parsed.ok || typeof parsed.fault.error === 'string');
      const client = createClient();
      client.awaiting = METHOD_PING;
      client.lastId = 1;
      assert.type(parseNodeLine(client, event).kind, 'number');
      classified++;
    }
  }
  assert.ok(lines > 10_000 && oversize > 1_000, `${lines} lines, ${oversize} oversize`);
  assert.is(classified, lines);
});

test.run();
