// docs/protocol.md's worked example is generated from the code: this fails when they differ
// (refresh with `npx tsx tools/docs/protocol-examples.ts --write`).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BEGIN, END, protocolExamples } from '../../tools/docs/protocol-examples.ts';

test('the worked example in docs/protocol.md matches the encoders', () => {
  const markdown = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  assert.ok(begin >= 0 && end > begin, 'the generated section markers are present');
  assert.fixture(markdown.slice(begin, end + END.length), protocolExamples());
});

test('the example shows an accepted entry, a rejected one and a share that meets difficulty 8', () => {
  const example = protocolExamples();
  assert.match(example, /entry 0 `accept` \(code 0\); entry 1 `bad-nonce` \(code 5\)/);
  const shareHash = example.match(/Share hash SHA-256\(digest ‖ nonce\): `([0-9a-f]{64})`/);
  assert.ok(shareHash);
  assert.is(shareHash![1].slice(0, 2), '00');
});

test.run();
