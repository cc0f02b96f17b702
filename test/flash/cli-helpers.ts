// Helpers for the flash CLI tests: a provisioned device directory and captured output.
import { join } from 'node:path';
import { stageDeviceDirectory, type DeviceRecord } from '../../tools/provision/device-dir.ts';
import type { DeviceProfile } from '../../protocol/device-config.ts';
import { tierOfProfile } from '../../protocol/device-config.ts';

/** Writes a device directory for `profile` under `root` (as provision would, without a node). */
export function provisioned(root: string, profile: DeviceProfile): { dir: string; record: DeviceRecord } {
  const record: DeviceRecord = {
    config: { node: '192.168.4.1:7070', id: 'a1b2c3d4e5f60718', key: new Uint8Array(32).fill(7), profile, tier: tierOfProfile(profile) },
    owner: 'cd'.repeat(32),
    nodeHttp: 'http://192.168.4.1:7071',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  const dir = join(root, 'device');
  stageDeviceDirectory(dir, record).commit();
  return { dir, record };
}

/** Runs `run` with process.stdout/stderr captured. */
export async function captured(run: () => Promise<number>): Promise<{ status: number; out: string; err: string }> {
  const write = { out: process.stdout.write, err: process.stderr.write };
  let out = '', err = '';
  process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => { err += chunk; return true; }) as typeof process.stderr.write;
  try {
    return { status: await run(), out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}
