/**
 * The node's data directory: created on first start and marked as ours by `micromine-node.json`,
 * so that a typo in `--data` never turns someone's home folder into a ledger. It holds the SQLite
 * database and the admin token (`admin.token`, mode 0600).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NodeError } from './errors.ts';

/** Name of the marker file that says a directory belongs to a micromine node. */
export const MARKER_FILE = 'micromine-node.json';
/** Name of the admin bearer token file. */
export const TOKEN_FILE = 'admin.token';
/** Name of the SQLite database file. */
export const DATABASE_FILE = 'ledger.sqlite';
/** Name of the lock file a running node holds (its process id). */
export const LOCK_FILE = 'node.lock';

const MARKER_KIND = 'micromine-node';

/** An opened data directory. */
export interface DataDir {
  /** Absolute path of the directory. */
  readonly path: string;
  /** Path of the SQLite database file inside it. */
  readonly databasePath: string;
  /** The admin bearer token (64 lowercase hex characters). */
  readonly adminToken: string;
  /** True when this call created the marker (first start). */
  readonly created: boolean;
}

/** Options of {@link openDataDir}. */
export interface OpenDataDirOptions {
  /** Create the directory (and the marker) when missing or empty. Default true; tools that only read pass false. */
  readonly create?: boolean;
}

/**
 * Opens (and on first start creates) a data directory. Refuses a non-empty directory without
 * our marker, a marker of another kind, and an admin token readable by group or others.
 */
export function openDataDir(dir: string, options: OpenDataDirOptions = {}): DataDir {
  const path = resolve(dir);
  const create = options.create ?? true;
  const entries = listDirectory(path);
  let created = false;
  if (entries === undefined || entries.length === 0) {
    if (!create) throw new NodeError('data_dir', `no micromine node data in ${path}`, { where: path, hint: 'start the node once with --data pointing here, or pass the right --data' });
    mkdirSync(path, { recursive: true, mode: 0o700 });
    writeFileAtomic(join(path, MARKER_FILE), JSON.stringify({ kind: MARKER_KIND, version: 1, created: new Date().toISOString() }, null, 2) + '\n', 0o644);
    created = true;
  } else if (!entries.includes(MARKER_FILE)) {
    throw new NodeError('data_dir', `refusing to use ${path}: it is not empty and has no ${MARKER_FILE}`, {
      where: path,
      hint: 'pass --data with a new or empty directory, or the directory of an existing node',
    });
  } else {
    checkMarker(path);
  }
  return { path, databasePath: join(path, DATABASE_FILE), adminToken: readOrCreateToken(path, create), created };
}

function listDirectory(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new NodeError('data_dir', `${path} is a file, not a directory`, { where: path });
    throw new NodeError('data_dir', `cannot read ${path}: ${(error as Error).message}`, { where: path });
  }
}

function checkMarker(path: string): void {
  const file = join(path, MARKER_FILE);
  let marker: unknown;
  try {
    marker = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new NodeError('data_dir', `${file} is not valid JSON: ${(error as Error).message}`, { where: file });
  }
  if (typeof marker !== 'object' || marker === null || (marker as { kind?: unknown }).kind !== MARKER_KIND) {
    throw new NodeError('data_dir', `${file} does not mark a micromine node directory (expected "kind": "${MARKER_KIND}")`, { where: file });
  }
}

function readOrCreateToken(path: string, create: boolean): string {
  const file = join(path, TOKEN_FILE);
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    if (!create) throw new NodeError('data_dir', `${file} is missing`, { where: file, hint: 'start the node once to create it' });
    const token = randomBytes(32).toString('hex');
    writeFileAtomic(file, token + '\n', 0o600);
    return token;
  }
  if ((mode & 0o077) !== 0) {
    throw new NodeError('data_dir', `${file} is readable by other users (mode ${(mode & 0o777).toString(8)})`, { where: file, hint: `chmod 600 ${file}` });
  }
  const token = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(token)) throw new NodeError('data_dir', `${file} expected 64 lowercase hex characters`, { where: file, hint: 'delete it and restart the node to make a new one' });
  return token;
}

/**
 * Lock files this process holds. A lock naming our own pid but absent here was left by an
 * earlier process that had the same pid (a container's node is often pid 1 on every start).
 */
const heldLocks = new Set<string>();

/**
 * Takes the data directory's lock for this process, so that two nodes never serve the same
 * ledger from two in-memory states. A lock left by a process that no longer exists (a crash,
 * `kill -9`) is taken over. Returns the release function.
 */
export function lockDataDir(dir: DataDir): () => void {
  const file = join(dir.path, LOCK_FILE);
  if (heldLocks.has(file)) throw new NodeError('data_dir', `a node in this process is already using ${dir.path}`, { where: file, hint: 'stop it first, or use another --data directory' });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldLocks.add(file);
      return () => {
        heldLocks.delete(file);
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new NodeError('data_dir', `cannot create ${file}: ${(error as Error).message}`, { where: file });
    }
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && processExists(holder)) {
      throw new NodeError('data_dir', `another node (process ${holder}) is using ${dir.path}`, { where: file, hint: 'stop it first, or use another --data directory' });
    }
    unlinkSync(file);
  }
  throw new NodeError('data_dir', `cannot take the lock ${file}`, { where: file });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes a file completely or not at all: a temporary file, fsync, then rename over the target. */
function writeFileAtomic(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
