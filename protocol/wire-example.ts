/**
 * A complete `mm/1` exchange built from the real parts: a work unit made with the reference
 * encoders, the node's {@link DeviceSession} over an in-memory host, and a device that speaks
 * through firmware/core/wire and validates with the core's streaming validator. The tests drive
 * it in-process and over loopback TCP; run this file (`npx tsx protocol/wire-example.ts`, with
 * `--write docs/protocol-wire.md` to update it) for the transcript and message sizes that
 * docs/protocol-wire.md shows.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { readU32 } from '../firmware/core/bytes.ts';
import { DECODE_TIER } from '../firmware/core/errors.ts';
import { bytesToHex, hexToBytes } from '../firmware/core/hex.ts';
import { ENTRY_MAX_SIZE, HEADER_UNIT_AT, MAX_DIFFICULTY, MAX_ENTRIES, RESULT_SIZE } from '../firmware/core/layout.ts';
import { REASONS } from '../firmware/core/reasons.ts';
import { sealResult } from '../firmware/core/result.ts';
import { searchShare, startShareSearch } from '../firmware/core/share.ts';
import { checkEntry, finishUnit, openUnit, type UnitValidator } from '../firmware/core/validator.ts';
import {
  MESSAGE_ACK, MESSAGE_AUTHORIZED, MESSAGE_CHALLENGE, MESSAGE_ENTRY, MESSAGE_NOTIFY, MESSAGE_REFUSED,
  createClient, parseNodeLine, type NodeMessage, type WireClient,
} from '../firmware/core/wire/client.ts';
import {
  authRequest, helloRequest, pingRequest, pullRequest, refuseRequest, submitRequest, type HelloFields,
} from './device-requests.ts';
import { nodeDigest } from './digest.ts';
import { StateTree } from './state.ts';
import { publicKeyOf, signTx } from './tx.ts';
import { HASH_TIER_CHECKS, encodeEntry, encodeHeader } from './unit.ts';
import {
  authProof, authResult, encodeDifficulty, encodeError, encodeNotify, encodePullAnswer, encodeResult, encodeSubmitAnswer, helloResult,
} from './wire.ts';
import { DeviceSession, type DeviceRecord, type SessionEvent, type SessionHost, type StoreOutcome, type Submission } from './wire-session.ts';

/** A deterministic 32-byte secret derived from a label, so examples are the same on every run. */
export function exampleSecret(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`micromine example ${label}`).digest());
}

/** A work unit: its header and entries. */
export interface ExampleUnit {
  header: Uint8Array;
  entries: Uint8Array[];
}

/**
 * A hash-tier unit of `size` transfers over a state tree of `depth` levels. Every third
 * transaction carries a wrong nonce, so the unit has rejections as well as acceptances.
 */
export function exampleUnit(unitId: number, size: number, depth: number, difficulty: number): ExampleUnit {
  const senders = Array.from({ length: size }, (_, i) => exampleSecret(`sender ${i}`))
    .map((secret) => ({ secret, publicKey: publicKeyOf(secret) }))
    .sort((a, b) => Buffer.compare(a.publicKey, b.publicKey));
  const tree = new StateTree(depth, senders.map((s) => ({ publicKey: s.publicKey, balance: 1_000_000n, nonce: 0 })));
  const recipient = publicKeyOf(exampleSecret('recipient'));
  const entries = senders.map((sender, i) => {
    const tx = signTx({ chainId: 1, sender: sender.publicKey, recipient, amount: 1000n, fee: 10n, nonce: i % 3 === 2 ? 7 : 0 }, sender.secret);
    return encodeEntry(tx, tree.proof(i));
  });
  const header = encodeHeader({
    unitId, chainId: 1, height: 42, previousHash: exampleSecret('previous block'), stateRoot: tree.root,
    checks: HASH_TIER_CHECKS, difficulty, minFee: 5n, deadline: 60_000, entryCount: size,
  });
  return { header, entries };
}

/** A device's identity and memory across connections. */
export interface ExampleIdentity extends HelloFields {
  key: Uint8Array;
}

/** The example device: what it keeps across connections. */
export function exampleIdentity(): ExampleIdentity {
  return { deviceId: '5eed0fd00d1e0042', key: exampleSecret('device key'), firmware: '0.1.0', profile: 'espruino-esp32', tier: 'hash', counter: 0 };
}

