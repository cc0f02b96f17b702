// The language lint: what the emitted code uses that its target runtime lacks (docs/lint.md).
export { lintCode, lintFile } from './lint.ts';
export type { LintOptions } from './lint.ts';
export { LintError } from './errors.ts';
export type { LintErrorCode } from './errors.ts';
export { lowering } from './lowering.ts';
export type { Lowering, Supported } from './lowering.ts';
export { espruinoRules, espruinoMissingGlobals, espruinoMissingStatics } from './rules-espruino.ts';
export { xsRules, xsMissingGlobals } from './rules-xs.ts';
export { main, formatFinding } from './cli.ts';
export type { Finding, Position, Runtime } from './types.ts';
