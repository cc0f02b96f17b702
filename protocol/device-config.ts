/**
 * The device configuration that provisioning writes and the device app reads (docs/decisions.md,
 * "Device configuration"), in the two forms the runtimes store:
 *
 * - Moddable: `Preference` entries in domain `mm` (`node`, `id`, `key` as a 32-byte buffer,
 *   `profile`, `tier`), within Preference's limits: names up to 15 characters, values up to 4000
 *   bytes.
 * - Espruino: the Storage file `mm.cfg`, one JSON object `{"node","id","key","profile","tier"}` with
 *   the key as lowercase hex.
 *
 * Encoders validate before they produce anything and decoders validate what they read, so a bad
 * field is reported by name and never stored. The module has no host dependencies (no Buffer, no
 * TextEncoder) so that the device app can share it.
 * @module
 */
import { bytesToHex, hexToBytes } from '../firmware/core/hex.ts';

/** Device profiles, one per image target (docs/decisions.md, "Targets"). */
export const DEVICE_PROFILES = [
  'moddable-esp32',
  'moddable-esp32s3',
  'moddable-esp32c3',
  'espruino-esp32',
  'espruino-esp32c3',
] as const;
/** One of {@link DEVICE_PROFILES}. */
export type DeviceProfile = (typeof DEVICE_PROFILES)[number];
/** Validation tier: `hash` for Espruino targets, `sig` for Moddable ones. */
export type Tier = 'hash' | 'sig';

/** What a device needs to reach its trusted node and prove who it is. */
export interface DeviceConfig {
  /** The node's device endpoint, `host:port` (hostname or IPv4 address). */
  node: string;
  /** 16 lowercase hex characters. */
  id: string;
  /** 32 bytes shared only by the device and its node. */
  key: Uint8Array;
  profile: DeviceProfile;
  tier: Tier;
}

/** Preference domain of every micromine entry. */
export const PREFERENCE_DOMAIN = 'mm';
/** Longest Preference domain or key name, in characters. */
export const PREFERENCE_NAME_MAX = 15;
/** Largest Preference value on ESP32, in bytes. */
export const PREFERENCE_VALUE_MAX = 4000;
/** The Espruino Storage file that holds the configuration. */
export const ESPRUINO_CONFIG_FILE = 'mm.cfg';

/** One Moddable Preference entry; a `Uint8Array` value is stored as an ArrayBuffer. */
export interface PreferenceEntry {
  domain: string;
  key: string;
  value: string | number | boolean | Uint8Array;
}

/** A Preference entry as JSON: buffers travel as lowercase hex with `type: 'buffer'`. */
export interface PreferenceJson {
  domain: string;
  key: string;
  type: 'string' | 'integer' | 'boolean' | 'buffer';
  value: string | number | boolean;
}

const CONFIG_FIELDS = ['node', 'id', 'key', 'profile', 'tier'] as const;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function label(where: string, field: string): string {
  return (where ? where + ': ' : '') + '"' + field + '"';
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value);
  if (value instanceof Uint8Array) return value.length + ' bytes';
  return value === null ? 'null' : typeof value === 'object' ? 'object' : String(value);
}

function expectString(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(label(where, field) + ' expected string, got ' + (value === null ? 'null' : typeof value));
  return value;
}

/** The tier a profile's runtime validates at: Moddable targets `sig`, Espruino targets `hash`. */
export function tierOfProfile(profile: DeviceProfile): Tier {
  return profile.indexOf('moddable-') === 0 ? 'sig' : 'hash';
}

/**
 * Checks a `host:port` node address; throws RangeError naming the field otherwise.
 * IPv6 literals are refused: neither runtime's socket API on ESP32 is relied on for them here.
 */
export function checkNodeAddress(value: unknown, where = ''): string {
  const text = expectString(where, 'node', value);
  const colon = text.lastIndexOf(':');
  const host = colon > 0 ? text.slice(0, colon) : '';
  const port = colon > 0 ? text.slice(colon + 1) : '';
  const portNumber = /^[0-9]{1,5}$/.test(port) ? Number(port) : 0;
  if (host.length > 253 || !HOSTNAME.test(host) || portNumber < 1 || portNumber > 65535) {
    throw new RangeError(label(where, 'node') + ' expected host:port (hostname or IPv4 address, port 1-65535), got ' + shown(value));
  }
  return text;
}

