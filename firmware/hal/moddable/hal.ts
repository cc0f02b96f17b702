/**
 * The hardware layer on Moddable XS: `Timer`, TCP (tcp-ecma419.ts by default, tcp-socket.ts when
 * the build selects it), `Preference` in domain `mm`, `crypt` `Digest` for SHA-256 and SHA-512 in
 * C, `Time.ticks` for the clock and `trace` for the log. Moddable's ESP32 port feeds the task
 * watchdog in its own loop between callbacks, so yielding to that loop is all a yield needs.
 * @module
 */
import { Digest } from 'crypt';
import Preference from 'preference';
import Time from 'time';
import Timer from 'timer';
import type { Hal, Sha512, StoredConfig, TimerHandle } from '../hal.ts';
import { phaseMarker } from '../../app/probe.ts';
import { checkStoreEntry } from '../../app/store-rules.ts';
import { connectTcp } from './tcp-ecma419.ts';

/**
 * The Preference domain of every micromine entry (docs/decisions.md). Preference on ESP32 takes
 * names up to 15 characters and values up to 4000 bytes; the store rules checked before every
 * write (12-character keys, 1024-character values) are within both.
 */
const DOMAIN = 'mm';

/** A one-shot digest over one reused native `Digest`. */
function oneShot(algorithm: 'SHA256' | 'SHA512'): Sha512 {
  const digest = new Digest(algorithm);
  return (data: Uint8Array) => {
    // Hand over a whole ArrayBuffer: a view into a larger buffer is copied, because older
    // crypt versions hash a typed array's whole backing buffer.
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    digest.reset();
    digest.write(whole.buffer as ArrayBuffer);
    return new Uint8Array(digest.close());
  };
}

function preferenceGet(key: string): string | null {
  const value = Preference.get(DOMAIN, key);
  return typeof value === 'string' ? value : null;
}

function preferenceSet(key: string, value: string): void {
  checkStoreEntry(key, value);
  Preference.set(DOMAIN, key, value);
}

function readConfig(): StoredConfig | null {
  const key = Preference.get(DOMAIN, 'key');
  const node = Preference.get(DOMAIN, 'node');
  if (node === undefined) return null;
  return {
    node: node,
    id: Preference.get(DOMAIN, 'id'),
    key: key instanceof ArrayBuffer ? new Uint8Array(key) : key,
    profile: Preference.get(DOMAIN, 'profile'),
    tier: Preference.get(DOMAIN, 'tier'),
  };
}

/** The Hal of a Moddable ESP32 device. */
export function moddableHal(): Hal {
  const sha256 = oneShot('SHA256');
  return {
    now: () => Time.ticks,
    setTimer: (callback: () => void, ms: number): TimerHandle => Timer.set(callback, ms),
    clearTimer: (timer: TimerHandle) => Timer.clear(timer as Timer),
    connect: connectTcp,
    store: {
      get: preferenceGet,
      set: preferenceSet,
      remove: (key: string) => {
        if (Preference.get(DOMAIN, key) !== undefined) Preference.delete(DOMAIN, key);
      },
    },
    digest: { sha256: sha256 },
    sha512: oneShot('SHA512'),
    log: (text: string) => trace(text + '\n'),
    yieldThen: (continuation: () => void) => {
      Timer.set(continuation, 0);
    },
    readConfig: readConfig,
    mark: phaseMarker(),
  };
}
