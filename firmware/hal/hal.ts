/**
 * The hardware layer: everything the device app needs from its runtime, and nothing more. Types
 * only; each runtime has an adapter (`moddable/`, `espruino/`) that builds a {@link Hal} from its
 * own modules, and the tests and the simulator build theirs. The app (firmware/app) never touches
 * a runtime API directly, so the same app code runs on Moddable XS, on Espruino and in Node.
 * @module
 */
import type { Digest } from '../core/digest.ts';

/** An opaque handle from {@link Hal.setTimer}. */
export type TimerHandle = unknown;

/** What a connection reports. onClose ends it, once; nothing follows the end. */
export interface ConnectionEvents {
  /** The connection is open: writing is allowed from now on. */
  onConnect(): void;
  /** Bytes from the peer, as a string of one character per byte (an adapter converts a byte buffer). */
  onData(chunk: string): void;
  /**
   * The connection ended: the peer or the network closed it (`closed`), or it failed or broke;
   * `reason` says how, for the log and the status' problem.
   */
  onClose(reason: string): void;
}

/** An open (or opening) TCP connection to the trusted node. */
export interface Connection {
  /** Sends ASCII text (one wire line or more). */
  write(text: string): void;
  /** Closes the connection; after this no event is reported. */
  close(): void;
}

/**
 * Small persistent key/value storage that survives a power cut. Keys are 1-12 characters of
 * `[a-z0-9]` (the adapters add a prefix and must stay within Moddable Preference's 15-character
 * names); values are strings of at most 1024 characters. Strings only: Espruino's Storage keeps
 * no type beside the bytes, and everything the app keeps (a counter, results in hex) is text.
 * A `set` that returns has reached the flash; a power cut during it may lose that key's old
 * value, never another key's.
 */
export interface Store {
  /** The value under `key`, or null when there is none. */
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** One-shot SHA-512, for the Ed25519 verifier of sig-tier devices. */
export type Sha512 = (data: Uint8Array) => Uint8Array;

/**
 * Where the device's work stands, for the simulator's per-phase accounting. `checks` covers the
 * format, proof and rule checks of an entry (the core runs them in one call); `signature` is the
 * Ed25519 verification inside it; `io` is wire encoding, socket writes and storage.
 */
export type Phase = 'decode' | 'checks' | 'signature' | 'share' | 'mac' | 'io';

/**
 * The device configuration as stored by provisioning (docs/decisions.md), not yet validated:
 * the app checks every field. `key` is a Uint8Array on Moddable (a Preference buffer) and a hex
 * string on Espruino (`mm.cfg`).
 */
export interface StoredConfig {
  node: unknown;
  id: unknown;
  key: unknown;
  profile: unknown;
  tier: unknown;
}

/** The runtime services the device app uses. */
export interface Hal {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Runs `callback` once, `ms` milliseconds from now. */
  setTimer(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer that has not fired yet (the app never passes one that has). */
  clearTimer(timer: TimerHandle): void;
  /**
   * Opens a TCP connection; events arrive later, never from inside this call. Throws when the
   * connection cannot even be attempted (the device then retries after its backoff).
   */
  connect(host: string, port: number, events: ConnectionEvents): Connection;
  store: Store;
  /** The runtime's SHA-256 (native where there is one). */
  digest: Digest;
  /** The runtime's SHA-512 on sig-tier devices; absent (or null) on hash-tier ones. */
  sha512?: Sha512 | null;
  log(text: string): void;
  /**
   * Runs `continuation` after the appliance's own work had its turn: returns at once, kicks
   * the watchdog where the runtime has one, and schedules `continuation` on a zero-delay timer.
   */
  yieldThen(continuation: () => void): void;
  /**
   * The device configuration provisioning stored, as read, unchecked: null or undefined when there
   * is none, anything else (a damaged `mm.cfg` may hold any JSON) for the app to check.
   */
  readConfig(): StoredConfig | null | undefined;
  /** Marks the start of a phase of work; a no-op on a board (see docs/firmware.md). */
  mark(phase: Phase): void;
}
