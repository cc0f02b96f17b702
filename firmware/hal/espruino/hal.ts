/**
 * The hardware layer on Espruino: `setTimeout`, `require("net")`, `require("Storage")` (keys as
 * files `mm.<key>`, the configuration in `mm.cfg`), `require("crypto").SHA256` in C, and
 * `E.kickWatchdog` when yielding. Types come from espruino.d.ts next to this file.
 * @module
 */
import type { Connection, ConnectionEvents, Hal, StoredConfig, TimerHandle } from '../hal.ts';
import { phaseMarker } from '../../app/probe.ts';
import { checkStoreEntry } from '../../app/store-rules.ts';

/** The Storage file provisioning writes (docs/decisions.md). */
const CONFIG_FILE = 'mm.cfg';

function connect(host: string, port: number, events: ConnectionEvents): Connection {
  let ended = false;
  const end = (reason: string) => {
    if (ended) return;
    ended = true;
    events.onClose(reason);
  };
  const socket = require('net').connect({ host: host, port: port }, () => {
    if (!ended) events.onConnect();
  });
  socket.on('data', (data: string) => {
    if (!ended) events.onData(data);
  });
  socket.on('error', (error: { code?: number; message?: string }) => end('socket error ' + (error && (error.message || error.code))));
  socket.on('close', () => end('closed'));
  return {
    write: (text: string) => socket.write(text),
    close: () => {
      ended = true;
      socket.end();
    },
  };
}

/** The Hal of an Espruino ESP32 board. */
export function espruinoHal(): Hal {
  const storage = require('Storage');
  const crypto = require('crypto');
  return {
    now: () => getTime() * 1000,
    // Espruino's own functions, not wrappers: they ignore `this`.
    setTimer: setTimeout,
    clearTimer: clearTimeout as (timer: TimerHandle) => void,
    connect: connect,
    store: {
      get: (key: string) => {
        const value = storage.read('mm.' + key);
        return value === undefined ? null : value;
      },
      set: (key: string, value: string) => {
        checkStoreEntry(key, value);
        if (!storage.write('mm.' + key, value)) throw new Error('Storage refused to write mm.' + key);
      },
      remove: (key: string) => storage.erase('mm.' + key),
    },
    digest: { sha256: (data: Uint8Array) => new Uint8Array(crypto.SHA256(data)) },
    log: console.log,
    yieldThen: (continuation: () => void) => {
      if (typeof E.kickWatchdog === 'function') E.kickWatchdog();
      setTimeout(continuation, 0);
    },
    readConfig: () => storage.readJSON(CONFIG_FILE, true) as StoredConfig | undefined,
    mark: phaseMarker(),
  };
}
