/**
 * Serves a stand-in console over loopback TCP, the way ESP32 Espruino serves its console over
 * telnet on port 23, with fault injection: the connection can be cut once a given number of
 * bytes has arrived (mid-line, so that line never runs, as on a board whose link dropped).
 * Everything received is recorded, which is how dry runs show the exact bytes sent.
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { StandinConsole } from './console.ts';

/** Options of {@link serveStandin}. */
export interface StandinServerOptions {
  /** The console for each new connection; return the same one to keep its line state across reconnects, as a board does. */
  console: () => StandinConsole;
  /** Cut the connection once this many bytes have arrived in total, dropping the rest. */
  cutAfterBytes?: number;
  /** Port to listen on (default: any free one), always on 127.0.0.1. */
  port?: number;
}

/** A running stand-in server. */
export interface StandinServer {
  /** `tcp://127.0.0.1:<port>`, the form `micromine flash --port` takes. */
  readonly url: string;
  readonly port: number;
  /** Every byte received (as a byte string), in order. */
  received(): string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a stand-in server; see the module comment. */
export async function serveStandin(options: StandinServerOptions): Promise<StandinServer> {
  let received = '';
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const console = options.console();
    console.output = (text) => { if (!socket.destroyed) socket.write(Buffer.from(text, 'latin1')); };
    socket.on('data', (chunk: Buffer) => {
      let data = chunk.toString('latin1');
      const cut = options.cutAfterBytes;
      if (cut !== undefined && received.length + data.length >= cut) {
        data = data.slice(0, Math.max(0, cut - received.length));
        received += data;
        // Complete lines before the cut run; the partial one waits for an Enter that never comes.
        console.input(data);
        socket.destroy();
        return;
      }
      received += data;
      console.input(data);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `tcp://127.0.0.1:${port}`,
    port,
    received: () => received,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
