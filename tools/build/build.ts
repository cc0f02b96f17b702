// `build()`: from the device sources to linted, measured images under dist/<target>/ for every
// target asked (all by default). Everything is checked and made in memory first (options,
// manifests, types, bundles, lint), so a failure writes nothing; then all targets are written
// at once (output.ts). Same sources, same bytes: no timestamps or absolute paths in the output.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TraceMap } from '@jridgewell/trace-mapping';
import type { BuildInfo } from '../../firmware/app/image.ts';
import type { SelfTestVector } from '../../firmware/app/self-test.ts';
import { formatFinding, lintCode, type Runtime as LintRuntime } from '../lint/index.ts';
import {
  ManifestError, listTargets, loadBudget, loadProfile, type Budget, type LoadOptions, type Profile, type Tier, type XsProfile,
} from '../manifests/index.ts';
import type { ModuleSize } from './bundle.ts';
import { ESPRUINO_IMAGE, bundleEspruino } from './espruino.ts';
import { BuildError, at } from './errors.ts';
import { appManifest, modManifest } from './manifests.ts';
import { IMAGE_MODULE, MAIN_MODULE, MAIN_SOURCE, bundleModdable } from './moddable.ts';
import { checkOptions, type BuildOptions, type TcpModule } from './options.ts';
import { root } from './paths.ts';
import { formatTable, overruns, type BuildReport, type TargetReport } from './report.ts';
import { selfTestVector } from './self-test.ts';
import { sliceBounds } from './slices.ts';
import { storedImage } from './stored.ts';
import { stripList } from './strip.ts';
import { typecheckDevice } from './typecheck.ts';
import { writeTargets, type TargetFiles } from './output.ts';

/** The firmware version the images announce: the package version. */
export const FIRMWARE_VERSION: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

interface Plan {
  target: string;
  profile: Profile;
  profileFile: string;
  budget: Budget;
  budgetFile: string;
}

/** A code file of an image, with its source map (JSON) when it has one. */
export interface ImageFile {
  name: string;
  code: string;
  map?: string;
}

function manifestError(error: unknown): never {
  if (!(error instanceof ManifestError)) throw error;
  const { file, path, line, column } = error.location;
  throw new BuildError('manifest', { file, ...(path ? { field: path } : {}), ...(line ? { line, column } : {}) }, error.message, error.hint);
}

/** Profiles and budgets of the targets asked, all loaded before any work. */
function plan(targets: string[], options: LoadOptions, dir: string): Plan[] {
  let known: string[];
  try {
    known = listTargets(options);
  } catch (error) {
    manifestError(error);
  }
  const wanted = targets.length === 0 ? known : targets;
  return wanted.map((target) => {
    const profileFile = relative(process.cwd(), join(dir, 'profiles', `${target}.json`));
    if (!known.includes(target)) {
      const location = { file: profileFile };
      throw new BuildError('unknown-target', location, at(location, `unknown target "${target}"`), `use one of: ${known.join(', ')}`);
    }
    try {
      const budgetFile = relative(process.cwd(), join(dir, 'budgets', `${target}.json`));
      return { target, profile: loadProfile(target, options), profileFile, budget: loadBudget(target, options), budgetFile };
    } catch (error) {
      return manifestError(error);
    }
  });
}

/**
 * Lints one image file; any finding fails the build with a BuildError listing each finding with
 * its emitted and source position. `shownAs` names the file in messages; `virtual` is the path
 * the map's sources are relative to (dist/<target>/<name> under the root).
 */
export function lintImageFile(file: ImageFile, runtime: LintRuntime, shownAs: string, virtual: string): void {
  const sourceMap = file.map === undefined ? undefined : new TraceMap(JSON.parse(file.map), virtual);
  const findings = lintCode(file.code, { runtime, file: shownAs, ...(sourceMap ? { sourceMap } : {}) });
  if (findings.length === 0) return;
  const first = findings[0]!.emitted;
  throw new BuildError('lint', { file: first.file, line: first.line, column: first.column },
    `${findings.length} language lint finding${findings.length === 1 ? '' : 's'} for ${runtime}:\n${findings.map(formatFinding).join('\n')}`,
    'rewrite the source the finding names in the subset the runtime runs (docs/lint.md)');
}

/** An image's code files, the other files of its directory, and its module sizes. */
interface Made {
  image: ImageFile[];
  files: Record<string, string | Uint8Array>;
  modules: ModuleSize[];
}

async function makeEspruino(info: BuildInfo, debug: boolean): Promise<Made> {
  const bundled = await bundleEspruino(info, debug);
  return { image: [{ name: ESPRUINO_IMAGE, code: bundled.code, map: bundled.map }], files: {}, modules: bundled.modules };
}