/**
 * A device that answers node lines with its next request, one at a time: it pulls an entry
 * only after judging the previous one, so flow control is the protocol's request/answer rhythm.
 * Across a reconnect it keeps its unit and repeats its last request for it.
 */
export class ExampleDevice {
  client: WireClient = createClient();
  /** every message the node sent, for the tests to inspect */
  readonly received: NodeMessage[] = [];
  private validator: UnitValidator | null = null;
  private queued: Uint8Array | null = null;
  /** the unit being worked on, and how to ask again for what its last request asked */
  private working: { unitId: number; repeat: () => string } | null = null;

  constructor(readonly identity: ExampleIdentity) {}

  /** The first line of a connection; a new connection starts a new client. */
  hello(): string {
    this.client = createClient();
    return helloRequest(this.client, this.identity);
  }

  /** Sends a request about the current unit, remembering it in case the connection drops. */
  private ask(unitId: number, repeat: () => string): string {
    this.working = { unitId, repeat };
    return repeat();
  }

  /** After auth: resume the unit the node kept open, or let it go when this device lost it. */
  private resume(unit: number | null): string | null {
    const working = this.working;
    if (working !== null && working.unitId === unit) return working.repeat();
    this.working = null;
    this.validator = null;
    return unit === null ? this.startQueued() : refuseRequest(this.client, unit, 'stale');
  }

  /** Handles one node line; returns the device's next request, or null when it has none. */
  receive(line: string): string | null {
    const message = parseNodeLine(this.client, line);
    this.received.push(message);
    switch (message.kind) {
      case MESSAGE_CHALLENGE:
        return authRequest(this.client, authProof(nodeDigest, this.identity.key, message.challenge, hexToBytes(this.identity.deviceId)!));
      case MESSAGE_AUTHORIZED:
        // The node's counter wins when it is ahead: the device's own memory was rolled back.
        this.identity.counter = Math.max(this.identity.counter, message.counter);
        return this.resume(message.unit);
      case MESSAGE_NOTIFY:
        this.queued = hexToBytes(message.header);
        return this.client.awaiting === null ? this.startQueued() : null;
      case MESSAGE_ENTRY:
        return message.entry === null ? this.finish() : this.judge(hexToBytes(message.entry)!);
      case MESSAGE_ACK:
      case MESSAGE_REFUSED:
        this.working = null;
        return this.startQueued();
      default:
        return null;
    }
  }

  private startQueued(): string | null {
    const header = this.queued;
    if (header === null || this.client.awaiting !== null) return null;
    this.queued = null;
    const opened = openUnit(header, { digest: nodeDigest, verify: null });
    const unitId = readU32(header, HEADER_UNIT_AT);
    if (!opened.ok) return refuseRequest(this.client, unitId, opened.error.code === DECODE_TIER ? 'tier-mismatch' : 'malformed');
    this.validator = opened.value;
    return this.ask(unitId, () => pullRequest(this.client, unitId, 0, null));
  }

  private judge(entry: Uint8Array): string {
    const validator = this.validator!;
    const code = checkEntry(validator, entry).code;
    const index = validator.index;
    return this.ask(validator.header.unitId, () => pullRequest(this.client, validator.header.unitId, index, code));
  }

  private finish(): string {
    const validator = this.validator!;
    this.validator = null;
    this.identity.counter += 1;
    const pending = finishUnit(validator, hexToBytes(this.identity.deviceId)!, this.identity.counter);
    const search = startShareSearch(pending.digest, pending.difficulty);
    while (!searchShare(nodeDigest, search, 4096));
    if (search.found === undefined) throw new Error('no share in 2^32 nonces: finish under the next counter');
    const result = sealResult(nodeDigest, pending.bytes, pending.digest, search.found, this.identity.key);
    return this.ask(validator.header.unitId, () => submitRequest(this.client, validator.header.unitId, result));
  }
}

/**
 * A node host kept in memory: a registry of one device, a queue of units and a result store
 * that applies the counter rule atomically. The trusted node implements the same interface on
 * its real storage.
 */
export class MemoryHost implements SessionHost {
  readonly sent: string[] = [];
  readonly events: SessionEvent[] = [];
  readonly stored: Submission[] = [];
  closedWith: string | null = null;
  clock = 1_000;
  private nextRandom = 0;

