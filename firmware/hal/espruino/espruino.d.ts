// The Espruino APIs the adapter uses, declared from Espruino's reference (espruino.com/Reference):
// only what this folder calls, so using anything else fails the type check.

/** A TCP socket from `require("net").connect`. */
interface EspruinoSocket {
  on(event: 'data', listener: (data: string) => void): void;
  on(event: 'close', listener: (hadError: boolean) => void): void;
  on(event: 'error', listener: (error: { code?: number; message?: string }) => void): void;
  write(data: string): boolean;
  end(): void;
}

interface EspruinoNet {
  connect(options: { host: string; port: number }, onConnect: () => void): EspruinoSocket;
}

/** The flash file store: names up to 28 characters, values read back as strings. */
interface EspruinoStorage {
  read(name: string): string | undefined;
  readJSON(name: string, noExceptions: boolean): unknown;
  write(name: string, data: string): boolean;
  erase(name: string): void;
}

/** SHA-256 in C on the ESP32 build; returns the 32-byte digest. */
interface EspruinoCrypto {
  SHA256(data: Uint8Array | string): ArrayBuffer;
}

declare function require(module: 'net'): EspruinoNet;
declare function require(module: 'Storage'): EspruinoStorage;
declare function require(module: 'crypto'): EspruinoCrypto;

declare function setTimeout(callback: () => void, ms: number): number;
declare function clearTimeout(id: number): void;
/** Seconds since boot (or since setTime), with sub-millisecond resolution. */
declare function getTime(): number;

declare const E: {
  /** Present on builds with a hardware watchdog; harmless when none is enabled. */
  kickWatchdog?: () => void;
};

declare const console: { log(text: string): void };
