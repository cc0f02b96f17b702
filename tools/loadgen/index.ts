// The load generator: simulated devices on the real protocol against a real node.
export { runLoad, FLEET_FLAGS, type LoadFigures, type LoadOptions } from './run.ts';
export {
  SimDevice, HONEST, LIAR, SILENT, createSharedParts, type Ack, type Behavior, type SharedParts, type SimDeviceOptions, type SimIdentity,
} from './device.ts';
export { Pacer, type PacedTask } from './pacer.ts';
