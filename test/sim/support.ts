// Helpers of the simulator tests: the real images built once into a temporary directory (the
// tests never read dist/, which a concurrent build may be rewriting), single devices on their
// own flash, and small ES-module images written for one test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../tools/build/index.ts';
import { SimDevice } from '../../host-sim/device.ts';
import { Flash } from '../../host-sim/flash.ts';
import { loadImage, type SimImage } from '../../host-sim/image.ts';
import { simProfile, type SimProfile } from '../../host-sim/profile.ts';

let built: Promise<string> | undefined;

/** The directory holding every target's image, built once per test process. */
export function imagesDir(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-sim-images-'));
    await build({ outDir: dir, typecheck: false });
    return dir;
  })();
  return built;
}

/** The built image of `target`. */
export async function image(target: string): Promise<SimImage> {
  return loadImage(target, simProfile(target).runtime, join(await imagesDir(), target));
}

/** A Moddable image of one module `main`. */
export function moduleImage(target: string, source: string): SimImage {
  return { runtime: 'xs', target, modules: { main: source }, entry: 'main' };
}

/** A device of `profile` with an empty flash file of its own. */
export function device(profile: SimProfile, simImage: SimImage, logs: string[] = []): SimDevice {
  const flash = new Flash(join(mkdtempSync(join(tmpdir(), 'mm-sim-flash-')), 'flash.json'), 65536);
  return new SimDevice({ name: 'test', profile, image: simImage, flash, seed: 1, onLog: (text) => logs.push(text) });
}

/** A device's verdict as plain fields ('' where a running device has none). */
export function verdictOf(simDevice: SimDevice): { kind: string; phase: string; message: string } {
  const verdict = simDevice.verdict;
  return verdict.kind === 'running' ? { kind: 'running', phase: '', message: '' } : { kind: verdict.kind, phase: verdict.phase, message: verdict.message };
}
