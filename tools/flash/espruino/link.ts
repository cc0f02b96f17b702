/**
 * A promise-based link to an Espruino board over the `espruino` npm package (EspruinoTools, the
 * Espruino project's own uploader): its serial and `tcp://host[:port]` connections, its prompt
 * handling, its chunked Storage upload code and its file download. The package keeps its state
 * in one global (`Espruino`), so one link is open at a time, and it logs to the console
 * unconditionally, so while a link is open console output is routed to the link's `log` sink
 * (restored on close). Every operation also fails promptly when the connection drops, which the
 * package itself does not report to a pending call.
 * @module
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { ToolError } from '../../provision/errors.ts';

/* The slice of the EspruinoTools global that the link uses. */
interface EspruinoTools {
  Config: Record<string, unknown>;
  Core: {
    Serial: {
      open(port: string, onOpen: (status: unknown) => void, onClose: () => void): void;
      close(): void;
      isConnected(): boolean;
      startListening(listener: (data: ArrayBuffer) => void): ((data: ArrayBuffer) => void) | undefined;
      setSlowWrite(on: boolean, force?: boolean): void;
    };
    Utils: {
      executeExpression(expression: string, callback: (result: string | undefined) => void, options?: Record<string, unknown>): void;
      executeStatement(statement: string, callback: (result: string | undefined) => void, options?: Record<string, unknown>): void;
      uploadFile(name: string, contents: string, callback: (result: string | undefined) => void): void;
      downloadFile(name: string, callback: (contents: string | undefined) => void): void;
    };
  };
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
let tools: Promise<EspruinoTools> | undefined;
let open = false;

/** Routes console output to `sink` until the returned function is called. */
function divertConsole(sink: (line: string) => void): () => void {
  const saved = CONSOLE_METHODS.map((name) => console[name]);
  for (const name of CONSOLE_METHODS) console[name] = (...parts: unknown[]) => sink(parts.map(String).join(' '));
  return () => CONSOLE_METHODS.forEach((name, i) => { console[name] = saved[i]; });
}

/** Loads and initialises EspruinoTools once (quietly), with settings for a CLI on Node. */
export function espruinoTools(): Promise<EspruinoTools> {
  tools ??= new Promise((resolve) => {
    const restore = divertConsole(() => {});
    const espruino = createRequire(import.meta.url)('espruino') as { init(done: () => void): void };
    espruino.init(() => {
      restore();
      const global = (globalThis as unknown as { Espruino: EspruinoTools }).Espruino;
      Object.assign(global.Config, {
        BLUETOOTH_LOW_ENERGY: false, // no radio scanning from a flashing CLI (noble, node-ble over D-Bus)
        BLUETOOTH_LOW_ENERGY_DBUS: false,
        WEB_BLUETOOTH: false,
        ENV_ON_CONNECT: false, // the flasher reads process.env itself, and must not fetch board JSON
        SAVE_ON_SEND: 0,
        RESET_BEFORE_SEND: false,
      });
      resolve(global);
    });
  });
  return tools;
}

/** Options of {@link openEspruinoLink}. */
export interface LinkOptions {
  /** A serial device path, or `tcp://host[:port]` (port 23 by default). */
  readonly port: string;
  /** Serial baud rate (ESP32 Espruino uses 115200). */
  readonly baud?: number;
  /** Receives the package's log lines and everything the board prints. */
  readonly log?: (line: string) => void;
  /** Give up connecting after this many milliseconds (default 10,000). */
  readonly connectTimeoutMs?: number;
}

/** An open console connection to an Espruino board. */
export interface EspruinoLink {
  readonly port: string;
  /** Evaluates `expression` on the board; resolves to its JSON text, or undefined if no answer came. */
  evaluate(expression: string): Promise<string | undefined>;
  /** Runs statements; resolves to what they printed (undefined if no answer came). */
  statement(code: string): Promise<string | undefined>;
  /** Writes Storage file `name` with EspruinoTools' chunked upload; resolves to what it printed. */
  upload(name: string, contents: string): Promise<string | undefined>;
  /** Downloads a Storage file as a byte string. */
  download(name: string): Promise<string | undefined>;
  /** Everything the board printed so far. */
  transcript(): string;
  /** Uses the package's fast writes (what it does itself for USB and Telnet consoles). */
  fastWrites(): void;
  close(): Promise<void>;
}

function checkTcpReachable(host: string, port: number, timeoutMs: number, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (reason: string) => {
      socket.destroy();
      reject(new ToolError('port_unreachable', `cannot connect to ${where} (${reason})`, { where, hint: 'check the board is on the network and its console is on telnet (Espruino on ESP32 serves it on port 23)' }));
    };
    socket.setTimeout(timeoutMs, () => fail('timed out'));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    socket.once('connect', () => { socket.end(); socket.destroy(); resolve(); });
  });
}

