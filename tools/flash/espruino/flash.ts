/**
 * Flashing an Espruino board so that a cut-off upload can never leave it without a program.
 * The image goes to a new Storage file (slot `mm.a.js` or `mm.b.js`, whichever the boot code does
 * not name), is read back and compared by SHA-256, then `mm.cfg` is written and read back, and
 * only then is the boot code switched, in one console line, to a two-statement loader that
 * evaluates the new slot. The old slot is erased last. Each console line runs only once its
 * newline arrives, so a link that drops mid-line runs nothing of it; until the switch the board
 * boots its previous program, after it the complete new one.
 * @module
 */
import { createHash } from 'node:crypto';
import { ESPRUINO_CONFIG_FILE } from '../../../protocol/device-config.ts';
import type { EspruinoProfile } from '../../manifests/index.ts';
import { ToolError } from '../../provision/errors.ts';
import { isBoardFor, isSupportedEspruino } from '../targets.ts';
import { openEspruinoLink, type EspruinoLink } from './link.ts';

/** The two program slots; the boot code names the active one. */
export const SLOTS = ['mm.a.js', 'mm.b.js'] as const;

/** The boot code that runs a slot: evaluated from flash in place, without copying it to RAM. */
export function bootLoader(slot: string): string {
  return `eval(require("Storage").read(${JSON.stringify(slot)}))`;
}

/** The steps of a flash, in order. */
export type StepName = 'identify' | 'inspect' | 'write-image' | 'verify-image' | 'write-config' | 'verify-config' | 'switch-boot' | 'verify-boot' | 'cleanup' | 'start';

/** Reported at the start of each step. */
export interface FlashStep {
  readonly name: StepName;
  readonly title: string;
}

/** What the board said about itself and its Storage. */
export interface BoardState {
  readonly env: Record<string, unknown> & { VERSION: string; BOARD: string };
  readonly files: readonly string[];
  /** Sizes of the `mm.*` files. */
  readonly sizes: Readonly<Record<string, number>>;
  /** The first 256 characters of `.bootcde`, or null. */
  readonly boot: string | null;
  readonly free: number;
}

/** Inputs of {@link flashEspruino}. */
export interface EspruinoFlashOptions {
  readonly profile: EspruinoProfile;
  /** Serial device path or `tcp://host[:port]`. */
  readonly port: string;
  /** The bytes for Storage (`dist/<target>/storage.json` names the file), as a byte string. */
  readonly image: string;
  /** The text of `mm.cfg`. */
  readonly config: string;
  readonly baud?: number;
  /** Start the new program with `load()` at the end (default true). */
  readonly start?: boolean;
  readonly onStep?: (step: FlashStep) => void;
  readonly log?: (line: string) => void;
}

/** What a flash did. */
export interface EspruinoFlashResult {
  readonly state: BoardState;
  readonly slot: string;
  readonly previousSlot: string | null;
  readonly imageSha256: string;
  readonly removed: readonly string[];
}

/** SHA-256 of a byte string, hex. */
export function sha256Hex(bytes: string): string {
  return createHash('sha256').update(Buffer.from(bytes, 'latin1')).digest('hex');
}

// Runs on the board, so in Espruino's dialect: ES5 functions, no arrows or template literals.
const INSPECT = '(function(s){var b=s.read(".bootcde"),r={files:s.list(),sizes:{},boot:b===undefined?null:b.substr(0,256),free:s.getFree()};'
  + 'r.files.forEach(function(f){if(f.indexOf("mm.")===0){var c=s.read(f);r.sizes[f]=c===undefined?0:c.length;}});return r;})(require("Storage"))';

