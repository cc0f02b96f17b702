// The commands of `micromine`: what each does, its flags, examples, and the part that runs it.
// This table is the one source of the CLI's help, of the flag check that names a misspelt flag
// (with the nearest known one) before any work starts, and of docs/cli.md's tables (a test keeps
// the three and each part's own usage text in step).
import type { Terminal } from './terminal.ts';

/** A flag: `--name` alone (a switch) or `--name VALUE` / `--name=VALUE`. */
export interface FlagSpec {
  readonly name: string;
  /** the value's placeholder; absent for a switch */
  readonly value?: string;
  /** may be given more than once */
  readonly repeat?: boolean;
  readonly help: string;
}

/** An example command line and what it does. */
export interface Example {
  readonly command: string;
  readonly does: string;
}

/** Runs a command with the arguments after its name; resolves to the exit code. */
export type Runner = (args: string[], terminal: Terminal) => Promise<number>;

/** A command (or a subcommand: `node verify`). */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** the synopsis after `micromine ` */
  readonly synopsis: string;
  readonly flags: readonly FlagSpec[];
  /** what positional arguments mean (e.g. `FILE…`); absent when the command takes none */
  readonly positionals?: string;
  /** subcommands; with `defaultRun`, the command itself runs when none is named */
  readonly subcommands?: readonly CommandSpec[];
  readonly examples: readonly Example[];
  /** what the command's exit codes mean beyond the common ones */
  readonly exits?: readonly string[];
  /** loads the part and runs it (the parent's runner also runs its subcommands) */
  readonly run?: Runner;
  /** true when the command without a subcommand is itself a command (node runs the node) */
  readonly defaultRun?: boolean;
}

const json: FlagSpec = { name: '--json', help: 'print the result as JSON on stdout (progress and errors stay on stderr)' };

/** The device flags of `micromine node` and `micromine node add-device`, shared by their specs. */
const dataFlag = (what: string): FlagSpec => ({ name: '--data', value: 'DIR', help: what });

const build: CommandSpec = {
  name: 'build',
  summary: 'build, lint and measure the device images (dist/<target>/)',
  synopsis: 'build [--target T]… [--check] [--json] [--tcp ecma-419|socket] [--debug]',
  flags: [
    { name: '--target', value: 'T', repeat: true, help: 'build only this target (default: every profile in manifests/profiles)' },
    { name: '--check', help: 'exit 1 when an image exceeds its byte budget (manifests/budgets)' },
    json,
    { name: '--tcp', value: 'ecma-419|socket', help: 'the Moddable TCP module the image uses (default ecma-419)' },
    { name: '--debug', help: 'keep the device\'s debug logs (release images drop them; not with --check)' },
  ],
  examples: [
    { command: 'micromine build', does: 'build all five targets and print their sizes against the budgets' },
    { command: 'micromine build --target espruino-esp32 --check', does: 'build one image and fail if it is over budget' },
  ],
  exits: ['1: a build error (type error, lint finding) or, with --check, an image over budget'],
  run: async (args) => (await import('../build/cli.ts')).main(args),
};

const lint: CommandSpec = {
  name: 'lint',
  summary: 'check JavaScript files for what the target runtime cannot run',
  synopsis: 'lint --runtime espruino|xs [--global NAME]… [--json] FILE…',
  flags: [
    { name: '--runtime', value: 'espruino|xs', help: 'the runtime the files must run on' },
    { name: '--global', value: 'NAME', repeat: true, help: 'a global the runtime provides besides its own (e.g. an appliance API)' },
    json,
  ],
  positionals: 'FILE…',
  examples: [
    { command: 'micromine lint --runtime espruino dist/espruino-esp32/micromine.js', does: 'list every feature Espruino lacks, with its source location' },
  ],
  exits: ['1: findings'],
  run: async (args) => (await import('../lint/cli.ts')).main(args),
};

const sim: CommandSpec = {
  name: 'sim',
  summary: 'run a fleet of simulated devices (the dist/ images in the XS engine under their profiles) against a trusted node',
  synopsis: 'sim --profile P[,P…] [--devices N] [--units M] [--seed S] [--faults] [--node HOST:PORT] [--json] [--calibrate]',
  flags: [
    { name: '--profile', value: 'P[,P…]', help: 'device profiles, assigned to the devices in turn' },
    { name: '--devices', value: 'N', help: 'devices in the fleet (default 1)' },
    { name: '--units', value: 'M', help: 'units each device completes (default 1)' },
    { name: '--seed', value: 'S', help: 'seed of everything random: same seed, same report (default 1)' },
    { name: '--faults', help: 'inject faults: message loss and delay, disconnects, node restarts, power cuts, slow CPU, flash corruption' },
    { name: '--node', value: 'HOST:PORT', help: 'use a running node (admin token in MICROMINE_ADMIN_TOKEN) instead of one started in-process' },
    json,
    { name: '--calibrate', help: 'print what to measure on a real board to replace each estimated profile figure' },
  ],
  examples: [
    { command: 'micromine sim --profile moddable-esp32,espruino-esp32 --devices 4 --units 3 --seed 7', does: 'two devices of each tier, three units each, then the report per device' },
    { command: 'micromine sim --profile espruino-esp32c3 --devices 8 --units 2 --faults', does: 'the same under injected faults, each counted with its effect' },
  ],
  exits: ['1: a device stopped (out of memory, CPU budget, threw) or a power-cut invariant broke'],
  run: async (args, terminal) => (await import('../../host-sim/cli.ts')).main(args, terminal),
};

