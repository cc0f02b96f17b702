/**
 * `micromine flash`: put a built image and a provisioned device's configuration on a board.
 * Espruino targets go over the console (serial or telnet) with EspruinoTools; Moddable targets
 * get a generated project that `mcconfig` (or `mcrun` for a mod) builds and flashes.
 * @module
 */
import { join } from 'node:path';
import { encodeEspruinoConfig, encodeModdablePreferences, preferencesToJson } from '../../protocol/device-config.ts';
import type { EspruinoProfile, XsProfile } from '../manifests/index.ts';
import { parseOptions, required } from '../provision/args.ts';
import { readDeviceDirectory, type DeviceRecord } from '../provision/device-dir.ts';
import { ToolError, exitStatusOf, formatError } from '../provision/errors.ts';
import { dryRunEspruino } from './espruino/dry-run.ts';
import { flashEspruino } from './espruino/flash.ts';
import { readEspruinoImage } from './espruino/image.ts';
import { moddablePlatform } from './moddable/boards.ts';
import { checkModdableEnvironment } from './moddable/environment.ts';
import { generateModdableProject, type InstallMode } from './moddable/project.ts';
import { moddableCommand, runModdableTool, type BuildKind } from './moddable/toolchain.ts';
import { profileOf } from './targets.ts';

const USAGE = `usage: micromine flash --target <target> --device <dir> [options]

  --target <target>      the image's target (espruino-esp32, moddable-esp32s3, ...)
  --device <dir>         a provisioned device directory (micromine provision writes it)
  --image <path>         the build (default dist/<target>/: for Espruino the pretokenised file its storage.json names; a file is uploaded as it is)
  --port <port>          Espruino: serial path or tcp://host[:23]; Moddable: serial path (else UPLOAD_PORT)
  --baud <rate>          Espruino serial baud rate (default 115200)
  --no-start             Espruino: do not start the new program after switching to it
  --board <subplatform>  Moddable board, e.g. nodemcu or esp32/nodemcu (default: the profile's)
  --install full|mod     Moddable: build and flash a host with mcconfig (full), or install a mod with mcrun
  --build debug|instrumented|release   Moddable build kind (default debug)
  --project <dir>        Moddable project directory (default <device dir>/moddable-<install>)
  --dry-run              show every step (Espruino: the exact bytes) without writing to the board
  --show-key             in a dry run, show the mm.cfg bytes too (they carry the device key)
  --verbose              show the uploader's log and the toolchain's full output
  --help                 this text`;

const OPTIONS = {
  target: 'string', device: 'string', image: 'string', port: 'string', baud: 'string', 'no-start': 'boolean', board: 'string',
  install: 'string', build: 'string', project: 'string', 'dry-run': 'boolean', 'show-key': 'boolean', verbose: 'boolean', help: 'boolean',
} as const;

type Options = ReturnType<typeof parseOptions<typeof OPTIONS>>;
const ESPRUINO_ONLY = ['baud', 'no-start', 'show-key'] as const;
const MODDABLE_ONLY = ['board', 'install', 'build', 'project'] as const;

function print(line: string): void {
  process.stdout.write(line + '\n');
}