function parseAnswer(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Asks the board who it is and fails unless it is a supported Espruino for the profile. */
export async function identifyBoard(link: EspruinoLink, profile: EspruinoProfile): Promise<BoardState['env']> {
  const env = parseAnswer(await link.evaluate('process.env')) as Record<string, unknown> | undefined;
  if (typeof env !== 'object' || env === null || typeof env.VERSION !== 'string' || typeof env.BOARD !== 'string') {
    const printed = link.transcript().replace(/\s+/g, ' ').trim().slice(-160);
    throw new ToolError('wrong_runtime', `the board on ${link.port} does not answer as Espruino (no process.env); it printed ${JSON.stringify(printed)}`, {
      where: link.port,
      hint: `flash Espruino firmware for ${profile.board.name} first (docs/flashing.md); a Moddable board takes a moddable-* target with --board`,
    });
  }
  const found = env as BoardState['env'];
  if (!isBoardFor(profile, found.BOARD)) {
    throw new ToolError('wrong_runtime', `the board on ${link.port} runs Espruino ${found.VERSION} built for ${found.BOARD}, not for ${profile.board.name} (target ${profile.target})`, {
      where: link.port,
      hint: 'pick the target that matches the board, or flash the Espruino build for this one',
    });
  }
  if (!isSupportedEspruino(found.VERSION, profile)) {
    throw new ToolError('incompatible_version', `the board on ${link.port} runs Espruino ${found.VERSION}; ${profile.target} is built for ${profile.firmware} or later (its profile's "firmware")`, {
      where: link.port,
      hint: `update the firmware (esptool.py write_flash with the ${found.BOARD} build from espruino.com/binaries), then flash again`,
    });
  }
  return found;
}

/** Reads the board's Storage state (files, mm.* sizes, boot code, free bytes); read-only. */
export async function inspectBoard(link: EspruinoLink, env: BoardState['env']): Promise<BoardState> {
  const answer = parseAnswer(await link.evaluate(INSPECT)) as Omit<BoardState, 'env'> | undefined;
  if (answer === undefined || !Array.isArray(answer.files) || typeof answer.free !== 'number') {
    throw new ToolError('no_answer', `the board on ${link.port} did not report its Storage`, { where: link.port, hint: 'reset the board and try again' });
  }
  return { env, files: answer.files, sizes: answer.sizes ?? {}, boot: answer.boot ?? null, free: answer.free };
}

/** The slot the boot code runs, or null when it runs no micromine slot. */
export function activeSlot(boot: string | null): string | null {
  return SLOTS.find((slot) => boot === bootLoader(slot)) ?? null;
}

async function writeAndVerify(link: EspruinoLink, name: string, contents: string, step: (name: StepName, title: string) => void, kind: 'image' | 'config'): Promise<string> {
  step(kind === 'image' ? 'write-image' : 'write-config', `write ${kind} to Storage file ${name} (${contents.length} bytes)`);
  const printed = await link.upload(name, contents);
  if (printed === undefined || /Uncaught|Error/.test(printed)) {
    throw new ToolError('upload_failed', `writing ${name} failed: ${printed === undefined ? 'no answer from the board' : printed.trim().slice(0, 200)}`, {
      where: `${link.port} Storage ${name}`,
      hint: 'the board keeps its previous program; run the same command again',
    });
  }
  const expected = sha256Hex(contents);
  step(kind === 'image' ? 'verify-image' : 'verify-config', `read back ${name} and compare SHA-256 ${expected.slice(0, 16)}...`);
  const back = await link.download(name);
  const found = back === undefined ? 'nothing' : sha256Hex(back);
  if (found !== expected) {
    await link.statement(`require("Storage").erase(${JSON.stringify(name)})`).catch(() => undefined);
    throw new ToolError('verify_failed', `${name} read back with SHA-256 ${found.slice(0, 16)} (${back?.length ?? 0} bytes), expected ${expected.slice(0, 16)} (${contents.length} bytes)`, {
      where: `${link.port} Storage ${name}`,
      hint: 'the boot code was not switched and the board keeps its previous program; check the link (lower --baud on serial) and flash again',
    });
  }
  return expected;
}

/** Flashes image and configuration; see the module comment for the order and why. */
export async function flashEspruino(options: EspruinoFlashOptions): Promise<EspruinoFlashResult> {
  const step = (name: StepName, title: string) => options.onStep?.({ name, title });
  const link = await openEspruinoLink({ port: options.port, baud: options.baud, log: options.log });
  try {
    step('identify', 'ask the board for process.env (runtime, board, version)');
    const env = await identifyBoard(link, options.profile);
    // EspruinoTools' own rule: firmware after 1v43 on USB or Telnet consoles takes unthrottled writes.
    if (env.CONSOLE === 'Telnet' || env.CONSOLE === 'USB') link.fastWrites();
    step('inspect', 'list Storage and read the boot code (read-only)');
    const state = await inspectBoard(link, env);
    const previousSlot = activeSlot(state.boot);
    const slot = previousSlot === SLOTS[0] ? SLOTS[1] : SLOTS[0];
    const reusable = (state.sizes[slot] ?? 0) + (state.sizes[ESPRUINO_CONFIG_FILE] ?? 0);
    const needed = options.image.length + options.config.length + bootLoader(slot).length;
    if (needed > state.free + reusable) {
      throw new ToolError('upload_failed', `the image needs ${needed} bytes of Storage, the board has ${state.free + reusable} free`, {
        where: `${link.port} Storage`,
        hint: 'erase unused Storage files (require("Storage").list() shows them), or check the image budget',
      });
    }
    const imageSha256 = await writeAndVerify(link, slot, options.image, step, 'image');
    await writeAndVerify(link, ESPRUINO_CONFIG_FILE, options.config, step, 'config');
    const loader = bootLoader(slot);
    step('switch-boot', `switch the boot code to ${slot}: E.setBootCode(${JSON.stringify(loader)})`);
    await link.statement(`E.setBootCode(${JSON.stringify(loader)})`);
    step('verify-boot', 'read back .bootcde');
    const boot = parseAnswer(await link.evaluate('require("Storage").read(".bootcde")'));
    if (boot !== loader) {
      throw new ToolError('verify_failed', `.bootcde reads back as ${JSON.stringify(String(boot).slice(0, 80))}, expected ${JSON.stringify(loader)}`, {
        where: `${link.port} Storage .bootcde`,
        hint: `the new program is complete in ${slot}; flash again to finish the switch`,
      });
    }
    const removed = state.files.filter((file) => (SLOTS as readonly string[]).includes(file) && file !== slot);
    if (removed.length > 0) {
      step('cleanup', `erase the previous program: ${removed.join(', ')}`);
      for (const file of removed) await link.statement(`require("Storage").erase(${JSON.stringify(file)})`);
    }
    if (options.start !== false) {
      step('start', 'start the new program: load()');
      await link.statement('load()');
    }
    return { state, slot, previousSlot, imageSha256, removed };
  } finally {
    await link.close();
  }
}
