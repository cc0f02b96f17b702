/**
 * A node that serves each device one unit of a chosen size, for measurements the real node's
 * sizing does not allow (its units follow the budgets: a handful of entries). It speaks mm/1
 * through the node's own session machine (protocol/wire-session.ts) over loopback TCP, and its
 * units are made with the reference encoders: transfers with 16-level state proofs, every third
 * with a wrong nonce, signature checks for sig-tier devices. Results are kept in memory.
 * @module
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { StateTree } from '../protocol/state.ts';
import { publicKeyOf, signTx } from '../protocol/tx.ts';
import { HASH_TIER_CHECKS, SIG_TIER_CHECKS, encodeEntry, encodeHeader } from '../protocol/unit.ts';
import { DeviceSession, type DeviceRecord, type SessionHost, type Submission } from '../protocol/wire-session.ts';
import type { NodeView, Registration, SimNode } from './node.ts';

/** State proofs as deep as a ledger of 65,536 accounts: the same entry size whatever the unit size. */
const DEPTH = 16;

function secret(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`micromine sim unit ${label}`).digest());
}

/** A unit of `size` transfers; `signatures` asks for Ed25519 checks. */
function makeUnit(unitId: number, size: number, signatures: boolean, difficulty: number): { header: Uint8Array; entries: Uint8Array[] } {
  const senders = Array.from({ length: size }, (_, i) => secret(`sender ${i}`))
    .map((key) => ({ key, publicKey: publicKeyOf(key) }))
    .sort((a, b) => Buffer.compare(a.publicKey, b.publicKey));
  const tree = new StateTree(DEPTH, senders.map((s) => ({ publicKey: s.publicKey, balance: 1_000_000n, nonce: 0 })));
  const recipient = publicKeyOf(secret('recipient'));
  const entries = senders.map((sender, i) =>
    encodeEntry(signTx({ chainId: 1, sender: sender.publicKey, recipient, amount: 1000n, fee: 10n, nonce: i % 3 === 2 ? 7 : 0 }, sender.key), tree.proof(i)));
  const header = encodeHeader({
    unitId, chainId: 1, height: 1, previousHash: secret('previous'), stateRoot: tree.root,
    checks: signatures ? SIG_TIER_CHECKS : HASH_TIER_CHECKS, difficulty, minFee: 5n, deadline: 0xffffffff, entryCount: size,
  });
  return { header, entries };
}

/** Starts the server on a free loopback port: every device gets one unit of `entries` entries. */
export async function startUnitServer(entries: number, options: { clock: () => number; difficulty?: number }): Promise<SimNode> {
  const units = new Map<boolean, { header: Uint8Array; entries: Uint8Array[] }>();
  const unitOf = (signatures: boolean) => {
    let unit = units.get(signatures);
    if (unit === undefined) units.set(signatures, (unit = makeUnit(signatures ? 2 : 1, entries, signatures, options.difficulty ?? 4)));
    return unit;
  };
  const registry = new Map<string, DeviceRecord>();
  const served = new Set<string>();
  const stored: Submission[] = [];
  let challenges = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const host: SessionHost = {
      findDevice: (id) => registry.get(id) ?? null,
      nextUnit: (id) => {
        if (served.has(id)) return null;
        served.add(id);
        return unitOf(registry.get(id)?.tier === 'sig').header;
      },
      entry: (unitId, index) => {
        const unit = unitOf(unitId === 2);
        if (index >= unit.entries.length) throw new RangeError(`no entry ${index} in unit ${unitId}`);
        return unit.entries[index]!;
      },
      storeResult: (submission) => {
        const device = registry.get(submission.deviceId)!;
        if (submission.counter <= device.lastCounter) return { stored: false, why: 'replayed' };
        device.lastCounter = submission.counter;
        stored.push(submission);
        return { stored: true, accepted: true, credited: null };
      },
      wasStored: (id, result) => stored.some((s) => s.deviceId === id && Buffer.compare(s.result, result) === 0),
      send: (line) => void socket.write(line, 'latin1'),
      close: () => void socket.end(),
      now: () => Math.floor(options.clock()),
      randomBytes: (length) => secret(`challenge ${challenges++}`).slice(0, length),
      report: (event) => {
        const device = 'deviceId' in event ? registry.get(event.deviceId) : undefined;
        if (device && event.type === 'unit-suspended') device.openUnit = event.unit;
      },
    };
    const session = new DeviceSession(host);
    let fed: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => void (fed = fed.then(() => session.feed(chunk.toString('latin1')))));
    socket.on('close', () => session.end('closed'));
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    host: '127.0.0.1',
    port,
    async register(device: Registration) {
      registry.set(device.id, { key: device.key, tier: device.tier, profile: device.profile, lastCounter: 0, openUnit: null });
    },
    async tick() {},
    async idle() {
      await new Promise((resolve) => setImmediate(resolve));
    },
    async restart() {},
    async view(): Promise<NodeView> {
      return { blocks: 0, transactionsCommitted: 0, accepted: 0, rejected: 0, resultsStored: stored.length, restarts: 0 };
    },
    async hasResult(deviceId, counter) {
      return stored.some((s) => s.deviceId === deviceId && s.counter === counter);
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
