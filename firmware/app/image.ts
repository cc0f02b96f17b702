/**
 * What an image exposes: the device program with the facts the build fixed (target, tier,
 * firmware version, share slice bounds, the self-test vector), behind a small API an appliance,
 * the console, the simulator and the flash read-back call. Each runtime's entry module builds
 * its Hal and calls {@link createImage}.
 * @module
 */
import type { SignatureVerifier } from '../core/digest.ts';
import type { Hal } from '../hal/hal.ts';
import { DEFAULT_TIMING, createDevice, type DeviceBuild, type DeviceStatus } from './device.ts';
import { selfTest, type SelfTestReport, type SelfTestVector } from './self-test.ts';

/** The facts the build fixes for one target (tools/build serves them as the module `micromine:build`). */
export interface BuildInfo extends DeviceBuild {
  /** the self-test's unit, made by the node's reference encoders */
  vector: SelfTestVector;
}

/** The API of an image. */
export interface Micromine {
  /** firmware version and the target the image was built for */
  readonly version: string;
  readonly target: string;
  /** Starts the device program from the stored configuration; null, or why it cannot start. */
  start(): string | null;
  /** Stops it; queued results stay stored. */
  stop(): void;
  status(): DeviceStatus;
  /** SHA-256, HMAC and one tiny unit through this runtime's digest and the real validator. */
  selfTest(): SelfTestReport;
}

/** The image API over `hal`, with the build's facts (each runtime's entry imports them from `micromine:build`). */
export function createImage(hal: Hal, verify: SignatureVerifier | null, info: BuildInfo): Micromine {
  const device = createDevice(hal, info, DEFAULT_TIMING, verify);
  return {
    version: info.firmware,
    target: info.target,
    start: device.start,
    stop: device.stop,
    status: device.status,
    selfTest: () => selfTest(hal.digest, verify, info.vector),
  };
}
