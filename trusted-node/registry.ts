/**
 * The device registry: validation of a new device as an operator submits it (admin HTTP
 * endpoint or admin command), and the public view of a device (never its key).
 * Contract (docs/decisions.md): `{"id","key","profile","tier","owner"}`, `key` 64 hex chars.
 * @module
 */
import { DEVICE_PROFILES, tierOfProfile, type DeviceProfile } from '../protocol/device-config.ts';
import { parseHex, toHex } from './bytes.ts';
import { badField } from './errors.ts';
import type { DeviceRecord, LedgerStore, NewDevice, Tier } from './store/types.ts';

const FIELDS = ['id', 'key', 'profile', 'tier', 'owner'] as const;

/** A device as served by `/devices` and the admin endpoint: the stored record without its key, with an ISO time. */
export type PublicDevice = Omit<DeviceRecord, 'key' | 'createdAt'> & { readonly createdAt: string };

/**
 * Validates a registration body. `tier` may be omitted (it then follows the profile: Moddable
 * `sig`, Espruino `hash`); `sig` on an Espruino profile is refused because that runtime cannot
 * verify Ed25519. `owner` is the account (Ed25519 public key, 64 hex) rewards are paid to.
 * Throws a `bad_field` NodeError naming the first wrong field.
 */
export function parseNewDevice(body: unknown, now: number): NewDevice {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badField('body', 'expected a JSON object with id, key, profile, tier, owner');
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).find((name) => !(FIELDS as readonly string[]).includes(name));
  if (unknown !== undefined) throw badField(unknown, `is not a device field (expected ${FIELDS.join(', ')})`);
  const id = input.id;
  if (typeof id !== 'string' || !/^[0-9a-f]{16}$/.test(id)) throw badField('id', 'expected 16 lowercase hex characters');
  const key = parseHex('key', input.key, 32);
  if (!(DEVICE_PROFILES as readonly unknown[]).includes(input.profile)) throw badField('profile', `expected one of ${DEVICE_PROFILES.join(', ')}`);
  const profile = input.profile as DeviceProfile;
  const tier = input.tier ?? tierOfProfile(profile);
  if (tier !== 'hash' && tier !== 'sig') throw badField('tier', 'expected "hash" or "sig"');
  if (tier === 'sig' && tierOfProfile(profile) === 'hash') throw badField('tier', `sig needs Ed25519 checks, which profile ${profile} cannot run`, 'use tier "hash"');
  const owner = toHex(parseHex('owner', input.owner, 32));
  return { id, key, profile, tier, owner, createdAt: now };
}

/** Validates and stores a device; rejects with `bad_field` or `conflict` (id taken). */
export async function registerDevice(store: LedgerStore, body: unknown, now: number): Promise<DeviceRecord> {
  return store.addDevice(parseNewDevice(body, now));
}

/** The public view of a device record. */
export function publicDevice(device: DeviceRecord): PublicDevice {
  return {
    id: device.id,
    profile: device.profile,
    tier: device.tier,
    owner: device.owner,
    reputation: device.reputation,
    suspended: device.suspended,
    lastCounter: device.lastCounter,
    results: device.results,
    shares: device.shares,
    createdAt: new Date(device.createdAt).toISOString(),
  };
}
