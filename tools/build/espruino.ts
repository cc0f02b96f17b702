// The Espruino image: one minified script in the language Espruino runs. Espruino runs scripts,
// not modules, so the bundle is CommonJS-shaped (Espruino's own `require("net")` and friends
// stay plain calls) inside a function wrapper that keeps its names out of the global scope; the
// entry publishes the API as the global `micromine`. The lint's lowering map lowers the syntax
// Espruino lacks and esbuild can lower.
import { lowering } from '../lint/index.ts';
import type { BuildInfo } from '../../firmware/app/image.ts';
import { ESPRUINO_ALIASES, bundleCode, type BundledCode } from './bundle.ts';

/** The image's file name (tools/flash reads `dist/<target>/micromine.js`). */
export const ESPRUINO_IMAGE = 'micromine.js';

/** Bundles the Espruino image of `info.target`; `debug` keeps the device's debug logs. */
export function bundleEspruino(info: BuildInfo, debug: boolean): Promise<BundledCode> {
  return bundleCode({
    entry: 'firmware/hal/espruino/main.ts',
    file: ESPRUINO_IMAGE,
    format: 'cjs',
    // Espruino's own level is below ES2015 in places: the lowering map and the lint cover the gap.
    target: 'es2020',
    ecma: 2015,
    closure: { project: 'firmware/hal/espruino/tsconfig.json' },
    external: ['net', 'Storage', 'crypto'],
    supported: lowering.espruino.supported,
    useDefineForClassFields: lowering.espruino.tsconfigRaw.compilerOptions.useDefineForClassFields,
    banner: '(function(){',
    aliases: ESPRUINO_ALIASES,
    footer: '})();',
  }, info, debug);
}
