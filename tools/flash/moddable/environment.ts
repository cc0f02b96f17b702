/**
 * The Moddable toolchain a flash needs, checked up front with one message per missing piece:
 * `MODDABLE` (the SDK), `IDF_PATH` (ESP-IDF), `mcconfig` or `mcrun` on PATH, and the serial
 * port when one is named (`--port`, else `UPLOAD_PORT`).
 * @module
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ToolError } from '../../provision/errors.ts';

/** The Moddable tool a flash runs: `mcconfig` builds and flashes a host, `mcrun` installs a mod. */
export type ModdableTool = 'mcconfig' | 'mcrun';

/** Full path of executable `name` on `path`, or null. */
export function findOnPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Checks the environment; throws one `env_missing` ToolError listing every missing piece. */
export function checkModdableEnvironment(env: NodeJS.ProcessEnv, tool: ModdableTool, port: string | undefined): { toolPath: string; uploadPort: string | undefined } {
  const problems: string[] = [];
  if (!env.MODDABLE) problems.push('MODDABLE is not set: install the Moddable SDK and export MODDABLE=<its directory>');
  else if (!isDirectory(env.MODDABLE)) problems.push(`MODDABLE is ${env.MODDABLE}, which is not a directory`);
  if (!env.IDF_PATH) problems.push('IDF_PATH is not set: install ESP-IDF (the version your Moddable SDK release names) and source its export.sh');
  else if (!isDirectory(env.IDF_PATH)) problems.push(`IDF_PATH is ${env.IDF_PATH}, which is not a directory`);
  const toolPath = findOnPath(tool, env.PATH);
  if (toolPath === null) problems.push(`${tool} is not on PATH: build the SDK tools ($MODDABLE/build/makefiles/<os>) and add $MODDABLE/build/bin/<os>/release to PATH`);
  const uploadPort = port ?? env.UPLOAD_PORT;
  if (uploadPort !== undefined && !existsSync(uploadPort)) {
    problems.push(`${port !== undefined ? '--port' : 'UPLOAD_PORT'} is ${uploadPort}, which does not exist: plug the board in (CP210x/CH340 USB-serial driver) or fix the path`);
  }
  if (problems.length > 0) {
    throw new ToolError('env_missing', `the Moddable toolchain is not ready:\n  - ${problems.join('\n  - ')}`, { hint: 'docs/flashing.md, "Moddable: set up once", walks through each piece' });
  }
  return { toolPath: toolPath!, uploadPort };
}