const nodeVerify: CommandSpec = {
  name: 'verify',
  summary: 're-check the whole chain in a data directory',
  synopsis: 'node verify [--data DIR] [--json]',
  flags: [dataFlag('the node\'s data directory (default .data/node)'), json],
  examples: [{ command: 'micromine node verify --data .data/start/node', does: 'replay every block of the npm start ledger and name the first inconsistency' }],
  exits: ['1: the chain is inconsistent'],
};

const nodeAddDevice: CommandSpec = {
  name: 'add-device',
  summary: 'register a device in a stopped node\'s registry (prints its key once)',
  synopsis: 'node add-device --profile P --owner HEX [--id ID] [--key HEX] [--tier T] [--data DIR]',
  flags: [
    { name: '--profile', value: 'P', help: 'the device profile (a target name, e.g. moddable-esp32)' },
    { name: '--owner', value: 'HEX', help: 'the account (64 hex) the device\'s rewards are paid to' },
    { name: '--id', value: 'ID', help: 'device id, 16 hex (default: random)' },
    { name: '--key', value: 'HEX', help: 'device key, 64 hex (default: random)' },
    { name: '--tier', value: 'T', help: 'hash or sig (default: the profile\'s)' },
    dataFlag('the node\'s data directory (default .data/node)'),
  ],
  examples: [{ command: 'micromine node add-device --profile espruino-esp32 --owner <64 hex>', does: 'register a hash-tier device and print its id and key as JSON' }],
};

const node: CommandSpec = {
  name: 'node',
  summary: 'run a trusted node (device TCP port and HTTP API), verify its chain, add devices',
  synopsis: 'node [--data DIR] [--port P] [--http-port H] [--host H] [--genesis FILE] [--block-interval MS] [--log-level L]',
  flags: [
    dataFlag('data directory (default .data/node); created and marked on first start'),
    { name: '--port', value: 'P', help: 'device TCP port (default 7070)' },
    { name: '--http-port', value: 'H', help: 'HTTP port (default 7071)' },
    { name: '--host', value: 'H', help: 'address to bind (default 127.0.0.1: loopback only)' },
    { name: '--genesis', value: 'FILE', help: 'genesis JSON for a new ledger (default: the demo chain)' },
    { name: '--block-interval', value: 'MS', help: 'time between blocks (default 2000; 0: no timer)' },
    { name: '--log-level', value: 'L', help: 'debug, info, warn or error (default info)' },
  ],
  subcommands: [nodeVerify, nodeAddDevice],
  defaultRun: true,
  examples: [
    { command: 'micromine node', does: 'serve devices on 127.0.0.1:7070 and the HTTP API on :7071 from .data/node (Ctrl-C stops it cleanly)' },
    { command: 'micromine node verify --json', does: 'check the chain and print the verdict as JSON' },
  ],
  exits: ['3: a port in use, or a data directory that is not a node\'s or is in use'],
  run: async (args) => {
    const [{ main }, { deviceServer }] = await Promise.all([import('../../trusted-node/cli.ts'), import('../../trusted-node/devices/server.ts')]);
    return main(args, { deviceServer: deviceServer() });
  },
};

const nodeHttp: FlagSpec = { name: '--node-http', value: 'URL', help: 'the node\'s HTTP address (default http://127.0.0.1:7071)' };
const walletKey: FlagSpec = { name: '--key', value: 'KEY', help: 'demo:alice, demo:bob, demo:carol, or a key file' };