async function makeModdable(info: BuildInfo, profile: XsProfile, tcp: TcpModule, debug: boolean): Promise<Made> {
  const bundled = await bundleModdable(info, tcp, debug);
  const image = [{ name: `${IMAGE_MODULE}.js`, code: bundled.code, map: bundled.map }, { name: `${MAIN_MODULE}.js`, code: MAIN_SOURCE }];
  return {
    image,
    files: { 'manifest.json': json(appManifest(profile, tcp, stripList(image.map((f) => f.code)))), 'mod/manifest.json': json(modManifest()) },
    modules: [...bundled.modules, { path: '(generated main)', bytes: MAIN_SOURCE.length }],
  };
}

/** Bundles, lints and measures one target; returns its files and its report. */
async function buildTarget(p: Plan, outDir: string, opts: Required<BuildOptions>, vector: (tier: Tier) => SelfTestVector): Promise<{ output: TargetFiles; report: TargetReport }> {
  const { target, profile } = p;
  const info: BuildInfo = { target, tier: profile.tier, firmware: FIRMWARE_VERSION, slice: sliceBounds(profile, p.profileFile), vector: vector(profile.tier) };
  const made = profile.runtime === 'espruino' ? await makeEspruino(info, opts.debug) : await makeModdable(info, profile, opts.tcp, opts.debug);
  const files = made.files;
  const dir = relative(process.cwd(), join(outDir, target)) || '.';
  for (const file of made.image) {
    lintImageFile(file, profile.runtime === 'espruino' ? 'espruino' : 'xs', join(dir, file.name), join(root, 'dist', target, file.name));
    files[file.name] = file.code;
    if (file.map !== undefined) files[`${file.name}.map`] = file.map;
  }
  const code = made.image.map((f) => f.code).join('');
  // The stored form is made from the linted image only, so a lint finding is reported as one.
  const stored = profile.runtime === 'espruino' ? storedImage(code, profile, join(dir, ESPRUINO_IMAGE)) : undefined;
  Object.assign(files, stored?.files);
  const report: TargetReport = {
    target, runtime: profile.runtime, tier: profile.tier, dir, files: [], image: made.image.map((f) => f.name),
    raw: Buffer.byteLength(code, 'latin1'), gzip: gzipSync(code, { level: 9 }).length, ...(stored ? { stored: stored.stored } : {}),
    budget: { file: p.budgetFile, ...p.budget.image, provisional: p.budget.provisional },
    slice: info.slice, lintFindings: 0, modules: made.modules,
  };
  files['build.json'] = json({ target, runtime: profile.runtime, tier: profile.tier, firmware: FIRMWARE_VERSION, ...(opts.debug ? { debug: true } : {}), raw: report.raw, ...(stored ? { stored: stored.stored } : {}), gzip: report.gzip, slice: info.slice, modules: made.modules });
  report.files = Object.keys(files).sort();
  return { output: { target, files }, report };
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/**
 * Builds the images of `options.targets` (all targets when none are given) into
 * `options.outDir/<target>/` and reports their sizes against the budgets. Throws a BuildError
 * (with a code, a location naming the file and a hint) when an input is bad, a source does not
 * type-check, or the lint finds what the runtime cannot run; nothing is written then. With
 * `check`, a figure over its budget makes `ok` false (the images are still written).
 */
export async function build(options: BuildOptions = {}): Promise<BuildReport> {
  const opts = checkOptions(options);
  const manifestsDir = resolve(opts.manifestsDir === '' ? join(root, 'manifests') : opts.manifestsDir);
  const plans = plan(opts.targets, { dir: manifestsDir }, manifestsDir);
  if (opts.typecheck) typecheckDevice();
  const vectors = new Map<Tier, SelfTestVector>();
  const vector = (tier: Tier): SelfTestVector => {
    if (!vectors.has(tier)) vectors.set(tier, selfTestVector(tier));
    return vectors.get(tier)!;
  };
  const outDir = resolve(opts.outDir);
  const built = [];
  for (const p of plans) built.push(await buildTarget(p, outDir, opts, vector));
  writeTargets(outDir, built.map((b) => b.output));
  const targets = built.map((b) => b.report);
  const over = targets.flatMap(overruns);
  const report: BuildReport = { ok: !(opts.check && over.length > 0), checked: opts.check, targets, overruns: over, text: '' };
  report.text = opts.json ? JSON.stringify({ ...report, text: undefined }, null, 2) + '\n' : formatTable(targets, over, opts.check);
  return report;
}