  constructor(readonly devices: Map<string, DeviceRecord>, readonly units: ExampleUnit[]) {}

  findDevice(deviceId: string): DeviceRecord | null {
    return this.devices.get(deviceId) ?? null;
  }
  /** The first unit neither stored nor refused. */
  nextUnit(): Uint8Array | null {
    const done = (unit: ExampleUnit) => {
      const unitId = readU32(unit.header, HEADER_UNIT_AT);
      return this.stored.some((s) => s.unitId === unitId) || this.events.some((e) => e.type === 'unit-dropped' && e.why === 'refused' && e.unitId === unitId);
    };
    return this.units.find((unit) => !done(unit))?.header ?? null;
  }
  entry(unitId: number, index: number): Uint8Array {
    const unit = this.units.find((u) => readU32(u.header, HEADER_UNIT_AT) === unitId);
    if (unit === undefined || index >= unit.entries.length) throw new RangeError(`no entry ${index} in unit ${unitId}`);
    return unit.entries[index];
  }
  storeResult(submission: Submission): StoreOutcome {
    const device = this.devices.get(submission.deviceId)!;
    if (this.wasStored(submission.deviceId, submission.result)) return { stored: false, why: 'duplicate' };
    if (submission.counter <= device.lastCounter) return { stored: false, why: 'replayed' };
    device.lastCounter = submission.counter;
    if (device.openUnit?.unitId === submission.unitId) device.openUnit = null;
    this.stored.push({ ...submission, result: submission.result.slice(), verdicts: submission.verdicts.slice() });
    return { stored: true, accepted: true, credited: null };
  }
  wasStored(deviceId: string, result: Uint8Array): boolean {
    return this.stored.some((s) => s.deviceId === deviceId && bytesToHex(s.result) === bytesToHex(result));
  }
  send(line: string): void {
    this.sent.push(line);
  }
  close(reason: string): void {
    this.closedWith = reason;
  }
  now(): number {
    return this.clock;
  }
  /** Counting bytes, not random ones: the example must print the same on every run. */
  randomBytes(length: number): Uint8Array {
    return exampleSecret(`challenge ${this.nextRandom++}`).slice(0, length);
  }
  /** Keeps a unit left open by a dropped connection for the device's next one, forgets dropped ones. */
  report(event: SessionEvent): void {
    this.events.push(event);
    const device = 'deviceId' in event ? this.devices.get(event.deviceId) : undefined;
    if (device === undefined) return;
    if (event.type === 'unit-suspended') device.openUnit = event.unit;
    if (event.type === 'unit-dropped' && device.openUnit?.unitId === event.unitId) device.openUnit = null;
  }
}

/** A registry holding `identity` as provisioned. */
export function registryOf(identity: ExampleIdentity): Map<string, DeviceRecord> {
  return new Map([[identity.deviceId, { key: identity.key, tier: identity.tier, profile: identity.profile, lastCounter: 0, openUnit: null }]]);
}

/** One line of a transcript. */
export interface TranscriptLine {
  from: 'device' | 'node';
  line: string;
}

/** Runs a device and a session in-process until both are quiet; returns every line in order. */
export async function runExample(units: ExampleUnit[]): Promise<{ transcript: TranscriptLine[]; host: MemoryHost; device: ExampleDevice }> {
  const device = new ExampleDevice(exampleIdentity());
  const host = new MemoryHost(registryOf(device.identity), units);
  const session = new DeviceSession(host);
  const transcript: TranscriptLine[] = [];
  let outgoing: string | null = device.hello();
  while (outgoing !== null) {
    transcript.push({ from: 'device', line: outgoing });
    const before = host.sent.length;
    await session.feed(outgoing);
    outgoing = null;
    for (const line of host.sent.slice(before)) {
      transcript.push({ from: 'node', line });
      outgoing = device.receive(line.slice(0, -1)) ?? outgoing;
    }
  }
  return { transcript, host, device };
}

/** Markers around the generated part of docs/protocol-wire.md. */
export const DOC_START = '<!-- generated by protocol/wire-example.ts: do not edit by hand -->';
export const DOC_END = '<!-- end of generated part -->';

