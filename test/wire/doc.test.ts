import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { exampleMarkdown, spliceGenerated } from '../../protocol/wire-example.ts';
import { DEVICE_METHODS, WIRE_ERROR_CODES } from '../../protocol/wire.ts';

const doc = readFileSync(new URL('../../docs/protocol-wire.md', import.meta.url), 'utf8');

test('the example session in docs/protocol-wire.md is what the code produces today', async () => {
  assert.fixture(spliceGenerated(doc, await exampleMarkdown()), doc);
});

test('the error table and the method table in docs/protocol-wire.md match the code', () => {
  const rows = [...doc.matchAll(/^\| (\d+) \| `([a-z-]+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
  assert.equal(Object.fromEntries(rows), WIRE_ERROR_CODES);
  for (const method of [...DEVICE_METHODS, 'mm.notify', 'mm.difficulty']) assert.ok(doc.includes(`| \`${method}\` |`), method);
});

test.run();
