/**
 * Generates the worked examples of docs/protocol.md from the reference encoders, so the bytes in
 * the document are the bytes the code produces. `tsx tools/docs/protocol-examples.ts` prints the
 * section; `--write` replaces it in docs/protocol.md (between the example markers), and a test
 * fails when the document and the code disagree.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as layout from '../../firmware/core/layout.ts';
import { sealResult } from '../../firmware/core/result.ts';
import { searchShare, startShareSearch } from '../../firmware/core/share.ts';
import { reasonOf } from '../../firmware/core/reasons.ts';
import { checkEntry, finishUnit, openUnit } from '../../firmware/core/validator.ts';
import { createVerifier } from '../../firmware/sig/ed25519.ts';
import { nobleSha512 } from '../../firmware/digest/noble.ts';
import { nodeDigest, sha256 } from '../../protocol/digest.ts';
import { exampleEntry, exampleLedger, exampleTx } from '../../protocol/example.ts';
import { describeDecodeError, describeVerdict } from '../../protocol/messages.ts';
import { txId } from '../../protocol/tx.ts';
import { encodeHeader, headerHash } from '../../protocol/unit.ts';

export const BEGIN = '<!-- generated:examples:begin (tools/docs/protocol-examples.ts) -->';
export const END = '<!-- generated:examples:end -->';

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');

/** One row per field: name, offset, size, hex. */
function fieldTable(data: Uint8Array, fields: [string, number, number][]): string {
  const rows = fields.map(([name, at, size]) => `| ${name} | ${at} | ${size} | \`${wrap(hex(data.subarray(at, at + size)), 64, '` `')}\` |`);
  return ['| field | offset | size | bytes |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function wrap(text: string, width: number, joiner: string): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += width) parts.push(text.slice(i, i + width));
  return parts.join(joiner);
}

function block(data: Uint8Array): string {
  return '```\n' + wrap(hex(data), 64, '\n') + '\n```';
}

/** The markdown of the worked example. */
export function protocolExamples(): string {
  const ledger = exampleLedger(3, 1);
  const [first, second] = ledger.bySender;
  const header = encodeHeader({
    unitId: 1, chainId: 1, height: 1, previousHash: sha256(new TextEncoder().encode('genesis')), stateRoot: ledger.tree.root,
    checks: ['proof', 'rules', 'signature'], difficulty: 8, minFee: 1n, deadline: 60_000, entryCount: 2,
  });
  const tx = exampleTx(ledger, first, second, { amount: 250n, fee: 1n });
  const entry = exampleEntry(ledger, first, tx);
  const stale = exampleEntry(ledger, second, exampleTx(ledger, second, first, { nonce: ledger.accounts[second].nonce + 1 }));
  const opened = openUnit(header, { digest: nodeDigest, verify: createVerifier(nobleSha512) });
  if (!opened.ok) throw new Error(describeDecodeError(opened.error, header));
  const verdicts = [checkEntry(opened.value, entry), checkEntry(opened.value, stale)];
  const deviceId = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
  const deviceKey = sha256(new TextEncoder().encode('micromine example device key'));
  const pending = finishUnit(opened.value, deviceId, 1);
  const search = startShareSearch(pending.digest, pending.difficulty);
  while (!searchShare(nodeDigest, search, 1 << 16));
  const result = sealResult(nodeDigest, pending.bytes, pending.digest, search.found!, deviceKey);
  const proofAt = layout.ENTRY_PROOF_AT;
  const depth = ledger.tree.depth;

  return [
    BEGIN,
    '',
    `Three example accounts (secret key of account *i* = SHA-256("micromine example account *i*"), balance`,
    `1000·(i+1), nonce *i*) in a state tree of depth ${depth}, chain id 1. Account ${first} sends 250 to account ${second}`,
    `with fee 1; account ${second} sends with a nonce one too high. Device id \`${hex(deviceId)}\`, device key`,
    'SHA-256("micromine example device key"), result counter 1.',
    '',
    '### Header (93 bytes)',
    '',
    block(header),
    '',
    fieldTable(header, [
      ['version', layout.HEADER_VERSION_AT, 1], ['unit id', layout.HEADER_UNIT_AT, 4], ['chain id', layout.HEADER_CHAIN_AT, 4],
      ['height', layout.HEADER_HEIGHT_AT, 4], ['previous hash', layout.HEADER_PREVIOUS_AT, 32], ['state root', layout.HEADER_STATE_ROOT_AT, 32],
      ['checks', layout.HEADER_CHECKS_AT, 1], ['difficulty', layout.HEADER_DIFFICULTY_AT, 1], ['min fee', layout.HEADER_MIN_FEE_AT, 8],
      ['deadline', layout.HEADER_DEADLINE_AT, 4], ['entry count', layout.HEADER_COUNT_AT, 2],
    ]),
    '',
    `Header hash: \`${hex(headerHash(header))}\``,
    '',
    `### Entry 0 (${entry.length} bytes: transaction 153 + proof ${entry.length - 153})`,
    '',
    block(entry),
    '',
    fieldTable(entry, [
      ['tx.version', layout.TX_VERSION_AT, 1], ['tx.chain id', layout.TX_CHAIN_AT, 4], ['tx.sender', layout.TX_SENDER_AT, 32],
      ['tx.recipient', layout.TX_RECIPIENT_AT, 32], ['tx.amount', layout.TX_AMOUNT_AT, 8], ['tx.fee', layout.TX_FEE_AT, 8],
      ['tx.nonce', layout.TX_NONCE_AT, 4], ['tx.signature', layout.TX_SIGNATURE_AT, 64],
      ['proof.leaf.public key', proofAt + layout.LEAF_KEY_AT, 32], ['proof.leaf.balance', proofAt + layout.LEAF_BALANCE_AT, 8],
      ['proof.leaf.nonce', proofAt + layout.LEAF_NONCE_AT, 4], ['proof.index', proofAt + layout.PROOF_INDEX_AT, 4],
      ['proof.depth', proofAt + layout.PROOF_DEPTH_AT, 1],
      ...Array.from({ length: depth }, (_, level): [string, number, number] => [`proof.sibling ${level}`, proofAt + layout.PROOF_SIBLINGS_AT + 32 * level, 32]),
    ]),
    '',
    `Transaction id: \`${hex(txId(tx))}\``,
    '',
    `Verdicts: entry 0 \`${reasonOf(verdicts[0].code)}\` (code ${verdicts[0].code}); entry 1 \`${reasonOf(verdicts[1].code)}\` (code ${verdicts[1].code}): ${describeVerdict(verdicts[1], stale)}.`,
    '',
    `### Result (112 bytes, share nonce ${search.found} at difficulty 8)`,
    '',
    block(result),
    '',
    fieldTable(result, [
      ['unit id', layout.RESULT_UNIT_AT, 4], ['counter', layout.RESULT_COUNTER_AT, 4], ['entry count', layout.RESULT_ENTRIES_AT, 2],
      ['accepted count', layout.RESULT_ACCEPTED_AT, 2], ['accepted root', layout.RESULT_ACCEPTED_ROOT_AT, 32],
      ['verdict chain', layout.RESULT_CHAIN_AT, 32], ['share nonce', layout.RESULT_NONCE_AT, 4], ['MAC', layout.RESULT_MAC_AT, 32],
    ]),
    '',
    `Result digest: \`${hex(pending.digest)}\``,
    '',
    `Share hash SHA-256(digest ‖ nonce): \`${hex(sha256(Uint8Array.of(...pending.digest, ...result.subarray(layout.RESULT_NONCE_AT, layout.RESULT_MAC_AT))))}\``,
    '',
    END,
  ].join('\n');
}

/** Replaces the generated section of `markdown`. */
export function withExamples(markdown: string): string {
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (begin < 0 || end < begin) throw new Error('docs/protocol.md has no generated example markers');
  return markdown.slice(0, begin) + protocolExamples() + markdown.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    const path = new URL('../../docs/protocol.md', import.meta.url);
    writeFileSync(path, withExamples(readFileSync(path, 'utf8')));
  } else {
    process.stdout.write(protocolExamples() + '\n');
  }
}
