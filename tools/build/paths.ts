// Where the build reads from: the project root and the device sources, independent of the
// working directory, so that a build gives the same bytes wherever it runs from.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every device TypeScript project (each tsconfig.json under firmware/), relative to the root, sorted. */
export function deviceProjects(): string[] {
  return readdirSync(join(root, 'firmware'), { recursive: true })
    .map(String)
    .filter((path) => path.endsWith('tsconfig.json'))
    .map((path) => join('firmware', path))
    .sort();
}
