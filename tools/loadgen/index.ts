// The load generator: simulated devices on the real protocol against a real node.
export { runLoad, FLEET_FLAGS, type LoadFigures, type LoadOptions } from './run.ts';
export { SimDevice, HONEST, LIAR, SILENT, type Ack, type Behavior, type SimDeviceOptions, type SimIdentity } from './device.ts';
export { createSharedParts, type SharedParts } from './shared.ts';
export { Pacer, type PacedTask } from './pacer.ts';
