/**
 * What the simulator needs of a device profile (manifests/profiles/<target>.json): the CPU rate,
 * the network latency, the slice bound, the native digest costs, and the memory the device has,
 * as an XS creation (Moddable) or as Espruino variables run on a generous XS creation.
 * @module
 */
import type { DeviceCreation } from './engine/index.ts';
import { loadProfile, type DigestName, type Profile } from '../tools/manifests/index.ts';
import { ESPRUINO_MODEL, espruinoCreation } from './espruino-memory.ts';

/** The digest costs the VM charges: per call, per block, and the padding that decides blocks. */
export interface DigestCharge {
  code: number;
  block: number;
  pad: number;
  call: number;
  perBlock: number;
}

/** A profile as the simulator uses it. */
export interface SimProfile {
  target: string;
  runtime: 'xs' | 'espruino';
  tier: 'hash' | 'sig';
  /** computrons per ms of device time */
  computronsPerMs: number;
  latencyMs: number;
  /** the app's slice bound (ms of device time) */
  sliceMs: number;
  /** what the engine runs: the device's own creation, or a generous one for Espruino */
  creation: DeviceCreation;
  /** Espruino only: the device's variables and their size */
  variables: { total: number; bytesEach: number; base: number } | null;
  digests: Record<string, DigestCharge>;
  /** the manifest itself, for the report and calibration */
  manifest: Profile;
}

/** Digest names and the code the VM puts before the bytes of a digest host call. */
export const DIGEST_CODES: Record<DigestName, number> = { SHA1: 1, SHA224: 2, SHA256: 3, SHA384: 4, SHA512: 5 };

/** Loads `target`'s profile (the manifests loader names file and field on a bad one). */
export function simProfile(target: string, options: { manifestsDir?: string } = {}): SimProfile {
  const manifest = loadProfile(target, options.manifestsDir === undefined ? {} : { dir: options.manifestsDir });
  const digests: Record<string, DigestCharge> = {};
  for (const [name, cost] of Object.entries(manifest.digests)) {
    if (cost === undefined) continue;
    // SHA-2 pads with one byte and a 8-byte (64-byte blocks) or 16-byte (128) length.
    const pad = cost.blockBytes === 128 ? 17 : 9;
    digests[name] = { code: DIGEST_CODES[name as DigestName], block: cost.blockBytes, pad: pad - 1, call: cost.usPerCall.value, perBlock: cost.usPerBlock.value };
  }
  const espruino = manifest.runtime === 'espruino' ? manifest.ram : null;
  return {
    target: manifest.target,
    runtime: manifest.runtime,
    tier: manifest.tier,
    computronsPerMs: manifest.cpu.computronsPerMs.value,
    latencyMs: manifest.network.latencyMs.value,
    sliceMs: manifest.sliceMs,
    creation: manifest.runtime === 'xs' ? manifest.ram.creation : espruinoCreation(manifest.ram.variables),
    variables: espruino === null ? null : { total: espruino.variables, bytesEach: espruino.bytesPerVariable, base: ESPRUINO_MODEL.firmwareVariables(espruino.variables) },
    digests,
    manifest,
  };
}
