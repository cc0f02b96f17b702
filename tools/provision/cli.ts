/**
 * `micromine provision`: create a device identity, register it with a trusted node and write its
 * configuration for its runtime. The key is never printed unless `--show-key` asks for it.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '../../firmware/core/hex.ts';
import { DEVICE_PROFILES } from '../../protocol/device-config.ts';
import { parseOptions, required } from './args.ts';
import { ToolError, exitStatusOf, formatError } from './errors.ts';
import { provisionDevice } from './provision.ts';

const USAGE = `usage: micromine provision --target <target> --owner <account> [options]

  --target <target>         device profile: ${DEVICE_PROFILES.join(', ')}
  --owner <account>         account credited with the rewards (Ed25519 public key, 64 hex)
  --node-http <url>         the trusted node's HTTP address (default http://127.0.0.1:7071)
  --node <host:port>        the address the device connects to (default: node-http host, port 7070)
  --admin-token <token>     admin bearer token
  --admin-token-file <file> file holding it (default .data/node/admin.token)
  --out <dir>               device directory to create (default .data/devices/<id>)
  --show-key                print the device key (hex)
  --json                    print the result as JSON
  --help                    this text`;

const OPTIONS = {
  target: 'string', owner: 'string', 'node-http': 'string', node: 'string', 'admin-token': 'string',
  'admin-token-file': 'string', out: 'string', 'show-key': 'boolean', json: 'boolean', help: 'boolean',
} as const;

/** The node's default data directory (docs/decisions.md). */
const DEFAULT_TOKEN_FILE = join('.data', 'node', 'admin.token');

function adminToken(token: string | undefined, file: string | undefined): string {
  if (token !== undefined && file !== undefined) throw new ToolError('usage', 'give --admin-token or --admin-token-file, not both', { where: '--admin-token' });
  if (token !== undefined) return token;
  const path = file ?? DEFAULT_TOKEN_FILE;
  if (file === undefined && !existsSync(path)) {
    throw new ToolError('usage', 'no admin token: neither --admin-token nor --admin-token-file was given, and .data/node/admin.token does not exist', { where: '--admin-token-file', hint: 'the node writes <data>/admin.token on its first start' });
  }
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ToolError('usage', `cannot read the admin token file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { where: path });
  }
}

/** Runs `micromine provision` with `args` (without the command name); resolves to the exit status. */
export async function main(args: string[]): Promise<number> {
  try {
    const options = parseOptions('micromine provision', args, OPTIONS);
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    const result = await provisionDevice({
      target: required('micromine provision', 'target', options.target, `one of ${DEVICE_PROFILES.join(', ')}`),
      owner: required('micromine provision', 'owner', options.owner, 'the account credited with the device\'s rewards'),
      nodeHttp: options['node-http'] ?? 'http://127.0.0.1:7071',
      node: options.node,
      adminToken: adminToken(options['admin-token'], options['admin-token-file']),
      out: options.out,
    });
    const { config } = result.record;
    if (options.json) {
      const json: Record<string, unknown> = { id: config.id, profile: config.profile, tier: config.tier, node: config.node, owner: result.record.owner, dir: result.dir, files: result.files, registered: result.registered };
      if (options['show-key']) json.key = bytesToHex(config.key);
      console.log(JSON.stringify(json));
      return 0;
    }
    const lines = [
      `provisioned device ${config.id} (${config.profile}, tier ${config.tier}, owner ${result.record.owner})`,
      `  registered with ${result.record.nodeHttp}`,
      `  the device connects to ${config.node}`,
      `  wrote ${result.dir}/: ${result.files.join(', ')} (mode 0600)`,
      options['show-key'] ? `  key: ${bytesToHex(config.key)}` : '  key: not shown (--show-key prints it)',
    ];
    if (/^(localhost|127\.|\[?::1)/.test(config.node)) lines.push(`  note: ${config.node} is this machine's loopback: a board cannot reach it; pass --node <lan address>:7070 for real hardware`);
    lines.push(`next: micromine flash --target ${config.profile} --device ${result.dir} ${config.profile.startsWith('espruino-') ? '--port <serial path | tcp://host>' : '--board <subplatform>'}`);
    console.log(lines.join('\n'));
    return 0;
  } catch (error) {
    console.error(formatError(error));
    if (error instanceof ToolError && error.code === 'usage') console.error('\n' + USAGE);
    return exitStatusOf(error);
  }
}
