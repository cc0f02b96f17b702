// The Espruino image as it goes to Storage: the minified script, linted, then pretokenised for the
// firmware the profile targets, with the upload form (storage.json) that carries its bytes'
// SHA-256. `micromine flash` uploads that file and the simulator runs it through the
// detokeniser, so both use exactly these bytes.
import { createHash } from 'node:crypto';
import type { EspruinoProfile } from '../manifests/index.ts';
import { ESPRUINO_IMAGE } from './espruino.ts';
import { rawStringsFor } from './espruino-tokens.ts';
import { storageForm } from './manifests.ts';
import { pretokenise } from './pretokenise.ts';

/** The file in dist/<target>/ that holds the bytes for Storage (a byte string: not text). */
export const STORED_IMAGE = 'micromine.stored.js';

/** SHA-256 of a byte string, hex. */
export const sha256Bytes = (bytes: string): string => createHash('sha256').update(bytes, 'latin1').digest('hex');

/** The stored form of an Espruino image: its files (bytes, then the upload form) and its size. */
export function storedImage(code: string, profile: EspruinoProfile, shownAs: string): { files: Record<string, string | Uint8Array>; stored: number } {
  const strings = rawStringsFor(profile.firmware);
  const stored = pretokenise(code, { strings, file: shownAs });
  const form = storageForm(profile.target, {
    from: STORED_IMAGE, bytes: stored.length, sha256: sha256Bytes(stored),
    pretokenised: { firmware: profile.firmware, strings },
    raw: { from: ESPRUINO_IMAGE, bytes: code.length, sha256: sha256Bytes(code) },
  });
  return { files: { [STORED_IMAGE]: Buffer.from(stored, 'latin1'), 'storage.json': JSON.stringify(form, null, 2) + '\n' }, stored: stored.length };
}