/**
 * Validates every field of a configuration and returns it typed. Throws TypeError for a wrong type
 * and RangeError for a wrong value, naming the field (prefixed by `where`, e.g. a file name).
 */
export function validateDeviceConfig(value: unknown, where = ''): DeviceConfig {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) {
    throw new TypeError((where ? where + ': ' : '') + 'device configuration expected object, got ' + shown(value));
  }
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if ((CONFIG_FIELDS as readonly string[]).indexOf(name) < 0) throw new RangeError(label(where, name) + ' is not a device configuration field (expected ' + CONFIG_FIELDS.join(', ') + ')');
  }
  const node = checkNodeAddress(record.node, where);
  const id = expectString(where, 'id', record.id);
  if (!/^[0-9a-f]{16}$/.test(id)) throw new RangeError(label(where, 'id') + ' expected 16 lowercase hex characters, got ' + shown(id));
  const key = record.key;
  if (!(key instanceof Uint8Array)) throw new TypeError(label(where, 'key') + ' expected Uint8Array, got ' + shown(key));
  if (key.length !== 32) throw new RangeError(label(where, 'key') + ' expected 32 bytes, got ' + key.length);
  const profile = expectString(where, 'profile', record.profile);
  if ((DEVICE_PROFILES as readonly string[]).indexOf(profile) < 0) {
    throw new RangeError(label(where, 'profile') + ' expected one of ' + DEVICE_PROFILES.join(', ') + ', got ' + shown(profile));
  }
  const tier = expectString(where, 'tier', record.tier);
  const expectedTier = tierOfProfile(profile as DeviceProfile);
  if (tier !== expectedTier) throw new RangeError(label(where, 'tier') + ' expected "' + expectedTier + '" for profile ' + profile + ', got ' + shown(tier));
  return { node: node, id: id, key: key, profile: profile as DeviceProfile, tier: expectedTier };
}

/** UTF-8 length of `text` without TextEncoder (absent on both device runtimes). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) { bytes += 4; i++; }
    else bytes += 3;
  }
  return bytes;
}

function checkPreferenceName(kind: 'domain' | 'key', name: unknown, where: string): string {
  const text = expectString(where, kind, name);
  if (text.length < 1 || text.length > PREFERENCE_NAME_MAX) {
    throw new RangeError(label(where, kind) + ' expected 1 to ' + PREFERENCE_NAME_MAX + ' characters (Preference limit), got ' + shown(text) + ' (' + text.length + ')');
  }
  return text;
}

/**
 * Checks one Preference entry against the ESP32 limits: domain and key names of 1 to 15
 * characters, strings and buffers up to 4000 bytes, integers within int32.
 */
export function checkPreferenceEntry(entry: PreferenceEntry, where = ''): PreferenceEntry {
  const domain = checkPreferenceName('domain', entry.domain, where);
  const key = checkPreferenceName('key', entry.key, where);
  const at = (where ? where + ': ' : '') + domain + '.' + key;
  const value = entry.value;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const size = typeof value === 'string' ? utf8Length(value) : value.length;
    if (size > PREFERENCE_VALUE_MAX) throw new RangeError('"' + at + '" value expected at most ' + PREFERENCE_VALUE_MAX + ' bytes (Preference limit), got ' + size);
  } else if (typeof value === 'number') {
    if (!(value % 1 === 0 && value >= -0x80000000 && value <= 0x7fffffff)) throw new RangeError('"' + at + '" value expected int32, got ' + value);
  } else if (typeof value !== 'boolean') {
    throw new TypeError('"' + at + '" value expected string, int32, boolean or Uint8Array, got ' + shown(value));
  }
  return { domain: domain, key: key, value: value };
}