const wallet: CommandSpec = {
  name: 'wallet',
  summary: 'make keys, read balances and send transfers (valid or deliberately broken)',
  synopsis: 'wallet new|address|balance|transfer [flags]',
  flags: [],
  subcommands: [
    { name: 'new', summary: 'make a key file (mode 0600)', synopsis: 'wallet new --out FILE', flags: [{ name: '--out', value: 'FILE', help: 'the key file to create (never overwritten)' }], examples: [{ command: 'micromine wallet new --out my.key', does: 'create a key and print its account' }] },
    { name: 'address', summary: 'print the account (public key) of a key', synopsis: 'wallet address --key KEY', flags: [walletKey], examples: [{ command: 'micromine wallet address --key demo:alice', does: 'print alice\'s account' }] },
    {
      name: 'balance', summary: 'print an account\'s balance and nonces', synopsis: 'wallet balance (--key KEY | --account ACCOUNT) [--node-http URL]',
      flags: [walletKey, { name: '--account', value: 'ACCOUNT', help: '64 hex, demo:<name> or a key file' }, nodeHttp],
      examples: [{ command: 'micromine wallet balance --account demo:bob', does: 'ask the local node for bob\'s balance' }],
    },
    {
      name: 'transfer', summary: 'sign and submit a transfer', synopsis: 'wallet transfer --key KEY --to ACCOUNT --amount N [--fee N] [--nonce N] [--defect D] [--wait] [--node-http URL]',
      flags: [
        walletKey,
        { name: '--to', value: 'ACCOUNT', help: '64 hex, demo:<name> or a key file' },
        { name: '--amount', value: 'N', help: 'amount in base units' },
        { name: '--fee', value: 'N', help: 'fee (default: the chain\'s minimum)' },
        { name: '--nonce', value: 'N', help: 'nonce (default: the next one)' },
        { name: '--defect', value: 'D', help: 'bad-signature, overspend, wrong-nonce, low-fee, wrong-chain or duplicate: exit 0 when the node rejects it for that reason' },
        { name: '--wait', help: 'wait until the transfer is in a block' },
        nodeHttp,
      ],
      examples: [
        { command: 'micromine wallet transfer --key demo:alice --to demo:bob --amount 5 --wait', does: 'pay bob 5 and wait for the block' },
        { command: 'micromine wallet transfer --key demo:alice --to demo:bob --amount 5 --defect low-fee', does: 'show the node refusing a fee below its minimum' },
      ],
    },
  ],
  examples: [{ command: 'micromine wallet transfer --key demo:alice --to demo:bob --amount 5 --wait', does: 'pay bob 5 and wait for the block' }],
  exits: ['1: the node rejected the transfer (or, with --defect, did not reject it for that reason); 3: the node is unreachable'],
  run: async (args) => (await import('../../trusted-node/wallet/cli.ts')).walletMain(args),
};

const report: CommandSpec = {
  name: 'report',
  summary: 'budget report: image bytes, peak RAM and computrons per target against budget and baseline',
  synopsis: 'report [--check] [--update-baseline] [--target T]… [--out DIR] [--manifests DIR] [--json]',
  flags: [
    { name: '--check', help: 'exit 1 when a figure exceeds its budget or regresses past manifests/tolerance.json against the baseline' },
    { name: '--update-baseline', help: 'write the measured figures as the new baseline (manifests/baseline.json)' },
    { name: '--target', value: 'T', repeat: true, help: 'measure only this target (default: all)' },
    { name: '--out', value: 'DIR', help: 'where budgets.json, budgets.md and budgets.svg go (default reports/)' },
    { name: '--manifests', value: 'DIR', help: 'profiles, budgets, tolerance and baseline from another directory (default manifests/)' },
    json,
  ],
  examples: [
    { command: 'micromine report', does: 'build every target, run the standard workload, write reports/budgets.{json,md,svg}' },
    { command: 'micromine report --check', does: 'what CI runs: fail naming each figure over budget or regressed, and by how much' },
  ],
  exits: ['1: with --check, a figure over budget or regressed'],
  run: async (args, terminal) => (await import('../report/cli.ts')).main(args, terminal),
};

const bench: CommandSpec = {
  name: 'bench',
  summary: 'performance figures of the whole system in one table, saved as JSON to compare runs',
  synopsis: 'bench [--quick] [--out DIR] [--json]',
  flags: [
    { name: '--quick', help: 'smaller fleet and shorter load (a smoke run; figures not comparable with full runs)' },
    { name: '--out', value: 'DIR', help: 'where bench.json and bench-history.jsonl go (default reports/)' },
    json,
  ],
  examples: [{ command: 'micromine bench', does: 'measure everything, print the table with the change since the last run' }],
  run: async (args, terminal) => (await import('../bench/cli.ts')).main(args, terminal),
};