/** Parses `tcp://host[:port]`; null when `port` is not a TCP address. */
export function parseTcpPort(port: string): { host: string; port: number } | null {
  const match = /^tcp:\/\/([^:/]+)(?::(\d{1,5}))?\/?$/.exec(port);
  if (match === null) return null;
  return { host: match[1], port: match[2] === undefined ? 23 : Number(match[2]) };
}

/** Opens a link; fails with `port_unreachable` before EspruinoTools is involved when it can tell. */
export async function openEspruinoLink(options: LinkOptions): Promise<EspruinoLink> {
  if (open) throw new Error('an Espruino link is already open (EspruinoTools supports one at a time)');
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const tcp = parseTcpPort(options.port);
  if (options.port.startsWith('tcp://') && tcp === null) throw new ToolError('usage', `--port expected tcp://host[:port], got ${JSON.stringify(options.port)}`, { where: '--port' });
  if (tcp !== null) await checkTcpReachable(tcp.host, tcp.port, timeoutMs, options.port);
  else if (!existsSync(options.port)) {
    throw new ToolError('port_unreachable', `no serial port ${options.port}`, { where: options.port, hint: 'plug the board in; on Linux it is /dev/ttyUSB0 or /dev/ttyACM0 (CP210x/CH340 USB-serial drivers), on macOS /dev/cu.usbserial-*' });
  }
  const espruino = await espruinoTools();
  const log = options.log ?? (() => {});
  let received = '';
  let lost = false;
  let onLost: (() => void) | undefined;
  open = true;
  const restoreConsole = divertConsole(log);
  espruino.Config.BAUD_RATE = options.baud ?? 115200;
  espruino.Config.SERIAL_TCPIP = tcp !== null ? [options.port] : [];
  espruino.Core.Serial.startListening((data) => {
    const text = Buffer.from(data).toString('latin1');
    received += text;
    log(`board: ${JSON.stringify(text)}`);
  });
  const finish = () => { open = false; restoreConsole(); };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ToolError('port_unreachable', `no connection to ${options.port} after ${timeoutMs} ms`, { where: options.port })), timeoutMs);
      espruino.Core.Serial.open(options.port, (status) => {
        clearTimeout(timer);
        if (status === undefined) reject(new ToolError('port_unreachable', `cannot open ${options.port}`, { where: options.port, hint: 'is another program (a terminal, the Web IDE) holding the port?' }));
        else resolve();
      }, () => {
        lost = true;
        onLost?.();
      });
    });
  } catch (error) {
    finish();
    throw error;
  }

  /* Runs one EspruinoTools call, failing at once if the connection drops meanwhile. */
  function call<T>(what: string, start: (done: (value: T) => void) => void): Promise<T> {
    if (lost) return Promise.reject(connectionLost(what));
    return new Promise<T>((resolve, reject) => {
      onLost = () => reject(connectionLost(what));
      start((value) => { onLost = undefined; resolve(value); });
    });
  }
  function connectionLost(what: string): ToolError {
    return new ToolError('upload_failed', `the connection to ${options.port} closed during ${what}`, { where: options.port, hint: 'the board keeps its previous program; run the same command again once the link is back' });
  }

  return {
    port: options.port,
    evaluate: (expression) => call('an evaluation', (done) => espruino.Core.Utils.executeExpression(expression, done)),
    statement: (code) => call('a command', (done) => espruino.Core.Utils.executeStatement(code, done)),
    upload: (name, contents) => call(`the upload of ${name}`, (done) => espruino.Core.Utils.uploadFile(name, contents, done)),
    download: (name) => call(`the read-back of ${name}`, (done) => espruino.Core.Utils.downloadFile(name, done)),
    transcript: () => received,
    fastWrites: () => espruino.Core.Serial.setSlowWrite(false),
    close: () => new Promise<void>((resolve) => {
      if (lost || !espruino.Core.Serial.isConnected()) {
        finish();
        return resolve();
      }
      const timer = setTimeout(() => { finish(); resolve(); }, 2000);
      onLost = () => { clearTimeout(timer); finish(); resolve(); };
      espruino.Core.Serial.close();
    }),
  };
}