/** The Moddable form of `config`: Preference entries in domain `mm`, validated. */
export function encodeModdablePreferences(config: DeviceConfig): PreferenceEntry[] {
  const valid = validateDeviceConfig(config);
  const entries: PreferenceEntry[] = [];
  for (const field of CONFIG_FIELDS) entries.push(checkPreferenceEntry({ domain: PREFERENCE_DOMAIN, key: field, value: valid[field] }));
  return entries;
}

/** Reads the configuration back from Preference entries (the inverse of the encoder). */
export function decodeModdablePreferences(entries: PreferenceEntry[], where = ''): DeviceConfig {
  const record: Record<string, unknown> = {};
  for (const entry of entries) {
    const valid = checkPreferenceEntry(entry, where);
    if (valid.domain === PREFERENCE_DOMAIN && (CONFIG_FIELDS as readonly string[]).indexOf(valid.key) >= 0) record[valid.key] = valid.value;
  }
  return validateDeviceConfig(record, where);
}

/** Preference entries as JSON, buffers as hex (what the generated Moddable project embeds). */
export function preferencesToJson(entries: PreferenceEntry[]): PreferenceJson[] {
  return entries.map(function (entry) {
    const valid = checkPreferenceEntry(entry);
    const value = valid.value;
    if (value instanceof Uint8Array) return { domain: valid.domain, key: valid.key, type: 'buffer', value: bytesToHex(value) };
    const type = typeof value === 'string' ? 'string' : typeof value === 'number' ? 'integer' : 'boolean';
    return { domain: valid.domain, key: valid.key, type: type, value: value };
  });
}

/** Parses {@link preferencesToJson} output back into entries, checking every one. */
export function preferencesFromJson(value: unknown, where = ''): PreferenceEntry[] {
  if (!Array.isArray(value)) throw new TypeError((where ? where + ': ' : '') + 'preferences expected array, got ' + shown(value));
  return value.map(function (item: unknown, index: number) {
    const at = (where ? where : 'preferences') + '[' + index + ']';
    if (typeof item !== 'object' || item === null) throw new TypeError(at + ' expected object, got ' + shown(item));
    const json = item as Record<string, unknown>;
    let entryValue: PreferenceEntry['value'];
    if (json.type === 'buffer') {
      const bytes = hexToBytes(expectString(at, 'value', json.value));
      // The value may be a key: report its length, never its text.
      if (bytes === null) throw new RangeError(label(at, 'value') + ' expected lowercase hex, got ' + (json.value as string).length + ' characters that are not');
      entryValue = bytes;
    } else if (json.type === 'string' || json.type === 'integer' || json.type === 'boolean') {
      const expected = json.type === 'integer' ? 'number' : json.type;
      if (typeof json.value !== expected) throw new TypeError(label(at, 'value') + ' expected ' + json.type + ', got ' + typeof json.value);
      entryValue = json.value as string | number | boolean;
    } else {
      throw new RangeError(label(at, 'type') + ' expected string, integer, boolean or buffer, got ' + shown(json.type));
    }
    return checkPreferenceEntry({ domain: json.domain as string, key: json.key as string, value: entryValue }, at);
  });
}

/** The Espruino form of `config`: the text of Storage file `mm.cfg`. */
export function encodeEspruinoConfig(config: DeviceConfig): string {
  const valid = validateDeviceConfig(config);
  return JSON.stringify({ node: valid.node, id: valid.id, key: bytesToHex(valid.key), profile: valid.profile, tier: valid.tier });
}

/** Parses and validates the text of `mm.cfg`; errors name the file and the field. */
export function decodeEspruinoConfig(text: string, where: string = ESPRUINO_CONFIG_FILE): DeviceConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RangeError(where + ': expected one JSON object, got unparsable text (' + (error as Error).message + ')');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError(where + ': expected one JSON object, got ' + shown(parsed));
  const record = parsed as Record<string, unknown>;
  const hex = expectString(where, 'key', record.key);
  const key = hexToBytes(hex);
  if (key === null) throw new RangeError(label(where, 'key') + ' expected 64 lowercase hex characters, got ' + hex.length + ' characters that are not (value not shown)');
  const copy: Record<string, unknown> = {};
  for (const name of Object.keys(record)) copy[name] = record[name];
  copy.key = key;
  return validateDeviceConfig(copy, where);
}
