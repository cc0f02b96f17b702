// Gathering the report's figures: build every target (image bytes), run the standard workload on
// each (peak RAM, computrons), and set each figure beside its budget and its baseline.
import { build } from '../build/index.ts';
import { listTargets, loadBudget, loadProfile } from '../manifests/index.ts';
import type { Baseline } from './baseline.ts';
import { budgetOf, figuresOf, type Figure, type TargetFigures } from './figures.ts';
import { measureWorkload, type WorkloadFigures } from './workload.ts';

/** Runs the workload of one target on its image in `distDir`. */
export type WorkloadRunner = (target: string, runtime: 'xs' | 'espruino', tier: 'hash' | 'sig', distDir: string) => Promise<WorkloadFigures>;

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** targets to measure (all when empty) */
  readonly targets: readonly string[];
  /** the manifests directory (profiles and budgets) */
  readonly manifestsDir: string;
  readonly baseline: Baseline;
  /** told as each step starts: `done` of `total`, and what runs */
  readonly onStep?: (done: number, total: number, note: string) => void;
  /** where the images are built (default dist/) */
  readonly distDir?: string;
  /** the workload runner; default the standard workload */
  readonly workload?: WorkloadRunner;
}

/** Builds, runs and measures; the targets' figures in target order. */
export async function measure(options: MeasureOptions): Promise<TargetFigures[]> {
  const dir = { dir: options.manifestsDir };
  const targets = options.targets.length > 0 ? [...options.targets] : listTargets(dir);
  const total = targets.length + 1;
  options.onStep?.(0, total, `building ${targets.length} image${targets.length === 1 ? '' : 's'}`);
  const distDir = options.distDir ?? 'dist';
  const built = await build({ targets, manifestsDir: options.manifestsDir, outDir: distDir });
  const run = options.workload ?? measureWorkload;
  const measured: TargetFigures[] = [];
  for (const [index, target] of targets.entries()) {
    options.onStep?.(index + 1, total, `standard workload on ${target}`);
    const profile = loadProfile(target, dir);
    const budget = loadBudget(target, dir);
    const image = built.targets.find((t) => t.target === target)!;
    const workload = await run(target, profile.runtime, profile.tier, distDir);
    const values: Partial<Record<string, number>> = { 'image.rawBytes': image.raw, 'image.storedBytes': image.stored, 'image.gzipBytes': image.gzip, ...workload.figures };
    const figures: Figure[] = figuresOf(profile.runtime, profile.tier).map((name) => ({
      name, value: values[name] ?? null, budget: budgetOf(budget, name) ?? null, baseline: options.baseline[target]?.[name] ?? null,
    }));
    measured.push({
      target, runtime: profile.runtime, tier: profile.tier, figures,
      ...(workload.problem === undefined ? {} : { problem: workload.problem }),
      ...(workload.workload === undefined ? {} : { workload: workload.workload }),
    });
  }
  return measured;
}
