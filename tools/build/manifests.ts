// The generated files around the images: the Moddable manifests (the app's, which mcconfig
// builds into a host, and the mod's, which mcrun installs into a host that already has the
// native modules) and the Espruino Storage upload form.
import type { XsProfile } from '../manifests/index.ts';
import { SLOTS, bootLoader } from '../flash/espruino/flash.ts';
import { IMAGE_MODULE, MAIN_MODULE } from './moddable.ts';
import type { TcpModule } from './options.ts';

/** Manifests of the Moddable SDK the image's host needs, per TCP module. */
function hostIncludes(tcp: TcpModule): string[] {
  return [
    '$(MODDABLE)/examples/manifest_base.json',
    // ECMA-419 IO brings Wi-Fi and embedded:io/socket/tcp; the socket module comes with the net manifest.
    tcp === 'ecma-419' ? '$(MODDABLE)/modules/io/manifest.json' : '$(MODDABLE)/examples/manifest_net.json',
    '$(MODDABLE)/modules/files/preference/manifest.json',
    '$(MODDABLE)/modules/crypt/digest/manifest.json',
  ];
}

/**
 * The app manifest (`dist/<target>/manifest.json`): the host modules, the profile's creation
 * block with `main`, the two modules, and the strip list. Preferences are left to provisioning
 * (tools/flash writes them), so the same build serves every device of the target.
 */
export function appManifest(profile: XsProfile, tcp: TcpModule, strip: string[]): object {
  return {
    include: hostIncludes(tcp),
    creation: { ...profile.ram.creation, main: MAIN_MODULE },
    modules: { '*': [`./${IMAGE_MODULE}`, `./${MAIN_MODULE}`] },
    strip,
  };
}

/** The mod manifest (`dist/<target>/mod/manifest.json`): the same modules, `main` installed as the host's `mod`. */
export function modManifest(): object {
  return {
    include: ['$(MODDABLE)/examples/manifest_mod.json'],
    modules: { '*': [`../${IMAGE_MODULE}`], mod: `../${MAIN_MODULE}` },
  };
}

/** The file that goes to a Storage slot, as the upload form describes it. */
export interface StoredFile {
  /** the file in dist/<target>/ with the bytes for Storage */
  from: string;
  bytes: number;
  sha256: string;
  /** the Espruino release the bytes are pretokenised for, and whether string literals are raw string tokens */
  pretokenised: { firmware: string; strings: boolean };
  /** the minified JavaScript the bytes were made from */
  raw: { from: string; bytes: number; sha256: string };
}

/**
 * The Espruino upload form (`dist/<target>/storage.json`): which Storage file receives the image
 * and from which bytes, the boot code that runs it, and the files provisioning and the app own.
 * `micromine flash` follows it, alternating the program between the two slots.
 */
export function storageForm(target: string, file: StoredFile): object {
  return {
    target,
    files: [{ storage: SLOTS[0], ...file }],
    slots: [...SLOTS],
    boot: bootLoader(SLOTS[0]),
    config: 'mm.cfg',
    state: ['mm.ctr0', 'mm.ctr1', ...Array.from({ length: 8 }, (_, slot) => `mm.q${slot}`)],
  };
}
