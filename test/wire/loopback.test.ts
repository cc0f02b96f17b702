import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGE_ERROR, MESSAGE_INVALID } from '../../firmware/core/wire/client.ts';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { DeviceSession, type DeviceRecord } from '../../protocol/wire-session.ts';
import { ExampleDevice, MemoryHost, exampleIdentity, exampleUnit, registryOf, type ExampleUnit } from '../../protocol/wire-example.ts';
import { MAX_LINE, WIRE_ERROR_CODES } from '../../protocol/wire.ts';
import { createFramer, feedFramer } from '../../firmware/core/wire/framer.ts';

/** The in-memory host, speaking through a real socket. */
class SocketHost extends MemoryHost {
  constructor(private readonly socket: Socket, devices: Map<string, DeviceRecord>, units: ExampleUnit[]) {
    super(devices, units);
  }
  override send(line: string): void {
    super.send(line);
    this.socket.write(line, 'latin1');
  }
  override close(reason: string): void {
    super.close(reason);
    this.socket.end();
  }
}

/** A node on 127.0.0.1 whose every connection is one DeviceSession over shared devices and units. */
async function startNode(devices: Map<string, DeviceRecord>, units: ExampleUnit[]): Promise<{ server: Server; port: number; hosts: SocketHost[] }> {
  const hosts: SocketHost[] = [];
  const server = createServer((socket) => {
    const host = new SocketHost(socket, devices, units);
    hosts.push(host);
    const session = new DeviceSession(host);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => void session.feed(chunk));
    socket.on('close', () => session.end('socket closed'));
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { server, port: address.port, hosts };
}

/**
 * Runs `device` over TCP until the node has stored `units` results, or, with `dropAfter`, cuts
 * the connection right after the device's reply to the node's `dropAfter`-th line (which may
 * then be lost). Returns the bytes each way.
 */
async function runDevice(port: number, device: ExampleDevice, units: number, hosts: SocketHost[], dropAfter?: number): Promise<{ sent: number; received: number }> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  await once(socket, 'connect');
  const framer = createFramer(MAX_LINE);
  const totals = { sent: 0, received: 0 };
  const write = (line: string | null) => {
    if (line === null) return;
    totals.sent += line.length;
    socket.write(line, 'latin1');
  };
  let lines = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: string) => {
      totals.received += chunk.length;
      for (const event of feedFramer(framer, chunk)) {
        if (event === null) return reject(new Error('node sent an oversized line'));
        write(device.receive(event));
        if (++lines === dropAfter) {
          socket.destroy();
          return resolve();
        }
      }
      const stored = hosts.reduce((n, host) => n + host.stored.length, 0);
      if (stored === units && device.client.awaiting === null) resolve();
    });
    socket.on('error', reject);
  });
  const closed = once(socket, 'close');
  write(device.hello());
  await done;
  socket.end();
  await closed;
  return totals;
}

test('a device on firmware/core/wire and a node on protocol/wire complete two units over loopback TCP', async () => {
  const identity = exampleIdentity();
  const units = [exampleUnit(21, 4, 20, 6), exampleUnit(22, 3, 20, 6)];
  const { server, port, hosts } = await startNode(registryOf(identity), units);
  try {
    const device = new ExampleDevice(identity);
    const totals = await runDevice(port, device, 2, hosts);
    const stored = hosts[0].stored;
    assert.equal(stored.map((s) => [s.unitId, s.counter, [...s.verdicts]]), [[21, 1, [0, 0, 5, 0]], [22, 2, [0, 0, 5]]]);
    assert.equal(device.received.filter((m) => m.kind === MESSAGE_ERROR || m.kind === MESSAGE_INVALID), []);
    // Every byte the node wrote reached the device, and every byte the device wrote was answered.
    assert.is(totals.received, hosts[0].sent.join('').length);
    assert.ok(totals.sent > 0 && totals.received > 4 * 1700, `${totals.sent} sent, ${totals.received} received`);
  } finally {
    server.close();
  }
});

test('a device whose connection drops mid-unit reconnects and finishes the same unit', async () => {
  const identity = exampleIdentity();
  const devices = registryOf(identity);
  const { server, port, hosts } = await startNode(devices, [exampleUnit(41, 5, 12, 4), exampleUnit(42, 1, 12, 4)]);
  try {
    const device = new ExampleDevice(identity);
    // Node lines: challenge, auth, notify, then entries 0, 1, 2: the pull of entry 3 is cut off.
    await runDevice(port, device, 2, hosts, 6);
    // The node must have seen the drop (and kept the unit) before the device comes back.
    while (!hosts[0].events.some((e) => e.type === 'closed')) await new Promise((resolve) => setTimeout(resolve, 5));
    await runDevice(port, device, 2, hosts);
    const stored = hosts.flatMap((host) => host.stored);
    assert.equal(stored.map((s) => [s.unitId, s.counter, [...s.verdicts]]), [[41, 1, [0, 0, 5, 0, 0]], [42, 2, [0]]]);
    assert.ok(hosts[1].sent[1].includes('"unit":41'), hosts[1].sent[1]);
    assert.equal(device.received.filter((m) => m.kind === MESSAGE_ERROR || m.kind === MESSAGE_INVALID), []);
  } finally {
    server.close();
  }
});

test('over TCP a flooding peer is cut off while a well-behaved device is served', async () => {
  const identity = exampleIdentity();
  const { server, port, hosts } = await startNode(registryOf(identity), [exampleUnit(31, 2, 8, 4)]);
  try {
    const rogue = connect(port, '127.0.0.1');
    rogue.setEncoding('latin1');
    await once(rogue, 'connect');
    let answers = '';
    rogue.on('data', (chunk: string) => (answers += chunk));
    const closed = once(rogue, 'close');
    // A megabyte without a newline, then two garbage lines: three strikes.
    rogue.write('x'.repeat(1 << 20));
    rogue.write('\nnot json\n{"id":1,"method":"mm.steal","params":[]}\n');
    const device = new ExampleDevice(identity);
    await runDevice(port, device, 1, hosts);
    await closed;
    const codes = answers.trim().split('\n').map((line) => JSON.parse(line).error[0]);
    assert.equal(codes, [WIRE_ERROR_CODES['line-too-long'], WIRE_ERROR_CODES.malformed, WIRE_ERROR_CODES['unknown-method']]);
    assert.is(hosts[0].closedWith, '3 protocol violations');
    assert.is(hosts.reduce((n, host) => n + host.stored.length, 0), 1);
  } finally {
    server.close();
  }
});

test.run();
