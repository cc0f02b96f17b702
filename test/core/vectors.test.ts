// Published test vectors through the core's interfaces: NIST SHA-256 through the Digest
// adapters, RFC 4231 HMAC-SHA256 through the core's hmacSha256, RFC 8032 Ed25519 through
// firmware/sig's verifier (and the node's signer).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hmacSha256, verifyAtOnce, type Digest } from '../../firmware/core/digest.ts';
import { nobleDigest, nobleSha512 } from '../../firmware/digest/noble.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { publicKeyOf } from '../../protocol/tx.ts';
import { Point, etc, sign, verify as libraryVerify } from '@noble/ed25519';

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const ascii = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const digests: [string, Digest][] = [['noble', nobleDigest], ['node', nodeDigest]];

const NIST_SHA256: [string, Uint8Array, string][] = [
  ['empty', new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['"abc"', ascii('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['448 bits', ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['one million "a"', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

for (const [adapter, digest] of digests) {
  test(`NIST SHA-256 vectors through the ${adapter} digest`, () => {
    for (const [name, message, expected] of NIST_SHA256) assert.is(hex(digest.sha256(message)), expected, name);
  });
}

const RFC4231: [string, Uint8Array, Uint8Array, string][] = [
  ['case 1', new Uint8Array(20).fill(0x0b), ascii('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
  ['case 2', ascii('Jefe'), ascii('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
  ['case 3', new Uint8Array(20).fill(0xaa), new Uint8Array(50).fill(0xdd), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
  ['case 4', Uint8Array.from({ length: 25 }, (_, i) => i + 1), new Uint8Array(50).fill(0xcd), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
  ['case 5 (truncated to 128 bits)', new Uint8Array(20).fill(0x0c), ascii('Test With Truncation'), 'a3b6167473100ee06e0c796c2955552b'],
  ['case 6', new Uint8Array(131).fill(0xaa), ascii('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
  ['case 7', new Uint8Array(131).fill(0xaa), ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'), '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2'],
];

for (const [adapter, digest] of digests) {
  test(`RFC 4231 HMAC-SHA256 vectors through the core on the ${adapter} digest`, () => {
    for (const [name, key, data, expected] of RFC4231) {
      assert.is(hex(hmacSha256(digest, key, data)).slice(0, expected.length), expected, name);
    }
  });
}

test('HMAC keeps its result when the digest reuses its output buffer', () => {
  const shared = new Uint8Array(32);
  const reusing: Digest = { sha256: (data) => (shared.set(nodeDigest.sha256(data)), shared) };
  const [, key, data, expected] = RFC4231[1];
  const mac = hmacSha256(reusing, key, data);
  reusing.sha256(new Uint8Array(1));
  assert.is(hex(mac), expected);
});

interface Rfc8032Vector { name: string; secretKey: string; publicKey: string; message: string; signature: string }
const RFC8032: Rfc8032Vector[] = JSON.parse(readFileSync(new URL('fixtures/rfc8032-ed25519.json', import.meta.url), 'utf8')).vectors;
const verify = verifyAtOnce(createVerifier(nobleSha512));

test('RFC 8032 Ed25519 vectors verify through firmware/sig', () => {
  assert.is(RFC8032.length, 5);
  assert.is(bytesOf(RFC8032[3].message).length, 1023);
  for (const v of RFC8032) {
    assert.ok(verify(bytesOf(v.signature), bytesOf(v.message), bytesOf(v.publicKey)), v.name);
  }
});

test('RFC 8032 "SHA(abc)" message is SHA-512("abc")', () => {
  assert.is(hex(nobleSha512(ascii('abc'))), RFC8032[4].message);
});

test('the node derives the RFC 8032 public keys and signatures', () => {
  for (const v of RFC8032) {
    assert.is(hex(publicKeyOf(bytesOf(v.secretKey))), v.publicKey, v.name);
    assert.is(hex(sign(bytesOf(v.message), bytesOf(v.secretKey))), v.signature, v.name);
  }
});

test('any flipped bit or wrong length makes verification false, never an exception', () => {
  const v = RFC8032[2];
  const parts = [bytesOf(v.signature), bytesOf(v.message), bytesOf(v.publicKey)] as const;
  for (let part = 0; part < 3; part++) {
    for (let bit = 0; bit < parts[part].length * 8; bit += 13) {
      const changed = parts.map((p) => p.slice());
      changed[part][bit >> 3] ^= 1 << (bit & 7);
      assert.not.ok(verify(changed[0], changed[1], changed[2]), `part ${part} bit ${bit}`);
    }
  }
  assert.not.ok(verify(parts[0].subarray(1), parts[1], parts[2]), 'short signature');
  assert.not.ok(verify(parts[0], parts[1], parts[2].subarray(1)), 'short key');
  assert.not.ok(verify(new Uint8Array(64), parts[1], new Uint8Array(32)), 'zero key and signature');
});

test('firmware/sig agrees with @noble/ed25519\'s strict verify on 400 mutated signatures, keys and messages', () => {
  let state = 0x2545f491;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) >>> 8;
  };
  let valid = 0;
  for (let n = 0; n < 400; n++) {
    const v = RFC8032[next() % 3];
    const parts = [bytesOf(v.signature), bytesOf(v.message), bytesOf(v.publicKey)];
    const part = next() % 4;
    // part 3 leaves the vector intact; others set one byte, often to an edge value
    if (part < 3 && parts[part].length > 0) parts[part][next() % parts[part].length] = [0, 0xff, 0x7f, 0x80, next() & 0xff][next() % 5];
    if (next() % 7 === 0) parts[0].set(etc.hexToBytes('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'), 32); // s = L
    const ours = verify(parts[0], parts[1], parts[2]);
    assert.is(ours, libraryVerify(parts[0], parts[1], parts[2], { zip215: false }), `case ${n}`);
    if (ours) valid++;
  }
  assert.ok(valid > 50 && valid < 350, `${valid} valid`);
});

test('a signature under the base point as public key verifies (the path that avoids the table)', () => {
  const L = Point.CURVE().n;
  const message = ascii('base point key');
  const r = 0x1234567890abcdefn;
  const encodedR = Point.BASE.multiply(r).toBytes();
  const publicKey = Point.BASE.toBytes();
  const k = etc.mod(BigInt('0x' + Buffer.from(nobleSha512(Uint8Array.of(...encodedR, ...publicKey, ...message))).reverse().toString('hex')), L);
  const s = etc.mod(r + k, L);
  const signature = Uint8Array.of(...encodedR, ...Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse());
  assert.ok(libraryVerify(signature, message, publicKey, { zip215: false }), 'the library agrees it is valid');
  assert.ok(verify(signature, message, publicKey));
  signature[40] ^= 1;
  assert.not.ok(verify(signature, message, publicKey));
});

test.run();
