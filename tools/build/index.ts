// The build: device sources to linted, measured images per target (docs/build.md).
export { build, FIRMWARE_VERSION } from './build.ts';
export { main } from './cli.ts';
export { BuildError } from './errors.ts';
export type { BuildErrorCode, BuildLocation } from './errors.ts';
export type { BuildOptions, TcpModule } from './options.ts';
export type { BuildReport, Overrun, TargetReport } from './report.ts';
export type { ModuleSize } from './bundle.ts';
