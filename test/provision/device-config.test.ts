import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkPreferenceEntry,
  decodeEspruinoConfig,
  decodeModdablePreferences,
  encodeEspruinoConfig,
  encodeModdablePreferences,
  preferencesFromJson,
  preferencesToJson,
  validateDeviceConfig,
  type DeviceConfig,
} from '../../protocol/device-config.ts';

const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const moddable: DeviceConfig = { node: '192.168.1.20:7070', id: '0123456789abcdef', key, profile: 'moddable-esp32', tier: 'sig' };
const espruino: DeviceConfig = { ...moddable, node: 'node.local:7070', profile: 'espruino-esp32c3', tier: 'hash' };

test('mm.cfg is the documented JSON object, key as hex, and decodes back', () => {
  const text = encodeEspruinoConfig(espruino);
  assert.is(text, '{"node":"node.local:7070","id":"0123456789abcdef","key":"' + Buffer.from(key).toString('hex') + '","profile":"espruino-esp32c3","tier":"hash"}');
  const back = decodeEspruinoConfig(text);
  assert.equal(back, espruino);
});

test('Moddable preferences: domain mm, five keys, key as a 32-byte buffer, JSON round trip', () => {
  const entries = encodeModdablePreferences(moddable);
  assert.equal(entries.map((e) => e.domain + '.' + e.key), ['mm.node', 'mm.id', 'mm.key', 'mm.profile', 'mm.tier']);
  assert.ok(entries[2].value instanceof Uint8Array);
  const json = preferencesToJson(entries);
  assert.equal(json[2], { domain: 'mm', key: 'key', type: 'buffer', value: Buffer.from(key).toString('hex') });
  const parsed = preferencesFromJson(JSON.parse(JSON.stringify(json)));
  assert.equal(decodeModdablePreferences(parsed), moddable);
});

test('Preference limits: 15-character names, 4000-byte values, int32', () => {
  assert.throws(() => checkPreferenceEntry({ domain: 'mm', key: 'sixteen_chars_xx', value: 1 }), /"key" expected 1 to 15 characters \(Preference limit\), got "sixteen_chars_xx" \(16\)/);
  assert.throws(() => checkPreferenceEntry({ domain: '', key: 'a', value: 1 }), /"domain" expected 1 to 15 characters/);
  assert.not.throws(() => checkPreferenceEntry({ domain: 'mm', key: 'fifteen_chars_x', value: 'x'.repeat(4000) }));
  assert.throws(() => checkPreferenceEntry({ domain: 'mm', key: 'q0', value: 'x'.repeat(4001) }), /"mm\.q0" value expected at most 4000 bytes \(Preference limit\), got 4001/);
  // UTF-8 bytes count, not UTF-16 units: 2000 two-byte characters are 4000 bytes, one more is over.
  assert.not.throws(() => checkPreferenceEntry({ domain: 'mm', key: 'q1', value: 'é'.repeat(2000) }));
  assert.throws(() => checkPreferenceEntry({ domain: 'mm', key: 'q1', value: 'é'.repeat(2001) }), /got 4002/);
  assert.throws(() => checkPreferenceEntry({ domain: 'mm', key: 'q2', value: new Uint8Array(4001) }), /got 4001/);
  assert.throws(() => checkPreferenceEntry({ domain: 'mm', key: 'ctr', value: 2 ** 31 }), /"mm\.ctr" value expected int32, got 2147483648/);
});

test('every bad field is named', () => {
  const bad = (patch: Record<string, unknown>) => () => validateDeviceConfig({ ...espruino, ...patch }, 'mm.cfg');
  assert.throws(bad({ node: 'localhost' }), /mm\.cfg: "node" expected host:port/);
  assert.throws(bad({ node: 'host:0' }), /"node" expected host:port/);
  assert.throws(bad({ node: 'host:65536' }), /"node" expected host:port/);
  assert.throws(bad({ node: '[::1]:7070' }), /"node" expected host:port/);
  assert.throws(bad({ id: '0123456789ABCDEF' }), /"id" expected 16 lowercase hex characters, got "0123456789ABCDEF"/);
  assert.throws(bad({ key: new Uint8Array(31) }), /"key" expected 32 bytes, got 31/);
  assert.throws(bad({ key: 'ab' }), /"key" expected Uint8Array, got "ab"/);
  assert.throws(bad({ profile: 'espruino-esp8266' }), /"profile" expected one of moddable-esp32, .*got "espruino-esp8266"/);
  assert.throws(bad({ tier: 'sig' }), /"tier" expected "hash" for profile espruino-esp32c3, got "sig"/);
  assert.throws(bad({ extra: 1 }), /"extra" is not a device configuration field/);
});

test('a malformed mm.cfg names the file and never echoes the key', () => {
  assert.throws(() => decodeEspruinoConfig('{"node":'), /mm\.cfg: expected one JSON object, got unparsable text/);
  const secret = 'zz' + 'a'.repeat(62);
  try {
    decodeEspruinoConfig(JSON.stringify({ node: 'a:1', id: '0123456789abcdef', key: secret, profile: 'espruino-esp32', tier: 'hash' }));
    assert.unreachable('accepted a bad key');
  } catch (error) {
    assert.match((error as Error).message, /mm\.cfg: "key" expected 64 lowercase hex characters, got 64 characters that are not/);
    assert.not.ok((error as Error).message.includes(secret.slice(2, 20)));
  }
});

test.run();