const flash: CommandSpec = {
  name: 'flash',
  summary: 'put a built image and a provisioned device\'s configuration on a board',
  synopsis: 'flash --target T --device DIR [flags]',
  flags: [
    { name: '--target', value: 'T', help: 'the image\'s target (espruino-esp32, moddable-esp32s3, ...)' },
    { name: '--device', value: 'DIR', help: 'a provisioned device directory (micromine provision writes it)' },
    { name: '--image', value: 'PATH', help: 'the build (default dist/<target>/: for Espruino the pretokenised file its storage.json names; a file is uploaded as it is)' },
    { name: '--port', value: 'PORT', help: 'Espruino: serial path or tcp://host[:23]; Moddable: serial path (else UPLOAD_PORT)' },
    { name: '--baud', value: 'RATE', help: 'Espruino serial baud rate (default 115200)' },
    { name: '--no-start', help: 'Espruino: do not start the new program after switching to it' },
    { name: '--board', value: 'SUBPLATFORM', help: 'Moddable board, e.g. nodemcu or esp32/nodemcu (default: the profile\'s)' },
    { name: '--install', value: 'full|mod', help: 'Moddable: build and flash a host with mcconfig (full), or install a mod with mcrun' },
    { name: '--build', value: 'debug|instrumented|release', help: 'Moddable build kind (default debug)' },
    { name: '--project', value: 'DIR', help: 'Moddable project directory (default <device dir>/moddable-<install>)' },
    { name: '--dry-run', help: 'show every step (Espruino: the exact bytes) without writing to the board' },
    { name: '--show-key', help: 'in a dry run, show the mm.cfg bytes too (they carry the device key)' },
    { name: '--verbose', help: 'show the uploader\'s log and the toolchain\'s full output' },
  ],
  examples: [
    { command: 'micromine flash --target espruino-esp32 --device .data/devices/<id> --dry-run', does: 'show the exact bytes a flash would send, without a board' },
    { command: 'micromine flash --target espruino-esp32 --device .data/devices/<id> --port /dev/ttyUSB0', does: 'flash over serial, read back, then switch the boot slot' },
  ],
  exits: ['3: the board, the Moddable toolchain or its environment is missing'],
  run: async (args) => (await import('../flash/cli.ts')).main(args),
};

const provision: CommandSpec = {
  name: 'provision',
  summary: 'create a device identity, register it with a node, write its configuration',
  synopsis: 'provision --target T --owner ACCOUNT [flags]',
  flags: [
    { name: '--target', value: 'T', help: 'the device profile (a target name)' },
    { name: '--owner', value: 'ACCOUNT', help: 'account credited with the rewards (Ed25519 public key, 64 hex)' },
    nodeHttp,
    { name: '--node', value: 'HOST:PORT', help: 'the address the device connects to (default: the --node-http host, port 7070)' },
    { name: '--admin-token', value: 'TOKEN', help: 'admin bearer token' },
    { name: '--admin-token-file', value: 'FILE', help: 'file holding it (default .data/node/admin.token)' },
    { name: '--out', value: 'DIR', help: 'device directory to create (default .data/devices/<id>)' },
    { name: '--show-key', help: 'print the device key (hex)' },
    json,
  ],
  examples: [{ command: 'micromine provision --target espruino-esp32 --owner <64 hex> --node 192.168.1.10:7070', does: 'register a device with the local node and write .data/devices/<id>/' }],
  exits: ['3: the node is unreachable'],
  run: async (args) => (await import('../provision/cli.ts')).main(args),
};

const start: CommandSpec = {
  name: 'start',
  summary: 'the main job (npm start): build, start a node, send demo transfers, run a mixed fleet until blocks settle, summarize',
  synopsis: 'start [--data DIR] [--fresh] [--blocks N] [--port P] [--http-port H] [--json]',
  flags: [
    dataFlag('where the run keeps its node and devices (default .data/start; reused when it is a previous run\'s)'),
    { name: '--fresh', help: 'delete the previous run\'s data directory first (only one start made)' },
    { name: '--blocks', value: 'N', help: 'settle this many blocks before stopping (default 3)' },
    { name: '--port', value: 'P', help: 'device TCP port (default: any free port)' },
    { name: '--http-port', value: 'H', help: 'HTTP port (default: any free port)' },
    json,
  ],
  examples: [
    { command: 'npm start', does: 'the same as micromine start: under a minute, then the summary and where the reports are' },
    { command: 'micromine start --fresh --blocks 5', does: 'start over from genesis and settle five blocks' },
  ],
  exits: ['1: the fleet did not settle the blocks, or an invalid transfer was accepted; 3: a port in use, or a data directory that is not a start run\'s'],
  run: async (args, terminal) => (await import('./start/cli.ts')).main(args, terminal),
};

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CommandSpec[] = [start, build, lint, sim, node, wallet, report, bench, flash, provision];

/** The spec of a top-level command (for the commands the CLI runs itself). */
export function specOf(name: string): CommandSpec {
  const spec = COMMANDS.find((c) => c.name === name);
  if (spec === undefined) throw new RangeError(`"name" expected a command, got ${JSON.stringify(name)}`);
  return spec;
}
