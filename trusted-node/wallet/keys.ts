/**
 * Wallet keys. A key is named on the command line as `demo:<name>` (the demo genesis accounts,
 * whose keys are public knowledge) or as the path of a key file: 64 lowercase hex characters
 * of an Ed25519 secret key, created with mode 0600 and never overwritten.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { publicKeyOf } from '../../protocol/tx.ts';
import { fromHex, toHex } from '../bytes.ts';
import { NodeError } from '../errors.ts';
import { DEMO_ACCOUNT_NAMES, demoSecretKey } from '../ledger/genesis.ts';

/** A secret key and its public key (the account address). */
export interface WalletKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Creates a new key file at `path` (refuses to overwrite); returns the key. */
export function createKeyFile(path: string): WalletKey {
  const secretKey = new Uint8Array(randomBytes(32));
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NodeError('bad_request', code === 'EEXIST' ? `${path} exists: a key file is never overwritten` : `cannot create ${path}: ${code}`, { where: path });
  }
  try {
    writeSync(fd, toHex(secretKey) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

/** The key named by `spec` (`demo:<name>` or a key file path). */
export function loadKey(spec: string): WalletKey {
  const secretKey = spec.startsWith('demo:') ? demoKey(spec.slice(5)) : readKeyFile(spec);
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

/** An account address: 64 hex characters, `demo:<name>`, or a key file's public key. */
export function resolveAccount(spec: string): Uint8Array {
  if (/^[0-9a-f]{64}$/.test(spec)) return fromHex(spec);
  return loadKey(spec).publicKey;
}

function demoKey(name: string): Uint8Array {
  if (!(DEMO_ACCOUNT_NAMES as readonly string[]).includes(name)) {
    throw new NodeError('bad_request', `no demo account "${name}"`, { where: `demo:${name}`, hint: `demo accounts: ${DEMO_ACCOUNT_NAMES.map((n) => 'demo:' + n).join(', ')}` });
  }
  return demoSecretKey(name);
}

function readKeyFile(path: string): Uint8Array {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new NodeError('bad_request', `cannot read key file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      where: path,
      hint: 'name a key file made by "micromine wallet new", or a demo account such as demo:alice',
    });
  }
  if ((mode & 0o077) !== 0) throw new NodeError('bad_request', `key file ${path} is readable by other users`, { where: path, hint: `chmod 600 ${path}` });
  if (!/^[0-9a-f]{64}$/.test(text)) throw new NodeError('bad_request', `key file ${path} expected 64 lowercase hex characters`, { where: path });
  return fromHex(text);
}
