// The Moddable image: the ES module `micromine`, importing only the host's native modules, and
// the generated module `main` that starts it. Moddable's mcconfig/mcrun compile both to XS byte
// code. XS runs ES2023, so nothing is lowered.
import { join } from 'node:path';
import type { BuildInfo } from '../../firmware/app/image.ts';
import { bundleCode, type BundledCode } from './bundle.ts';
import type { TcpModule } from './options.ts';
import { root } from './paths.ts';

/** The native modules of a Moddable host the image imports. */
export const HOST_MODULES = ['crypt', 'embedded:io/socket/tcp', 'preference', 'socket', 'time', 'timer'];
/** The image's module and the module the app runs from (the manifest's `creation.main`). */
export const IMAGE_MODULE = 'micromine';
export const MAIN_MODULE = 'main';

/** The source of `main`: start the device program from the stored Preferences. */
export const MAIN_SOURCE = `import micromine from "${IMAGE_MODULE}";\nmicromine.start();\n`;

/** Bundles the module `micromine` of `info.target`, with the TCP module `tcp`; `debug` keeps the device's debug logs. */
export function bundleModdable(info: BuildInfo, tcp: TcpModule, debug: boolean): Promise<BundledCode> {
  const tcpModule = join(root, 'firmware/hal/moddable/tcp-ecma419.ts');
  return bundleCode({
    entry: 'firmware/hal/moddable/micromine.ts',
    file: IMAGE_MODULE + '.js',
    format: 'esm',
    target: 'es2023',
    ecma: 2020,
    closure: null,
    external: HOST_MODULES,
    supported: {},
    useDefineForClassFields: true,
    redirect: tcp === 'socket' ? { [tcpModule]: join(root, 'firmware/hal/moddable/tcp-socket.ts') } : {},
  }, info, debug);
}
