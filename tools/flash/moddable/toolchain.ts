/**
 * Running the Moddable tools for a generated project: the exact command line, its output streamed
 * line by line to the caller, and its exit status mapped to a result or a `toolchain_failed` error.
 * @module
 */
import { spawn } from 'node:child_process';
import { ToolError } from '../../provision/errors.ts';
import type { ModdableTool } from './environment.ts';
import type { InstallMode } from './project.ts';

/** `debug` (`-d`, needed for mods and xsbug), `instrumented` (`-i`) or `release` (no flag). */
export type BuildKind = 'debug' | 'instrumented' | 'release';

/** The tool and arguments for a flash: `mcconfig -d -m -p esp32/<sub>` or `mcrun -d -m -p esp32/<sub>`. */
export function moddableCommand(mode: InstallMode, build: BuildKind, platform: string): { tool: ModdableTool; args: string[] } {
  if (mode === 'mod') {
    // mcrun installs over the xsbug protocol, which only a debug host speaks.
    if (build !== 'debug') throw new ToolError('usage', `a mod is installed with a debug build (mcrun -d), not --build ${build}`, { where: '--build', hint: 'drop --build, or use --install full' });
    return { tool: 'mcrun', args: ['-d', '-m', '-p', platform] };
  }
  const flag = build === 'debug' ? ['-d'] : build === 'instrumented' ? ['-i'] : [];
  return { tool: 'mcconfig', args: [...flag, '-m', '-p', platform] };
}

/** Runs `toolPath args` in `cwd`, streaming each output line to `onLine`; resolves on exit 0. */
export function runModdableTool(toolPath: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(onLine);
      });
      stream.on('end', () => { if (pending !== '') onLine(pending); });
    }
    const command = [toolPath, ...args].join(' ');
    child.on('error', (error) => reject(new ToolError('toolchain_failed', `cannot run ${command}: ${error.message}`, { where: cwd })));
    child.on('close', (status, signal) => {
      if (status === 0) return resolve();
      reject(new ToolError('toolchain_failed', signal !== null ? `${command} was killed by ${signal}` : `${command} exited with status ${status}`, {
        where: cwd,
        hint: 'its output above names the failing step; the project stays in place for a manual run',
      }));
    });
  });
}
