// The bounded-memory claim: what a validator retains between entries is the same structure,
// byte for byte in size, after 16 and after 256 entries (and right after opening).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reasonOf } from '../../firmware/core/reasons.ts';
import { checkEntry, openUnit, type UnitValidator } from '../../firmware/core/validator.ts';
import { nobleDigest, nobleSha512 } from '../../firmware/digest/noble.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import { exampleEntry, exampleLedger, exampleTx } from '../../protocol/example.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { encodeHeader } from '../../protocol/unit.ts';

/** Everything reachable from `root`: one line per property (path and kind), and buffer bytes. */
interface Retained { shape: string[]; properties: number; bufferBytes: number }

function retained(root: object): Retained {
  const seen = new Set<unknown>();
  const buffers = new Set<ArrayBufferLike>();
  const shape: string[] = [];
  let properties = 0;
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'function' || value === null || typeof value !== 'object') {
      shape.push(`${path}: ${typeof value}`);
      return;
    }
    if (seen.has(value)) {
      shape.push(`${path}: (seen)`);
      return;
    }
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      buffers.add(value.buffer);
      shape.push(`${path}: ${value.constructor.name}(${value.byteLength}) of buffer(${value.buffer.byteLength})`);
      return;
    }
    for (const key of Object.getOwnPropertyNames(value)) {
      properties++;
      walk((value as Record<string, unknown>)[key], `${path}.${key}`);
    }
  };
  walk(root, 'validator');
  let bufferBytes = 0;
  for (const buffer of buffers) bufferBytes += buffer.byteLength;
  return { shape, properties, bufferBytes };
}

const ledger = exampleLedger(256, 1);
const verify = createVerifier(nobleSha512);

function runUnit(entryCount: number, snapshotAfter: number): Retained[] {
  const header = encodeHeader({
    unitId: entryCount, chainId: 1, height: 1, previousHash: new Uint8Array(32), stateRoot: ledger.tree.root,
    checks: ['proof', 'rules', 'signature'], difficulty: 1, minFee: 1n, deadline: 1000, entryCount,
  });
  const opened = openUnit(header, { digest: nobleDigest, verify });
  if (!opened.ok) throw new Error(describeDecodeError(opened.error));
  const validator: UnitValidator = opened.value;
  const snapshots = [retained(validator)];
  for (let i = 0; i < snapshotAfter; i++) {
    const from = ledger.bySender[i];
    // Every 5th entry is rejected (bad nonce) so both paths run.
    const tx = exampleTx(ledger, from, ledger.bySender[(i + 1) % 256], i % 5 === 4 ? { nonce: ledger.accounts[from].nonce + 1 } : {});
    const verdict = checkEntry(validator, exampleEntry(ledger, from, tx));
    assert.is(reasonOf(verdict.code), i % 5 === 4 ? 'bad-nonce' : 'accept');
  }
  snapshots.push(retained(validator));
  assert.is(validator.index, snapshotAfter);
  return snapshots;
}

test('the validator retains the same structure after 0, 16 and 256 entries', () => {
  const [fresh, after16] = runUnit(256, 16);
  const [, after256] = runUnit(256, 256);
  assert.equal(after16.shape, fresh.shape);
  assert.equal(after256.shape, after16.shape);
  assert.is(after256.bufferBytes, after16.bufferBytes);
  assert.is(after256.properties, after16.properties);
  // header copy 93 + header hash 32 + last sender 32 + chain 32 + frontier 16*32 + scratch 65 + sum 8 + proof or frontier node 32
  assert.is(after256.bufferBytes, 93 + 32 + 32 + 32 + 512 + 65 + 8 + 32);
  // 17 validator fields (the digest object adds 1, the stepped verifier 2) and 9 header fields
  assert.is(after256.properties, 29);
});

test('the walk sees what a validator holds: a retained array would show', () => {
  const [, snapshot] = runUnit(16, 16);
  const grown = Object.assign(Object.create(null), { copy: snapshot, extra: new Uint8Array(100) });
  assert.is(retained(grown).bufferBytes, 100);
  assert.ok(snapshot.shape.some((line) => line.startsWith('validator.frontier: Uint8Array(512)')));
  assert.ok(snapshot.shape.some((line) => line.startsWith('validator.header.stateRoot: Uint8Array(32) of buffer(93)')));
});

test.run();