/** One row of the size table: the bytes of a message in the example and at its largest. */
function sizeRow(what: string, example: string | undefined, largest: string): string {
  return `| ${what} | ${example === undefined ? '-' : example.length} | ${largest.length} |`;
}

/**
 * The generated part of docs/protocol-wire.md: the example session line by line, and the size
 * of every message (with its newline) in the example and at its largest.
 */
export async function exampleMarkdown(): Promise<string> {
  const { transcript } = await runExample([exampleUnit(7, 3, 4, 8)]);
  const find = (needle: string) => transcript.find((t) => t.line.includes(needle))?.line;
  const most = createClient();
  const max = 0xffffffff;
  const longest = (line: () => string) => {
    most.awaiting = null;
    most.lastId = max - 1;
    return line();
  };
  const name = 'x'.repeat(32);
  const hello = longest(() => helloRequest(most, { deviceId: 'f'.repeat(16), firmware: name, profile: name, tier: 'hash', counter: max }));
  const rows = [
    sizeRow('`mm.hello` request', find('"mm.hello"'), hello),
    sizeRow('`mm.hello` result (challenge)', find('"challenge"'), encodeResult(max, helloResult(new Uint8Array(32)))),
    sizeRow('`mm.auth` request', find('"mm.auth"'), longest(() => authRequest(most, new Uint8Array(32)))),
    sizeRow('`mm.auth` result', find('"counter"'), encodeResult(max, authResult(max, max))),
    sizeRow('`mm.notify`', find('"mm.notify"'), encodeNotify(exampleUnit(max, 1, 4, MAX_DIFFICULTY).header)),
    sizeRow('`mm.pull` request', find('"mm.pull"'), longest(() => pullRequest(most, max, MAX_ENTRIES, REASONS.length - 1))),
    sizeRow('`mm.pull` result, an entry', find('"entry":"'), encodePullAnswer(max, new Uint8Array(ENTRY_MAX_SIZE))),
    sizeRow('`mm.pull` result, no more entries', find('"entry":null'), encodePullAnswer(max, null)),
    sizeRow('`mm.submit` request', find('"mm.submit"'), longest(() => submitRequest(most, max, new Uint8Array(RESULT_SIZE)))),
    sizeRow('`mm.submit` result (ack)', find('"accepted"'), encodeSubmitAnswer(max, true, (1n << 64n) - 1n)),
    sizeRow('`mm.refuse` request', undefined, longest(() => refuseRequest(most, max, 'unsupported-version'))),
    sizeRow('`mm.refuse` / `mm.ping` result', undefined, encodeResult(max, true)),
    sizeRow('`mm.ping` request', undefined, longest(() => pingRequest(most))),
    sizeRow('`mm.difficulty`', undefined, encodeDifficulty(MAX_DIFFICULTY)),
  ];
  const lines = transcript.map(({ from, line }) => `${from === 'device' ? '>' : '<'} ${line.trimEnd()}`);
  return [
    DOC_START,
    '',
    'The session (`>` device to node, `<` node to device; each line ends with `\\n`):',
    '',
    '```',
    ...lines,
    '```',
    '',
    'Every message, in bytes with its `\\n`: in the session above, and at its largest (ids, unit ids',
    'and counters at 2^32 - 1, names at 32 characters, an entry with a 24-level proof, the largest',
    `u64 credit). An error answer is ${encodeError(max, 'malformed', '').length} bytes plus its message.`,
    '',
    '| message | example | largest |',
    '| --- | ---: | ---: |',
    ...rows,
    '',
    DOC_END,
  ].join('\n');
}

/** `document` with its generated part replaced by `generated`; throws when the markers are missing. */
export function spliceGenerated(document: string, generated: string): string {
  const start = document.indexOf(DOC_START);
  const end = document.indexOf(DOC_END);
  if (start < 0 || end < start) throw new RangeError(`the document lacks the markers ${DOC_START} ... ${DOC_END}`);
  return document.slice(0, start) + generated + document.slice(end + DOC_END.length);
}

// `tsx protocol/wire-example.ts` prints the generated part; `--write FILE` updates it in FILE.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const generated = await exampleMarkdown();
  const at = process.argv.indexOf('--write');
  if (at < 0) console.log(generated);
  else writeFileSync(process.argv[at + 1], spliceGenerated(readFileSync(process.argv[at + 1], 'utf8'), generated));
}
