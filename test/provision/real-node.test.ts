// Provisioning against a real trusted node process (trusted-node/bin.ts on loopback, its own data
// directory and admin token), not a stand-in: registration, the node's view of the device, and its
// refusals as the client reports them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../tools/provision/cli.ts';
import { registerDevice } from '../../tools/provision/register.ts';
import { readDeviceDirectory } from '../../tools/provision/device-dir.ts';
import { ToolError } from '../../tools/provision/errors.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let work: string;
let node: ChildProcess;
let url: string;

test.before(async () => {
  work = mkdtempSync(join(tmpdir(), 'mm-real-node-'));
  node = spawn(process.execPath, ['--import', 'tsx', join(root, 'trusted-node', 'bin.ts'), '--data', join(work, 'node'), '--http-port', '0', '--block-interval', '0'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let log = '';
    node.stderr!.setEncoding('utf8');
    node.stderr!.on('data', (chunk: string) => {
      log += chunk;
      const started = log.split('\n').map((line) => { try { return JSON.parse(line); } catch { return null; } }).find((event) => event?.msg === 'node_started' || event?.event === 'node_started');
      if (started) resolve(`http://127.0.0.1:${started.httpPort}`);
    });
    node.once('exit', (code) => reject(new Error(`the node exited with ${code}: ${log}`)));
  });
});

test.after(async () => {
  const exited = new Promise((resolve) => node.once('exit', resolve));
  node.kill('SIGTERM');
  await exited;
  rmSync(work, { recursive: true, force: true });
});

const OWNER = 'ef'.repeat(32);

test('provision registers the device with the real node; the node lists it without its key', async () => {
  const log = console.log;
  let out = '';
  console.log = (text: string) => { out += text; };
  let status: number;
  try {
    status = await main(['--target', 'espruino-esp32', '--owner', OWNER, '--node-http', url, '--admin-token-file', join(work, 'node', 'admin.token'), '--node', '10.1.2.3:7070', '--out', join(work, 'dev'), '--json']);
  } finally {
    console.log = log;
  }
  assert.is(status, 0);
  const result = JSON.parse(out) as { id: string; registered: Record<string, unknown> };
  assert.is(result.registered.id, result.id);
  assert.is(result.registered.owner, OWNER);
  const listed = await (await fetch(`${url}/devices`)).text();
  assert.ok(listed.includes(result.id), 'GET /devices lists the new device');
  const key = Buffer.from(readDeviceDirectory(join(work, 'dev')).config.key).toString('hex');
  assert.not.ok(listed.includes(key) || JSON.stringify(result.registered).includes(key), 'the node never returns the key');
});

test('the real node\'s refusals come back as named errors', async () => {
  const token = readFileSync(join(work, 'node', 'admin.token'), 'utf8').trim();
  const device = { id: '0011223344556677', key: new Uint8Array(32).fill(1), profile: 'espruino-esp32' as const, tier: 'hash' as const, owner: OWNER };
  await registerDevice({ nodeHttp: url, adminToken: token }, device);
  const refusal = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      assert.instance(error, ToolError);
      return error as ToolError;
    }
    throw new Error('expected a refusal');
  };
  const conflict = await refusal(() => registerDevice({ nodeHttp: url, adminToken: token }, device));
  assert.is(conflict.code, 'conflict');
  const badToken = await refusal(() => registerDevice({ nodeHttp: url, adminToken: 'x'.repeat(40) }, { ...device, id: '8899aabbccddeeff' }));
  assert.is(badToken.code, 'unauthorized');
  const badTier = await refusal(() => registerDevice({ nodeHttp: url, adminToken: token }, { ...device, id: '8899aabbccddeeff', tier: 'sig' }));
  assert.is(badTier.code, 'node_refused');
  assert.match(badTier.message, /tier/);
});

test.run();
