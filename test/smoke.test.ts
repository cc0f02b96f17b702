import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { u32 } from '../firmware/core/assert.ts';

test('u32 rejects negatives', () => {
  assert.throws(() => u32('amount', -1), /"amount" expected u32, got -1/);
});
test.run();
