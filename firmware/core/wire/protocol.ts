/**
 * Names and limits of the device<->trusted-node wire protocol `mm/1`, shared by the device
 * (firmware/core/wire) and the node (protocol/wire.ts) so the two sides cannot drift.
 * The protocol itself is specified in docs/protocol-wire.md.
 * @module
 */

/** Protocol version a device announces in `mm.hello`; a node refuses any other. */
export const PROTOCOL_VERSION = 'mm/1';

/**
 * Longest line either side accepts, in bytes, not counting the `\n`. The largest legal line
 * is the answer to `mm.pull` carrying an entry with a 24-level proof (970 bytes, 1940 hex
 * characters, about 2 KB with its JSON); 4096 keeps twice that while bounding what a peer can
 * make the other side buffer.
 */
export const MAX_LINE = 4096;

/** Methods a device sends (requests). */
export type DeviceMethod = 'mm.hello' | 'mm.auth' | 'mm.pull' | 'mm.submit' | 'mm.refuse' | 'mm.ping';

/** Methods a node sends (notifications, `"id":null`). */
export type NodeMethod = 'mm.notify' | 'mm.difficulty';

/** Every device method, in the order a session uses them; a method's index here is its {@link MethodId}. */
export const DEVICE_METHODS: readonly DeviceMethod[] = ['mm.hello', 'mm.auth', 'mm.pull', 'mm.submit', 'mm.refuse', 'mm.ping'];

// The device speaks of its requests by number, so an image carries each method's name once (in
// DEVICE_METHODS, for the line it writes).
export const METHOD_HELLO = 0;
export const METHOD_AUTH = 1;
export const METHOD_PULL = 2;
export const METHOD_SUBMIT = 3;
export const METHOD_REFUSE = 4;
export const METHOD_PING = 5;

/** A device method by number: its index in {@link DEVICE_METHODS}. */
export type MethodId =
  | typeof METHOD_HELLO | typeof METHOD_AUTH | typeof METHOD_PULL | typeof METHOD_SUBMIT | typeof METHOD_REFUSE | typeof METHOD_PING;

/** Capability tier a device declares (docs/decisions.md). */
export type Tier = 'hash' | 'sig';

/**
 * Why a request failed. Stratum v1 codes 20-25 keep their meaning; 30 and up are ours.
 * The name is what TypeScript speaks, the number (see {@link WIRE_ERROR_CODES}) what travels.
 */
export type WireError =
  | 'other'
  | 'stale'
  | 'duplicate'
  | 'low-difficulty'
  | 'unauthorized'
  | 'not-subscribed'
  | 'malformed'
  | 'line-too-long'
  | 'unknown-method'
  | 'out-of-order'
  | 'bad-mac'
  | 'replayed'
  | 'expired'
  | 'tier-mismatch'
  | 'unsupported-version'
  | 'rate-limited';

/**
 * The numbers of the wire errors, for code that must not carry their names (an image decides by
 * number; WIRE_ERROR_CODES names them once for everything else).
 */
export const ERROR_OTHER = 20;
export const ERROR_STALE = 21;
export const ERROR_DUPLICATE = 22;
export const ERROR_LOW_DIFFICULTY = 23;
export const ERROR_UNAUTHORIZED = 24;
export const ERROR_NOT_SUBSCRIBED = 25;
export const ERROR_MALFORMED = 30;
export const ERROR_LINE_TOO_LONG = 31;
export const ERROR_UNKNOWN_METHOD = 32;
export const ERROR_OUT_OF_ORDER = 33;
export const ERROR_BAD_MAC = 34;
export const ERROR_REPLAYED = 35;
export const ERROR_EXPIRED = 36;
export const ERROR_TIER_MISMATCH = 37;
export const ERROR_UNSUPPORTED_VERSION = 38;
export const ERROR_RATE_LIMITED = 39;

