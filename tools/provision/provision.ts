/**
 * `provisionDevice`: draw a device identity, register it with a trusted node and write the
 * device directory, in the order that never leaves half a device behind: everything is encoded
 * and validated first, the files are staged, the node is asked, and only its 201 moves the
 * staged directory into place (any refusal removes it).
 * @module
 */
import { join } from 'node:path';
import { DEVICE_PROFILES, tierOfProfile, validateDeviceConfig, type DeviceConfig, type DeviceProfile } from '../../protocol/device-config.ts';
import { ToolError } from './errors.ts';
import { createIdentity, systemRandom, type RandomSource } from './identity.ts';
import { checkNodeHttp, registerDevice } from './register.ts';
import { DEFAULT_DEVICES_ROOT, stageDeviceDirectory, type DeviceRecord } from './device-dir.ts';

/** The node's device TCP port (docs/decisions.md). */
export const DEFAULT_DEVICE_PORT = 7070;

/** Inputs of {@link provisionDevice}. */
export interface ProvisionOptions {
  /** The device's profile, one of the targets (e.g. `espruino-esp32`). */
  readonly target: string;
  /** Base URL of the node's HTTP port, e.g. `http://127.0.0.1:7071`. */
  readonly nodeHttp: string;
  readonly adminToken: string;
  /** The account credited for the device's work: its Ed25519 public key, 64 lowercase hex. */
  readonly owner: string;
  /** Address the device connects to, `host:port`; default: the node-http host on port 7070. */
  readonly node?: string;
  /** The device directory to create; default `.data/devices/<id>`. */
  readonly out?: string;
  /** Random source for the identity (tests only); default `crypto.randomBytes`. */
  readonly random?: RandomSource;
  /** Registration timeout in milliseconds (default 10,000). */
  readonly timeoutMs?: number;
}

/** What {@link provisionDevice} produced. */
export interface ProvisionResult {
  readonly record: DeviceRecord;
  /** The device directory written. */
  readonly dir: string;
  /** Files in it. */
  readonly files: readonly string[];
  /** The node's record of the device (it never contains the key). */
  readonly registered: Record<string, unknown>;
}

/** Checks a target name against the device profiles. */
export function checkTarget(target: string): DeviceProfile {
  if (!(DEVICE_PROFILES as readonly string[]).includes(target)) {
    throw new ToolError('unknown_target', `unknown target ${JSON.stringify(target)}`, { where: '--target', hint: `targets: ${DEVICE_PROFILES.join(', ')}` });
  }
  return target as DeviceProfile;
}

/** The device address derived from the node's HTTP URL: same host, port 7070. */
export function defaultNodeAddress(nodeHttp: string): string {
  return `${checkNodeHttp(nodeHttp).hostname}:${DEFAULT_DEVICE_PORT}`;
}

/** Provisions one device; see the module comment for the order of the steps. */
export async function provisionDevice(options: ProvisionOptions): Promise<ProvisionResult> {
  const profile = checkTarget(options.target);
  checkNodeHttp(options.nodeHttp);
  if (!/^[0-9a-f]{64}$/.test(options.owner)) {
    throw new ToolError('usage', `--owner expected 64 lowercase hex characters (an account's Ed25519 public key), got ${JSON.stringify(options.owner.slice(0, 70))}`, { where: '--owner', hint: 'the account the device\'s rewards are credited to' });
  }
  const identity = createIdentity(options.random ?? systemRandom);
  let config: DeviceConfig;
  try {
    config = validateDeviceConfig({ node: options.node ?? defaultNodeAddress(options.nodeHttp), id: identity.id, key: identity.key, profile, tier: tierOfProfile(profile) });
  } catch (error) {
    throw new ToolError('usage', (error as Error).message.replace(/^"node"/, '--node'), { where: '--node', hint: 'the address the board connects to, e.g. --node 192.168.1.10:7070' });
  }
  const record: DeviceRecord = { config, owner: options.owner, nodeHttp: options.nodeHttp, createdAt: new Date().toISOString() };
  const dir = options.out ?? join(DEFAULT_DEVICES_ROOT, config.id);
  const staged = stageDeviceDirectory(dir, record);
  let registered: Record<string, unknown>;
  try {
    registered = await registerDevice({ nodeHttp: options.nodeHttp, adminToken: options.adminToken, timeoutMs: options.timeoutMs }, { id: config.id, key: config.key, profile, tier: config.tier, owner: options.owner });
  } catch (error) {
    staged.discard();
    throw error;
  }
  staged.commit();
  return { record, dir, files: staged.files, registered };
}
