// The build type-checks every device project before it bundles: esbuild and rollup only strip
// types, so without this a type error would ship.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BuildError, at } from './errors.ts';
import { deviceProjects, root } from './paths.ts';

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** tsc's `file(line,col): error TSnnnn: text` lines. */
const diagnostic = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/m;

/** Runs tsc on every device project; throws a BuildError at the first error, naming file and line. */
export function typecheckDevice(): void {
  typecheckProjects(deviceProjects(), root);
}

/** Runs tsc on each project (tsconfig paths relative to `cwd`); throws a BuildError at the first error. */
export function typecheckProjects(projects: string[], cwd: string): void {
  for (const project of projects) {
    const run = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd, encoding: 'utf8' });
    if (run.status === 0) continue;
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    const found = diagnostic.exec(output);
    const count = (output.match(/error TS\d+/g) ?? []).length;
    const hint = `fix the type error${count > 1 ? ` (${count} in this project)` : ''}: the build type-checks every device project before bundling`;
    if (found === null) {
      const location = { file: project };
      throw new BuildError('type-error', location, at(location, `tsc failed: ${output.trim().split('\n')[0] ?? run.error?.message}`), hint);
    }
    const location = { file: found[1], line: Number(found[2]), column: Number(found[3]) };
    throw new BuildError('type-error', location, at(location, found[4]!), hint);
  }
}
