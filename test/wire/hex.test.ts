import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { bytesToHex, hexToBytes, isHex } from '../../firmware/core/hex.ts';
import { bytesOfHex, hexOf } from '../../protocol/hex.ts';

test('hex round-trips random bytes and matches Node', () => {
  for (let length = 0; length < 70; length++) {
    const data = new Uint8Array(randomBytes(length));
    const hex = bytesToHex(data);
    assert.is(hex, Buffer.from(data).toString('hex'));
    assert.equal(hexToBytes(hex), data);
  }
});

test('hex decoding refuses every non-canonical spelling', () => {
  for (const bad of ['0', 'abc', 'AB', '0X', 'g0', ' 00', '00 ', '0-', 'zz']) {
    assert.is(isHex(bad), false, bad);
    assert.is(hexToBytes(bad), null, bad);
  }
  assert.equal(hexToBytes(''), new Uint8Array(0));
  assert.equal(hexToBytes('00ff7f'), new Uint8Array([0, 255, 127]));
});

test('the node\'s native hex agrees with the device\'s on every spelling, canonical or not', () => {
  for (let length = 0; length < 70; length++) {
    const data = new Uint8Array(randomBytes(length));
    assert.is(hexOf(data), bytesToHex(data));
    assert.equal(bytesOfHex(bytesToHex(data)), data);
  }
  const offset = new Uint8Array([9, 1, 2, 9]).subarray(1, 3);
  assert.is(hexOf(offset), '0102', 'a view encodes only its own bytes');
  for (const text of ['0', 'abc', 'AB', '0X', 'g0', ' 00', '00 ', '0-', 'zz', '0a\n', '\u00e90', '']) {
    assert.equal(bytesOfHex(text), hexToBytes(text), JSON.stringify(text));
  }
});

test('decoded bytes own a buffer of exactly their size (never a view into a shared pool)', () => {
  for (const length of [0, 1, 32, 112, 4095]) {
    const bytes = bytesOfHex('5a'.repeat(length))!;
    assert.is(bytes.byteOffset, 0);
    assert.is(bytes.buffer.byteLength, length);
    assert.ok(bytes.every((b) => b === 0x5a));
  }
});

test.run();
