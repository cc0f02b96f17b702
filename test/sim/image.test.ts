// What the simulator runs of an Espruino build: the bytes storage.json names (the ones flashed),
// checked against their SHA-256 and read through the detokeniser, not the minified script beside them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../host-sim/image.ts';
import { SimError } from '../../host-sim/errors.ts';
import { build } from '../../tools/build/index.ts';
import { detokenise } from '../../tools/build/espruino-tokens.ts';
import { programTokens } from '../../tools/build/pretokenise.ts';

const scratch = mkdtempSync(join(tmpdir(), 'micromine-sim-image-'));
const dir = join(scratch, 'espruino-esp32');
test.before(async () => {
  await build({ targets: ['espruino-esp32'], outDir: scratch, typecheck: false });
});
test.after(() => rmSync(scratch, { recursive: true, force: true }));

const meaning = (code: string) => programTokens(code).map((t) => `${t.kind} ${JSON.stringify(t.value)}`);

test('the simulator runs the stored bytes, read as the lexer reads them: the minified program', () => {
  const image = loadImage('espruino-esp32', 'espruino', dir);
  assert.is(image.runtime, 'espruino');
  const script = image.runtime === 'espruino' ? image.script : '';
  const stored = readFileSync(join(dir, 'micromine.stored.js'), 'latin1');
  assert.is(script, detokenise(stored));
  assert.equal(meaning(script), meaning(readFileSync(join(dir, 'micromine.js'), 'latin1')));
});

test('a stored file that does not match its upload form is refused, naming both', () => {
  const path = join(dir, 'micromine.stored.js');
  const stored = readFileSync(path, 'latin1');
  writeFileSync(path, Buffer.from(stored.slice(0, -1), 'latin1'));
  try {
    loadImage('espruino-esp32', 'espruino', dir);
    assert.unreachable('no error');
  } catch (error) {
    assert.instance(error, SimError);
    assert.is((error as SimError).code, 'bad-image');
    assert.match((error as SimError).message, new RegExp(`micromine\\.stored\\.js is ${stored.length - 1} bytes with SHA-256 [0-9a-f]{16}\\.\\.\\., the upload form says ${stored.length} bytes`));
    assert.match((error as SimError).hint ?? '', /build it again: micromine build --target espruino-esp32/);
  } finally {
    writeFileSync(path, Buffer.from(stored, 'latin1'));
  }
});

test.run();