/** Numeric code of every wire error. */
export const WIRE_ERROR_CODES: { readonly [name in WireError]: number } = {
  'other': ERROR_OTHER,
  'stale': ERROR_STALE,
  'duplicate': ERROR_DUPLICATE,
  'low-difficulty': ERROR_LOW_DIFFICULTY,
  'unauthorized': ERROR_UNAUTHORIZED,
  'not-subscribed': ERROR_NOT_SUBSCRIBED,
  'malformed': ERROR_MALFORMED,
  'line-too-long': ERROR_LINE_TOO_LONG,
  'unknown-method': ERROR_UNKNOWN_METHOD,
  'out-of-order': ERROR_OUT_OF_ORDER,
  'bad-mac': ERROR_BAD_MAC,
  'replayed': ERROR_REPLAYED,
  'expired': ERROR_EXPIRED,
  'tier-mismatch': ERROR_TIER_MISMATCH,
  'unsupported-version': ERROR_UNSUPPORTED_VERSION,
  'rate-limited': ERROR_RATE_LIMITED,
};

/** Size of the authentication challenge and of the proof answering it, in bytes. */
export const CHALLENGE_SIZE = 32;
export const AUTH_PROOF_SIZE = 32;

/** Longest firmware version string a device may announce. */
export const MAX_FIRMWARE_LENGTH = 32;
/** Longest profile (target) name a device may announce. */
export const MAX_PROFILE_LENGTH = 32;

// Why the device's parser refused a node line, one that no node may send. The device carries the
// number; protocol/messages.ts words each.

/** not JSON */
export const LINE_NOT_JSON = 1;
/** neither an answer `{"id","result","error"}` nor a notification `{"id":null,"method","params"}` */
export const LINE_SHAPE = 2;
/** a node request with an id: the node only sends notifications */
export const LINE_NOT_NOTIFICATION = 3;
/** a notification mm/1 does not define */
export const LINE_UNKNOWN_NOTIFICATION = 4;
/** a notification whose params do not have its shape */
export const LINE_PARAMS = 5;
/** an `mm.notify` whose unit id or difficulty differs from its header */
export const LINE_NOTIFY_MISMATCH = 6;
/** an answer to a request that is not awaiting one */
export const LINE_UNSOLICITED = 7;
/** an answer that carries both a result and an error */
export const LINE_RESULT_AND_ERROR = 8;
/** an `"error"` that is not `[code, message, null]` */
export const LINE_ERROR_SHAPE = 9;
/** a result that does not have the shape of the awaited method's answer */
export const LINE_RESULT_SHAPE = 10;
/** an entry where the unit's header count says there is none, or none where it says there is one */
export const LINE_ENTRY_COUNT = 11;
/** an entry whose hex length cannot be an entry's (found by the app, which decodes it in slices) */
export const LINE_ENTRY_LENGTH = 12;
/** an entry that is not lowercase hex (found by the app while it decodes) */
export const LINE_ENTRY_HEX = 13;

// Functions come after every constant: esbuild inlines only the constants declared before them.

/** The number of a device method: the inverse of `DEVICE_METHODS[id]`, for host code that speaks of methods by name. */
export function methodId(name: DeviceMethod): MethodId {
  return DEVICE_METHODS.indexOf(name) as MethodId;
}

/** The wire error a numeric code stands for, or undefined for a code mm/1 does not define. */
export function wireErrorOf(code: number): WireError | undefined {
  for (const name in WIRE_ERROR_CODES) {
    if (WIRE_ERROR_CODES[name as WireError] === code) return name as WireError;
  }
  return undefined;
}

/**
 * True when `text` is 1..`max` characters, each a letter, digit or one of `-._+`. Firmware
 * versions and profile names are held to this so that nothing a device announces can carry
 * control characters or non-ASCII into the node's logs. Written as a loop: Espruino's regular
 * expressions lack counted repetition.
 */
export function isPlainName(text: string, max: number): boolean {
  if (text.length < 1 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 43;
    if (!plain) return false;
  }
  return true;
}

/** True when `value` is an integer in [0, 2^32). */
export function isU32(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 0xffffffff && value % 1 === 0;
}
