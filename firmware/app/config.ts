/**
 * The device configuration as the app uses it, checked field by field from what provisioning
 * stored (docs/decisions.md). Provisioning validated it already (protocol/device-config.ts); the
 * device checks again because flash can be corrupted or written by hand, and a device that
 * started on a bad key would only ever be refused. Its one regular expression is a character class
 * with `+`, which Espruino runs (it mishandles counted repetition, look-arounds and `(?:)`: the lint
 * refuses those).
 * @module
 */
import { hexToBytes } from '../core/hex.ts';
import type { StoredConfig } from '../hal/hal.ts';
import type { Tier } from '../core/wire/protocol.ts';

/** A checked configuration; the profile and tier it names are the image's own. */
export interface DeviceConfig {
  host: string;
  port: number;
  /** 16 lowercase hex characters */
  id: string;
  /** the id as its 8 bytes */
  idBytes: Uint8Array;
  /** 32 bytes shared with the node */
  key: Uint8Array;
}

/**
 * 1-253 letters, digits, dots and inner hyphens: a hostname or IPv4 address (provisioning checked
 * the full grammar; this catches what flash corruption or a hand edit makes of it).
 */
function isHost(host: string): boolean {
  return host.length <= 253 && /^[a-zA-Z0-9.-]+$/.test(host) && host.charAt(0) !== '-' && host.charAt(host.length - 1) !== '-';
}

/** The problem of a wrong field: `config "<field>"`. */
function wrong(field: string): string {
  return 'config "' + field + '"';
}

/**
 * Checks a stored configuration for an image built for `profile` and `tier`. The key may be
 * bytes (Moddable Preference) or lowercase hex (Espruino `mm.cfg`). Returns the configuration, or
 * what is wrong with it: `no config`, or `config "<field>"` naming the field (docs/firmware.md says
 * what each must hold; provisioning explains in words).
 */
export function checkConfig(stored: StoredConfig | null | undefined, profile: string, tier: Tier): DeviceConfig | string {
  // A damaged `mm.cfg` may hold any JSON: what is not an object is no configuration.
  if (typeof stored !== 'object' || stored === null) return 'no config';
  const node = typeof stored.node === 'string' ? stored.node : '';
  const colon = node.lastIndexOf(':');
  const host = node.substring(0, colon);
  const portText = node.substring(colon + 1);
  // A decimal port 1-65535 without sign or leading zero.
  const port = parseInt(portText, 10);
  if (colon < 1 || !isHost(host) || !(port >= 1 && port <= 65535 && String(port) === portText)) return wrong('node');
  const id = stored.id;
  const idBytes = typeof id === 'string' && id.length === 16 ? hexToBytes(id) : null;
  if (typeof id !== 'string' || idBytes === null) return wrong('id');
  const key = typeof stored.key === 'string' ? hexToBytes(stored.key) : stored.key;
  if (!(key instanceof Uint8Array) || key.length !== 32) return wrong('key');
  // The image serves one profile and tier: a configuration for another means the wrong image.
  if (stored.profile !== profile) return wrong('profile');
  if (stored.tier !== tier) return wrong('tier');
  return { host: host, port: port, id: id, idBytes: idBytes, key: key };
}
