// The load generator: simulated devices on the real protocol against a real node.
export { runLoad, type LoadFigures, type LoadOptions } from './run.ts';
export { SimDevice, HONEST, LIAR, SILENT, type Ack, type Behavior, type SimDeviceOptions, type SimIdentity } from './device.ts';
