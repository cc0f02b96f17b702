// Device profiles and budgets: the one place the build, the simulator and the reports read them.
export { listTargets, loadBudget, loadProfile, loadTolerance, defaultManifestsDir } from './load.ts';
export type { LoadOptions } from './load.ts';
export { ManifestError } from './errors.ts';
export type { ManifestErrorCode, ManifestLocation } from './errors.ts';
export type * from './types.ts';
