/**
 * A provisioned device's directory (default `.data/devices/<id>/`): `device.json` (identity, key,
 * node, owner) and the configuration in its runtime's form, `mm.cfg` for Espruino or
 * `preferences.json` for Moddable. The directory is 0700 and every file 0600: they hold the key.
 * It is written whole or not at all: files go into a sibling staging directory that is renamed
 * into place only once the caller commits (after the node accepted the registration).
 * @module
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { bytesToHex, hexToBytes } from '../../firmware/core/hex.ts';
import {
  ESPRUINO_CONFIG_FILE,
  encodeEspruinoConfig,
  encodeModdablePreferences,
  preferencesToJson,
  validateDeviceConfig,
  type DeviceConfig,
} from '../../protocol/device-config.ts';
import { ToolError } from './errors.ts';

/** The identity file of a device directory. */
export const DEVICE_FILE = 'device.json';
/** The Moddable form of the configuration (Preference entries as JSON). */
export const PREFERENCES_FILE = 'preferences.json';
/** Where provisioned devices go unless told otherwise. */
export const DEFAULT_DEVICES_ROOT = join('.data', 'devices');

/** Everything provisioning knows about a device. */
export interface DeviceRecord {
  readonly config: DeviceConfig;
  readonly owner: string;
  /** The admin URL the device was registered with. */
  readonly nodeHttp: string;
  /** ISO time of provisioning. */
  readonly createdAt: string;
}

/** A written but not yet committed device directory. */
export interface StagedDirectory {
  /** Files staged, by name. */
  readonly files: readonly string[];
  /** Moves the staged directory into place. */
  commit(): void;
  /** Removes the staged directory. */
  discard(): void;
}

/** The configuration file(s) of the record's runtime, by name: `mm.cfg` or `preferences.json`. */
export function runtimeConfigFiles(config: DeviceConfig): Record<string, string> {
  if (config.profile.startsWith('espruino-')) return { [ESPRUINO_CONFIG_FILE]: encodeEspruinoConfig(config) };
  return { [PREFERENCES_FILE]: JSON.stringify(preferencesToJson(encodeModdablePreferences(config)), null, 2) + '\n' };
}

function deviceJson(record: DeviceRecord): string {
  const { config } = record;
  const json = { id: config.id, profile: config.profile, tier: config.tier, node: config.node, key: bytesToHex(config.key), owner: record.owner, nodeHttp: record.nodeHttp, createdAt: record.createdAt };
  return JSON.stringify(json, null, 2) + '\n';
}

/**
 * Writes the device directory's files into `<dir>.staging-<pid>` (0700, files 0600) and returns
 * a handle to commit or discard it. Refuses a `dir` that already exists: a device is never
 * provisioned over another one.
 */
export function stageDeviceDirectory(dir: string, record: DeviceRecord): StagedDirectory {
  if (existsSync(dir)) throw new ToolError('io', `the device directory ${dir} already exists`, { where: dir, hint: 'choose another --out, or remove the old device first' });
  const files: Record<string, string> = { [DEVICE_FILE]: deviceJson(record), ...runtimeConfigFiles(record.config) };
  const staging = join(dirname(dir), `.${basename(dir)}.staging-${process.pid}`);
  try {
    mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { mode: 0o700 });
    chmodSync(staging, 0o700); // mkdir's mode is masked by the umask
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(staging, name), text, { mode: 0o600, flag: 'wx' });
      chmodSync(join(staging, name), 0o600);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new ToolError('io', `cannot write the device directory: ${(error as Error).message}`, { where: staging });
  }
  return {
    files: Object.keys(files),
    commit() {
      try {
        renameSync(staging, dir);
      } catch (error) {
        throw new ToolError('io', `cannot move the device directory into place: ${(error as Error).message}`, { where: dir, hint: `its files are complete in ${staging}` });
      }
    },
    discard() {
      rmSync(staging, { recursive: true, force: true });
    },
  };
}

/**
 * Reads a device directory back: `device.json` validated field by field. Refuses a directory
 * whose files other users can read, since it holds the device key.
 */
export function readDeviceDirectory(dir: string): DeviceRecord {
  const file = join(dir, DEVICE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const hint = existsSync(dir) ? `the directory holds: ${readdirSync(dir).join(', ') || 'nothing'}` : 'provision the device first: micromine provision --target <target> ...';
    throw new ToolError('bad_input', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { where: file, hint });
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    throw new ToolError('bad_input', `${file} is readable by other users, yet holds the device key`, { where: file, hint: `chmod 600 ${file}` });
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ToolError('bad_input', `${file} is not JSON: ${(error as Error).message}`, { where: file });
  }
  const key = typeof json.key === 'string' ? hexToBytes(json.key) : null;
  if (key === null) throw new ToolError('bad_input', `${file}: "key" expected 64 lowercase hex characters`, { where: file });
  let config: DeviceConfig;
  try {
    config = validateDeviceConfig({ node: json.node, id: json.id, key, profile: json.profile, tier: json.tier }, file);
  } catch (error) {
    throw new ToolError('bad_input', (error as Error).message, { where: file });
  }
  for (const field of ['owner', 'nodeHttp', 'createdAt'] as const) {
    if (typeof json[field] !== 'string') throw new ToolError('bad_input', `${file}: "${field}" expected string, got ${typeof json[field]}`, { where: file });
  }
  return { config, owner: json.owner as string, nodeHttp: json.nodeHttp as string, createdAt: json.createdAt as string };
}