function device(options: Options, target: string): DeviceRecord {
  const dir = required('micromine flash', 'device', options.device, 'the directory micromine provision wrote, e.g. .data/devices/<id>');
  const record = readDeviceDirectory(dir);
  if (record.config.profile !== target) {
    throw new ToolError('bad_input', `device ${record.config.id} was provisioned as ${record.config.profile}, not ${target}`, { where: dir, hint: `flash it with --target ${record.config.profile}, or provision a new device for ${target}` });
  }
  return record;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ToolError('usage', `--${name} expected ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { where: `--${name}` });
}

function bytesLines(bytes: string): string[] {
  return bytes.split(/(?<=\n)/).map((line) => `    ${JSON.stringify(line)}`);
}

/** Replaces the base64 chunks of `config` (EspruinoTools uploads 384 bytes per chunk) in `bytes`: they carry the key. */
function redactConfig(bytes: string, config: string): string {
  let redacted = bytes;
  for (let i = 0; i < config.length; i += 384) {
    const chunk = Buffer.from(config.slice(i, i + 384), 'latin1').toString('base64');
    redacted = redacted.split(chunk).join(`<mm.cfg bytes ${i}-${Math.min(i + 384, config.length) - 1} as base64: hidden, --show-key shows them>`);
  }
  return redacted;
}

async function flashEspruinoTarget(options: Options, profile: EspruinoProfile, record: DeviceRecord): Promise<void> {
  const { path: imagePath, bytes: image } = readEspruinoImage(options.image ?? join('dist', profile.target), profile.target);
  let baud: number | undefined;
  if (options.baud !== undefined) {
    baud = Number(options.baud);
    if (!Number.isInteger(baud) || baud <= 0) throw new ToolError('usage', `--baud expected a positive integer, got ${JSON.stringify(options.baud)}`, { where: '--baud' });
  }
  const config = encodeEspruinoConfig(record.config);
  // The uploader's log repeats what it sends and receives, mm.cfg included: redact the key there too.
  const log = options.verbose ? (line: string) => { process.stderr.write(`  | ${options['show-key'] ? line : redactConfig(line, config)}\n`); } : undefined;
  const common = { profile, image, config, baud, start: !options['no-start'], log };
  if (options['dry-run']) {
    const dry = await dryRunEspruino({ ...common, port: options.port });
    print(`dry run: flash ${imagePath} (${image.length} bytes) and mm.cfg of device ${record.config.id} to ${options.port ?? 'a fresh board'}`);
    print(dry.probed ? `  (board state read from ${options.port}; nothing was written to it)` : `  (no --port: assuming a fresh ${profile.board.name} board on Espruino)`);
    for (const [i, step] of dry.steps.entries()) {
      print(`${i + 1}. ${step.title}: ${step.bytes.length} bytes sent`);
      bytesLines(options['show-key'] ? step.bytes : redactConfig(step.bytes, common.config)).forEach((line) => print(line));
    }
    print(`result: program in ${dry.result.slot} (SHA-256 ${dry.result.imageSha256}), boot switched after read-back${dry.result.removed.length ? `, ${dry.result.removed.join(', ')} erased` : ''}`);
    return;
  }
  const port = required('micromine flash', 'port', options.port, 'a serial path (/dev/ttyUSB0) or tcp://<board address> (telnet, port 23)');
  print(`flash ${imagePath} (${image.length} bytes) and mm.cfg of device ${record.config.id} to ${port}`);
  const result = await flashEspruino({ ...common, port, onStep: (step) => print(`- ${step.title}`) });
  print(`done: Espruino ${result.state.env.VERSION} on ${result.state.env.BOARD} runs ${result.slot} (SHA-256 ${result.imageSha256.slice(0, 16)}...)` +
    (result.previousSlot ? `, replacing ${result.previousSlot}` : '') + (options['no-start'] ? '; starts at the next boot' : '; started'));
}

async function flashModdableTarget(options: Options, profile: XsProfile, record: DeviceRecord): Promise<void> {
  const mode = oneOf<InstallMode>('install', options.install, ['full', 'mod'], 'full');
  const build = oneOf<BuildKind>('build', options.build, ['debug', 'instrumented', 'release'], 'debug');
  const platform = moddablePlatform(profile.board.chip, options.board, profile.board.name);
  const { tool, args } = moddableCommand(mode, build, platform);
  const project = generateModdableProject({
    profile,
    dist: options.image ?? join('dist', profile.target),
    out: options.project ?? join(options.device!, `moddable-${mode}`),
    preferences: preferencesToJson(encodeModdablePreferences(record.config)),
    mode,
  });
  print(`generated ${project.dir}: ${project.files.join(', ')} and app/ (the build)`);
  const command = `${tool} ${args.join(' ')}`;
  if (options['dry-run']) {
    print(`dry run: would run \`${command}\` in ${project.dir}${options.port ? ` with UPLOAD_PORT=${options.port}` : ''}`);
    return;
  }
  const { toolPath, uploadPort } = checkModdableEnvironment(process.env, tool, options.port);
  print(`run: ${command}${uploadPort ? ` (UPLOAD_PORT=${uploadPort})` : ''}`);
  const env = uploadPort === undefined ? process.env : { ...process.env, UPLOAD_PORT: uploadPort };
  await runModdableTool(toolPath, args, project.dir, env, (line) => print(`  ${line}`));
  print(`done: ${mode === 'mod' ? 'mod installed' : 'host built and flashed'} for ${platform}; device ${record.config.id} provisions its Preferences at start-up`);
}

/** Runs `micromine flash` with `args` (without the command name); resolves to the exit status. */
export async function main(args: string[]): Promise<number> {
  try {
    const options = parseOptions('micromine flash', args, OPTIONS);
    if (options.help) {
      print(USAGE);
      return 0;
    }
    const target = required('micromine flash', 'target', options.target, 'the target the image was built for, e.g. espruino-esp32');
    const profile = profileOf(target);
    const foreign = (profile.runtime === 'espruino' ? MODDABLE_ONLY : ESPRUINO_ONLY).find((name) => options[name] !== undefined);
    if (foreign !== undefined) throw new ToolError('usage', `--${foreign} does not apply to ${target} (${profile.runtime === 'espruino' ? 'an Espruino' : 'a Moddable'} target)`, { where: `--${foreign}` });
    const record = device(options, target);
    if (profile.runtime === 'espruino') await flashEspruinoTarget(options, profile, record);
    else await flashModdableTarget(options, profile, record);
    return 0;
  } catch (error) {
    process.stderr.write(formatError(error) + '\n');
    if (error instanceof ToolError && error.code === 'usage') process.stderr.write('\n' + USAGE + '\n');
    return exitStatusOf(error);
  }
}
