/**
 * What the node gives a device session (protocol/wire-session.ts) and hears back from it: the
 * registry facts, units and storage behind {@link SessionHost}, and the events a session reports.
 * The contract here is all the storage logic the wire layer knows of.
 * @module
 */
import type { Tier, WireError } from './wire.ts';

type Awaitable<T> = T | Promise<T>;

/** What the registry knows of a device. */
export interface DeviceRecord {
  /** the 32-byte device key */
  key: Uint8Array;
  tier: Tier;
  profile: string;
  /** counter of the last result stored durably for this device (0 before the first) */
  lastCounter: number;
  /**
   * The unit the device's previous connection left open (from a `unit-suspended` event), kept
   * by the host until its deadline: the device resumes or submits it on this connection.
   */
  openUnit: UnitProgress | null;
}

/** A unit assigned to a device and how far its streaming got. The session advances it. */
export interface UnitProgress {
  readonly unitId: number;
  readonly header: Uint8Array;
  readonly headerHash: Uint8Array;
  readonly entryCount: number;
  readonly difficulty: number;
  /** host clock (`now()`) after which the unit is expired: deadline plus grace from assignment */
  readonly expiresAt: number;
  /** pulls answered so far: entry count + 1 once the last verdict is in */
  pulled: number;
  /** the verdict code reported for each entry so far */
  readonly verdicts: Uint8Array;
}

/** A result that passed every session check, handed to the host to make durable. */
export interface Submission {
  deviceId: string;
  unitId: number;
  counter: number;
  /** the unit's header bytes, as assigned */
  header: Uint8Array;
  /** the 112-byte result with its MAC, as received */
  result: Uint8Array;
  /** the verdict code the device reported for each entry, in entry order */
  verdicts: Uint8Array;
}

/**
 * What storing a submission came to. The host decides atomically: `stored` only when the
 * counter is above the last one stored for the device (it then becomes the last); `duplicate`
 * when these very bytes are already stored; `replayed` otherwise.
 */
export type StoreOutcome =
  | { stored: true; accepted: boolean; credited: bigint | null }
  | { stored: false; why: 'duplicate' | 'replayed' };

/**
 * Why a unit stopped being the device's current unit without a stored result (`unassigned`: the
 * host built it for a session that had meanwhile got another unit or closed).
 */
export type DropReason = 'refused' | 'replaced' | 'expired' | 'unassigned';

/** What a session reports for logs and metrics. */
export type SessionEvent =
  | { type: 'error'; error: WireError; message: string }
  | { type: 'authenticated'; deviceId: string }
  | { type: 'stored'; deviceId: string; unitId: number; counter: number }
  /** a request moved the unit forward (the next entry pulled, the result stored): the host gives its line back to its own limits */
  | { type: 'advanced' }
  | { type: 'unit-dropped'; deviceId: string; unitId: number; why: DropReason; refusal?: WireError }
  /** the connection ended with this unit open: keep it for the device's next connection until `expiresAt` */
  | { type: 'unit-suspended'; deviceId: string; unit: UnitProgress }
  | { type: 'closed'; reason: string };

/** Everything a session needs from the node. Callbacks may return a value or a promise. */
export interface SessionHost {
  /** The device's record, or null when it is unknown or suspended. */
  findDevice(deviceId: string): Awaitable<DeviceRecord | null>;
  /** The header of the next unit for this device, or null when there is none yet (then call `assign` later). */
  nextUnit(deviceId: string): Awaitable<Uint8Array | null>;
  /** Entry `index` of unit `unitId`. */
  entry(unitId: number, index: number): Awaitable<Uint8Array>;
  /** Makes a submission durable; the ack is sent only after this settles. */
  storeResult(submission: Submission): Awaitable<StoreOutcome>;
  /** True when exactly these result bytes are stored for the device (a resent result whose ack was lost). */
  wasStored(deviceId: string, result: Uint8Array): Awaitable<boolean>;
  /** Writes one line (it ends with `\n`) to the device. */
  send(line: string): void;
  /** Closes the connection after what was sent. */
  close(reason: string): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** `length` bytes from a cryptographic source. */
  randomBytes(length: number): Uint8Array;
  report?(event: SessionEvent): void;
}

/** Tunables of a session. Unknown names are rejected. */
export interface SessionOptions {
  /** Protocol violations tolerated before the connection is closed (default 3). */
  maxStrikes?: number;
  /** Added to a unit's deadline before the node calls it expired, for the network (default 2000 ms). */
  deadlineGraceMs?: number;
  /**
   * Sustained requests per second (default 20) and burst (default 40) before `rate-limited`. A
   * request that moves the unit forward (the next pull, a stored result) gives its token back.
   */
  requestsPerSecond?: number;
  burst?: number;
}

const DEFAULTS: Required<SessionOptions> = { maxStrikes: 3, deadlineGraceMs: 2000, requestsPerSecond: 20, burst: 40 };

/** The default of every session option. */
export const SESSION_DEFAULTS: Required<SessionOptions> = { maxStrikes: 3, deadlineGraceMs: 2000, requestsPerSecond: 20, burst: 40 };
