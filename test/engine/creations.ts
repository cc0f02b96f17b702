/**
 * Example device creations for the engine tests (the real profiles live in manifests/profiles).
 * @module
 */
import type { DeviceCreation } from '../../host-sim/engine/index.ts';

/** Moddable's default ESP32 creation: separate fixed heaps, nothing grows. */
export const ESP32: DeviceCreation = {
  static: 0,
  chunk: { initial: 78848, incremental: 0 },
  heap: { initial: 4928, incremental: 0 },
  stack: 512,
  keys: { initial: 32, incremental: 0, name: 53, symbol: 3 },
};

/** The ESP32-C3 family: one 94,208-byte block in which small heaps grow. */
export const ESP32C3: DeviceCreation = {
  static: 94208,
  chunk: { initial: 1536, incremental: 512 },
  heap: { initial: 512, incremental: 64 },
  stack: 384,
  keys: { initial: 32, incremental: 0, name: 53, symbol: 3 },
};

/** Four times the ESP32's heaps: what passes here and fails on ESP32 is a memory verdict. */
export const LARGE: DeviceCreation = {
  ...ESP32,
  chunk: { initial: 4 * 78848, incremental: 0 },
  heap: { initial: 4 * 4928, incremental: 0 },
};
