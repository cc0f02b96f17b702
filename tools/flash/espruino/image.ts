/**
 * Which bytes `micromine flash` puts in Storage: a build directory's upload form
 * (`storage.json`, docs/flashing.md) names the file and its SHA-256, and the file must match it
 * before anything reaches a board; a file given directly is uploaded as it is. Bytes are read as
 * a byte string (one character per byte): the pretokenised image holds bytes of 128 and more.
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ToolError } from '../../provision/errors.ts';
import { sha256Hex } from './flash.ts';

/** The bytes to flash and where they came from. */
export interface FlashImage {
  /** the file read */
  readonly path: string;
  readonly bytes: string;
}

/** Reads the image at `path`: a build directory (its storage.json's file) or a file. */
export function readEspruinoImage(path: string, target: string): FlashImage {
  const rebuild = `build it first: micromine build --target ${target}`;
  if (!existsSync(path)) throw new ToolError('missing_image', `no image at ${path}`, { where: path, hint: rebuild });
  if (!statSync(path).isDirectory()) return checked(path, readFileSync(path, 'latin1'));
  const formPath = join(path, 'storage.json');
  if (!existsSync(formPath)) throw new ToolError('missing_image', `no storage.json in ${path}`, { where: path, hint: rebuild });
  let entry: { from?: unknown; bytes?: unknown; sha256?: unknown } | undefined;
  try {
    entry = (JSON.parse(readFileSync(formPath, 'utf8')) as { files?: (typeof entry)[] }).files?.[0];
  } catch (error) {
    throw new ToolError('bad_input', `${formPath} is not JSON: ${(error as Error).message}`, { where: formPath, hint: rebuild });
  }
  if (typeof entry?.from !== 'string' || typeof entry.sha256 !== 'string') {
    throw new ToolError('bad_input', `${formPath}: "files[0]" names no file with its sha256`, { where: formPath, hint: rebuild });
  }
  const file = join(path, entry.from);
  if (!existsSync(file)) throw new ToolError('missing_image', `no ${entry.from} in ${path} (named by storage.json)`, { where: file, hint: rebuild });
  const bytes = readFileSync(file, 'latin1');
  const found = sha256Hex(bytes);
  if (found !== entry.sha256 || bytes.length !== entry.bytes) {
    throw new ToolError('bad_input', `${file} is ${bytes.length} bytes with SHA-256 ${found.slice(0, 16)}..., storage.json says ${String(entry.bytes)} bytes with ${entry.sha256.slice(0, 16)}...`, {
      where: file,
      hint: `the build directory was changed after the build; ${rebuild}`,
    });
  }
  return checked(file, bytes);
}

function checked(path: string, bytes: string): FlashImage {
  if (bytes.length === 0) throw new ToolError('missing_image', `the image ${path} is empty`, { where: path });
  return { path, bytes };
}
