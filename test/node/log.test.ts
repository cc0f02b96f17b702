import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../trusted-node/log.ts';

test('one JSON object per line: time, level, event, child fields, bigints and bytes encoded', () => {
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line) }, { level: 'info', now: () => 0 }).child({ part: 'test' });
  logger.debug('dropped');
  logger.info('block_committed', { height: 3, hash: Buffer.from([0xab, 0xcd]), amount: 2n ** 64n - 1n, key: new Uint8Array([1]) });
  logger.error('failed', { error: Object.assign(new Error('boom'), { code: 'store' }) });
  assert.is(lines.length, 2);
  assert.ok(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
  assert.equal(JSON.parse(lines[0]!), { time: '1970-01-01T00:00:00.000Z', level: 'info', event: 'block_committed', part: 'test', height: 3, hash: 'abcd', amount: '18446744073709551615', key: '01' });
  assert.equal(JSON.parse(lines[1]!).error, { name: 'Error', message: 'boom', code: 'store' });
});

test.run();
