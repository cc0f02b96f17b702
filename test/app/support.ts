// What the app tests share: a hal over Node (real TCP, node:crypto digests, timers, and an
// in-memory Map as the device's flash, which a test keeps across a simulated power cut) and a
// small trusted node on loopback built from protocol/ (the node's own session state machine over
// an in-memory registry and result store).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Connection, ConnectionEvents, Hal, Phase, StoredConfig } from '../../firmware/hal/hal.ts';
import { DEFAULT_TIMING, type Timing } from '../../firmware/app/device.ts';
import { readU32 } from '../../firmware/core/bytes.ts';
import { bytesToHex } from '../../firmware/core/hex.ts';
import { HEADER_UNIT_AT } from '../../firmware/core/layout.ts';
import { MemoryHost, exampleIdentity, registryOf, type ExampleIdentity, type ExampleUnit } from '../../protocol/wire-example.ts';
import { DeviceSession, type DeviceRecord, type SessionOptions } from '../../protocol/wire-session.ts';

/** Timing for tests: short waits, so a reconnection takes milliseconds. */
export const FAST: Timing = { ...DEFAULT_TIMING, backoffBaseMs: 10, backoffMaxMs: 40, retryMs: 20 };

/** The device's flash: survives a power cut (the test keeps the Map), unlike everything else. */
export type Flash = Map<string, string>;

/** A hal over Node; `marks` records the phases, `log` the device's log lines. */
export interface NodeHal extends Hal {
  marks: Phase[];
  lines: string[];
  /** called after every store write, e.g. to cut the power right after one */
  afterWrite?: (key: string) => void;
}

export function nodeHal(flash: Flash, config: StoredConfig | null, withSha512 = false): NodeHal {
  const hal: NodeHal = {
    marks: [],
    lines: [],
    now: () => performance.now(),
    setTimer: (callback, ms) => setTimeout(callback, ms),
    clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
    connect: (host, port, events) => connectNode(host, port, events),
    store: {
      get: (key) => flash.get(key) ?? null,
      set: (key, value) => {
        flash.set(key, value);
        hal.afterWrite?.(key);
      },
      remove: (key) => {
        flash.delete(key);
      },
    },
    digest: { sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()) },
    sha512: withSha512 ? (data) => new Uint8Array(createHash('sha512').update(data).digest()) : null,
    log: (text) => {
      hal.lines.push(text);
    },
    yieldThen: (continuation) => {
      setImmediate(continuation);
    },
    readConfig: () => config,
    mark: (phase) => {
      hal.marks.push(phase);
    },
  };
  return hal;
}

function connectNode(host: string, port: number, events: ConnectionEvents): Connection {
  const socket = connect(port, host);
  socket.setEncoding('latin1');
  let ended = false;
  const end = (error: string | null) => {
    if (ended) return;
    ended = true;
    events.onClose(error ?? 'closed');
  };
  socket.on('connect', () => !ended && events.onConnect());
  socket.on('data', (chunk: string) => !ended && events.onData(chunk));
  socket.on('error', (error) => end(error.message));
  socket.on('close', () => end(null));
  return {
    write: (text) => {
      socket.write(text, 'latin1');
    },
    close: () => {
      ended = true;
      socket.destroy();
    },
  };
}

/** The configuration provisioning would store for `identity` and a node on `port`. */
export function configFor(identity: ExampleIdentity, port: number): StoredConfig {
  return { node: `127.0.0.1:${port}`, id: identity.deviceId, key: bytesToHex(identity.key), profile: identity.profile, tier: identity.tier };
}

/** A session host speaking through a real socket, on the real clock. */
class SocketHost extends MemoryHost {
  constructor(private readonly socket: Socket, devices: Map<string, DeviceRecord>, units: ExampleUnit[], private readonly node: TestNode) {
    super(devices, units);
  }
  override now(): number {
    return performance.now();
  }
  /** The first unit without a stored result: a refused or expired unit is offered again, as a scheduler would reassign it. */
  override nextUnit(): Uint8Array | null {
    const stored = (unitId: number) => this.node.hosts.some((host) => host.stored.some((s) => s.unitId === unitId));
    return this.units.find((unit) => !stored(readU32(unit.header, HEADER_UNIT_AT)))?.header ?? null;
  }
  /** Stored on any connection of the node. */
  override wasStored(deviceId: string, result: Uint8Array): boolean {
    return this.node.hosts.some((host) => host.stored.some((s) => s.deviceId === deviceId && bytesToHex(s.result) === bytesToHex(result)));
  }
  override send(line: string): void {
    super.send(line);
    if (this.node.cut?.(line) === true) {
      this.socket.destroy();
      return;
    }
    this.socket.write(this.node.rewrite?.(line) ?? line, 'latin1');
    if (this.node.endAfter?.(line) === true) this.socket.end();
  }
  override close(reason: string): void {
    super.close(reason);
    this.socket.end();
  }
}

/** A trusted node on 127.0.0.1: every connection is a DeviceSession over shared devices and units. */
export interface TestNode {
  server: Server;
  port: number;
  hosts: SocketHost[];
  devices: Map<string, DeviceRecord>;
  /** when it returns true for a line the node is about to send, the connection is cut instead */
  cut?: (line: string) => boolean;
  /** what goes on the wire instead of a line the node sends (a fault in transit) */
  rewrite?: (line: string) => string;
  /** when it returns true for a line just sent, the node closes the connection after it */
  endAfter?: (line: string) => boolean;
  /** results stored, across connections */
  stored(): { unitId: number; counter: number; verdicts: number[] }[];
  /** writes `line` as it is on the newest connection, outside the session (a line the session would not send then) */
  inject(line: string): void;
  close(): Promise<void>;
}

export async function startNode(units: ExampleUnit[], identity: ExampleIdentity = exampleIdentity(), options: SessionOptions = {}): Promise<TestNode> {
  const devices = registryOf(identity);
  const sockets = new Set<Socket>();
  const node: TestNode = {
    server: createServer((socket) => {
      sockets.add(socket);
      const host = new SocketHost(socket, devices, units, node);
      node.hosts.push(host);
      const session = new DeviceSession(host, options);
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => void session.feed(chunk));
      socket.on('close', () => {
        sockets.delete(socket);
        session.end('socket closed');
      });
      socket.on('error', () => socket.destroy());
    }),
    port: 0,
    hosts: [],
    devices,
    stored: () => node.hosts.flatMap((host) => host.stored).map((s) => ({ unitId: s.unitId, counter: s.counter, verdicts: [...s.verdicts] })),
    inject: (line) => {
      [...sockets].pop()?.write(line, 'latin1');
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      node.server.close();
      await once(node.server, 'close');
    },
  };
  node.server.listen(0, '127.0.0.1');
  await once(node.server, 'listening');
  const address = node.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  node.port = address.port;
  return node;
}

/** Waits until `condition` holds; fails naming `what` if it does not within 20 s (a hang guard, not a timing assertion). */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const limit = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > limit) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
