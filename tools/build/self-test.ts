// The unit of the image self-test (firmware/app/self-test.ts), made at build time with the
// node's reference encoders and judged by the core in Node, so the image carries the answers the
// node would give. Deterministic: the example accounts (sig tier) derive from fixed strings, the
// hash tier's keys are constants.
import { bytesToHex } from '../../firmware/core/hex.ts';
import { ENTRY_PROOF_AT, LEAF_BALANCE_AT, TX_SIGNATURE_AT, TX_SIZE } from '../../firmware/core/layout.ts';
import { checkEntry, finishUnit, openUnit } from '../../firmware/core/validator.ts';
import { nobleSha512 } from '../../firmware/digest/noble.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import type { SelfTestVector } from '../../firmware/app/self-test.ts';
import type { Tier } from '../manifests/index.ts';
import { nodeDigest } from '../../protocol/digest.ts';
import { exampleEntry, exampleLedger, exampleSecretKey, exampleTx } from '../../protocol/example.ts';
import { describeDecodeError } from '../../protocol/messages.ts';
import { StateTree } from '../../protocol/state.ts';
import { encodeTxBody, joinTx, publicKeyOf } from '../../protocol/tx.ts';
import { HASH_TIER_CHECKS, SIG_TIER_CHECKS, encodeEntry, encodeHeader } from '../../protocol/unit.ts';

const DEVICE_ID = '5e1f7e5700000001';

/** Hex with every run of sixteen `0` digits written `z`, as firmware/app/self-test.ts reads it. */
export function compactZeros(hex: string): string {
  return hex.split('0'.repeat(16)).join('z');
}

/** A 32-byte key that is zero but for its last byte: a hash-tier vector's keys, which no signature check reads. */
function shortKey(last: number): Uint8Array {
  const key = new Uint8Array(32);
  key[31] = last;
  return key;
}

/**
 * The self-test's one entry and the state root of its one-account ledger. Sig-tier images check
 * the signature, so theirs is a real transaction between example accounts; hash-tier units never
 * check one, so their keys are mostly zeros and their signature is zeros, which the vector writes
 * short (about 180 bytes fewer in the image).
 */
function selfTestEntry(tier: Tier): { entry: Uint8Array; stateRoot: Uint8Array } {
  if (tier === 'sig') {
    const ledger = exampleLedger(1, 1, 0);
    const recipient = publicKeyOf(exampleSecretKey(1));
    return { entry: exampleEntry(ledger, 0, exampleTx(ledger, 0, 0, { recipient })), stateRoot: ledger.tree.root };
  }
  const tree = new StateTree(0, [{ publicKey: shortKey(1), balance: 1000n, nonce: 0 }]);
  const body = encodeTxBody({ chainId: 1, sender: shortKey(1), recipient: shortKey(2), amount: 10n, fee: 1n, nonce: 0 });
  return { entry: encodeEntry(joinTx(body, new Uint8Array(TX_SIZE - TX_SIGNATURE_AT)), tree.proof(0)), stateRoot: tree.root };
}

/**
 * One entry from a one-account ledger (the smallest proof: the image carries the vector) and the
 * header of its unit, the result digest under counter 1, and a byte to flip: the signature on
 * sig-tier images (verdict bad-signature), the sender's balance in the proof on hash-tier ones
 * (verdict bad-proof).
 */
export function selfTestVector(tier: Tier): SelfTestVector {
  const { entry, stateRoot } = selfTestEntry(tier);
  const header = encodeHeader({
    unitId: 1, chainId: 1, height: 1, previousHash: new Uint8Array(32), stateRoot,
    checks: tier === 'sig' ? SIG_TIER_CHECKS : HASH_TIER_CHECKS, difficulty: 0, minFee: 1n, deadline: 60_000, entryCount: 1,
  });
  const options = { digest: nodeDigest, verify: tier === 'sig' ? createVerifier(nobleSha512) : null };
  const judge = (bytes: Uint8Array) => {
    const opened = openUnit(header, options);
    if (!opened.ok) throw new Error(`self-test header does not open: ${describeDecodeError(opened.error, header)}`);
    return { validator: opened.value, code: checkEntry(opened.value, bytes).code };
  };
  const accepted = judge(entry);
  if (accepted.code !== 0) throw new Error(`self-test entry not accepted (verdict ${accepted.code})`);
  const counter = 1;
  const digest = finishUnit(accepted.validator, Uint8Array.from(Buffer.from(DEVICE_ID, 'hex')), counter).digest;
  const tamperAt = tier === 'sig' ? TX_SIGNATURE_AT : ENTRY_PROOF_AT + LEAF_BALANCE_AT;
  const tampered = entry.slice();
  tampered[tamperAt] ^= 1;
  const tamperedVerdict = judge(tampered).code;
  if (tamperedVerdict === 0) throw new Error('self-test tampered entry was accepted');
  return {
    header: compactZeros(bytesToHex(header)), entry: compactZeros(bytesToHex(entry)), deviceId: DEVICE_ID, counter, digest: bytesToHex(digest),
    tamperAt, tamperedVerdict,
  };
}
