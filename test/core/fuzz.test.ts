// Fuzz: random and mutated entries, headers, transactions, proofs and results. Every input must
// end as a value (accepted, or rejected with a known code and a message naming a field), never
// as an exception. Deterministic: a fixed-seed generator, so a failure replays.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeEntry } from '../../firmware/core/entry.ts';
import type { Decoded } from '../../firmware/core/errors.ts';
import { decodeHeader } from '../../firmware/core/header.ts';
import { ENTRY_MAX_SIZE, HEADER_SIZE, MAX_ENTRIES } from '../../firmware/core/layout.ts';
import { decodeProof } from '../../firmware/core/proof.ts';
import { REASONS, type Reason } from '../../firmware/core/reasons.ts';
import { decodeResult } from '../../firmware/core/result.ts';
import { decodeTx } from '../../firmware/core/tx.ts';
import { checkEntry, openUnit, type UnitValidator } from '../../firmware/core/validator.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { exampleEntry, exampleLedger, exampleTx } from '../../protocol/example.ts';
import { decodeErrorName, describeDecodeError, describeVerdict, fieldName } from '../../protocol/messages.ts';
import { encodeHeader } from '../../protocol/unit.ts';


let state = 0x9e3779b9;
function random(): number {
  // xorshift32: deterministic and cheap
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
}
const below = (n: number) => Math.floor(random() * n);

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = below(256);
  return out;
}

/** A copy of `seed` with a few random edits: flipped bits, set bytes, truncation, extension. */
function mutated(seed: Uint8Array): Uint8Array {
  let data = seed.slice();
  const edits = 1 + below(4);
  for (let e = 0; e < edits; e++) {
    const kind = below(6);
    if (kind <= 1 && data.length > 0) data[below(data.length)] ^= 1 << below(8);
    else if (kind === 2 && data.length > 0) data[below(data.length)] = [0, 1, 0xff, 24, 25, below(256)][below(6)];
    else if (kind === 3) data = data.subarray(0, below(data.length + 1));
    else if (kind === 4) data = Uint8Array.of(...data, ...randomBytes(1 + below(40)));
    else if (data.length > 4) data.set(randomBytes(4), below(data.length - 3));
  }
  return data;
}

function checkDecoded<T>(decoded: Decoded<T>, what: string): boolean {
  if (decoded.ok) return true;
  assert.ok(!decodeErrorName(decoded.error.code).startsWith('code '), `${what}: unknown code ${decoded.error.code}`);
  const words = describeDecodeError(decoded.error);
  assert.ok(words.startsWith(`"${fieldName(decoded.error.field)}" at offset ${decoded.error.offset}: `), words);
  assert.not.match(fieldName(decoded.error.field), /^field /, 'a field id every version names');
  assert.ok(decoded.error.offset >= 0 && Number.isInteger(decoded.error.offset));
  return false;
}

const ledger = exampleLedger(40, 5);
const headerFields = {
  unitId: 1, chainId: 5, height: 9, previousHash: new Uint8Array(32).fill(7), stateRoot: ledger.tree.root,
  checks: ['proof', 'rules'] as const, difficulty: 10, minFee: 1n, deadline: 5000, entryCount: MAX_ENTRIES,
};
const validHeader = encodeHeader(headerFields);
const seeds = ledger.bySender.map((from, i) => exampleEntry(ledger, from, exampleTx(ledger, from, ledger.bySender[(i + 1) % 40])));

test('100,000 random and mutated entries each get a known verdict', () => {
  const counts = new Map<Reason, number>();
  let validator: UnitValidator | undefined;
  for (let n = 0; n < 100_000; n++) {
    // A fresh unit every 8 entries, so the sender-order check does not hide the deeper rules.
    if (validator === undefined || validator.index === MAX_ENTRIES || n % 8 === 0) {
      const opened = openUnit(validHeader, { digest: nodeDigest, verify: null });
      if (!opened.ok) throw new Error(describeDecodeError(opened.error));
      validator = opened.value;
    }
    const pick = below(10);
    const entry = pick === 0 ? randomBytes(below(ENTRY_MAX_SIZE + 50)) : pick === 1 ? seeds[below(seeds.length)] : mutated(seeds[below(seeds.length)]);
    const decodedOk = checkDecoded(decodeEntry(entry), 'entry');
    const verdict = checkEntry(validator, entry);
    const reason = REASONS[verdict.code];
    assert.ok(reason !== undefined, `unknown reason code ${verdict.code}`);
    assert.is(reason === 'malformed', !decodedOk, 'malformed exactly when the decoder fails');
    assert.is(verdict.fault === null, reason === 'accept', 'a fault exactly when rejected');
    if (verdict.fault !== null) assert.match(describeVerdict(verdict, entry), /^"[a-zA-Z.]+" at offset \d+: ./);
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  // The mix must reach every rule, not only the format check (signatures are not checked here).
  for (const reason of REASONS.filter((r) => r !== 'bad-signature')) {
    assert.ok((counts.get(reason) ?? 0) > 0, `no ${reason} in ${JSON.stringify([...counts])}`);
  }
});

test('30,000 random and mutated headers open a unit or fail with a known code', () => {
  let opened = 0;
  for (let n = 0; n < 30_000; n++) {
    const header = n % 4 === 0 ? randomBytes(below(HEADER_SIZE + 20)) : mutated(validHeader);
    const decoded = decodeHeader(header);
    checkDecoded(decoded, 'header');
    const unit = openUnit(header, { digest: nodeDigest, verify: null });
    checkDecoded(unit, 'unit');
    if (unit.ok) opened++;
    assert.is(unit.ok, decoded.ok && (decoded.value.checks & 8) === 0, 'a hash-tier device opens exactly the decodable non-signature units');
  }
  assert.ok(opened > 0);
});

test('20,000 random and mutated transactions, proofs and results decode or fail with a known code', () => {
  const proof = ledger.tree.proof(3);
  const tx = seeds[0].subarray(0, 153);
  const result = new Uint8Array(112);
  result[8] = 5;
  for (let n = 0; n < 20_000; n++) {
    checkDecoded(decodeTx(n % 5 === 0 ? randomBytes(below(200)) : mutated(tx)), 'tx');
    checkDecoded(decodeProof(n % 5 === 0 ? randomBytes(below(900)) : mutated(proof)), 'proof');
    checkDecoded(decodeResult(n % 5 === 0 ? randomBytes(below(130)) : mutated(result)), 'result');
  }
});

test.run();
