/**
 * The simulator's engine: the real XS engine as an emulated device, under the device's RAM
 * (creation, allocation limit) and CPU (computrons per call) limits. See
 * docs/simulator-engine.md.
 * @module
 */
export {
  startDevice,
  XsDevice,
  DEFAULT_COMPUTRON_LIMIT,
  MAX_COMPUTRON_LIMIT,
  HOST_BINARY,
  type BootInfo,
  type CallOptions,
  type CallResult,
  type DeviceOptions,
  type HostCallHandler,
  type LogEntry,
} from './device.ts';
export { checkCreation, allocationLimitOf, initialBytes, type DeviceCreation, type Growth } from './creation.ts';
export { EngineError, type EngineErrorCode, type EngineErrorDetail } from './errors.ts';
export type { Level, Usage } from './usage.ts';
export type { EngineValue } from './wire.ts';
