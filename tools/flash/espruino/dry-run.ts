/**
 * `--dry-run` for Espruino: runs the real flash (EspruinoTools and all) against a stand-in board
 * on loopback and returns, step by step, the exact bytes that went over the link. With a port,
 * the real board is first asked read-only who it is and what its Storage holds, and the stand-in
 * is given that state, so the plan shown is the one that board would get; nothing is written to
 * it. Without a port the stand-in is a fresh board of the profile's kind.
 * @module
 */
import type { EspruinoProfile } from '../../manifests/index.ts';
import { StandinBoard } from '../standin/board.ts';
import { EspruinoConsole } from '../standin/console.ts';
import { serveStandin } from '../standin/server.ts';
import { flashEspruino, identifyBoard, inspectBoard, type BoardState, type EspruinoFlashOptions, type EspruinoFlashResult, type FlashStep } from './flash.ts';
import { openEspruinoLink } from './link.ts';

/** One step of a dry run and the bytes it sent, as a byte string. */
export interface DryRunStep extends FlashStep {
  readonly bytes: string;
}

/** The outcome of a dry run. */
export interface DryRun {
  /** Whether the stand-in was seeded from a real board (else it was a fresh one). */
  readonly probed: boolean;
  readonly steps: readonly DryRunStep[];
  readonly result: EspruinoFlashResult;
}

/** Reads a real board's identity and Storage state without writing anything. */
export async function probeEspruino(profile: EspruinoProfile, port: string, baud?: number, log?: (line: string) => void): Promise<BoardState> {
  const link = await openEspruinoLink({ port, baud, log });
  try {
    return await inspectBoard(link, await identifyBoard(link, profile));
  } finally {
    await link.close();
  }
}

/** A stand-in with `state`'s environment, boot code and `mm.*` file sizes (contents erased). */
function seededBoard(state: BoardState): StandinBoard {
  const files: Record<string, string> = {};
  let used = 0;
  for (const [name, size] of Object.entries(state.sizes)) {
    files[name] = '\xff'.repeat(size);
    used += size;
  }
  if (state.boot !== null) {
    files['.bootcde'] = state.boot;
    used += state.boot.length;
  }
  return new StandinBoard({ env: state.env as never, files, storageBytes: state.free + used });
}

/** Runs the dry run; `options.port` is the real board to probe, or undefined for a fresh one. */
export async function dryRunEspruino(options: Omit<EspruinoFlashOptions, 'port' | 'onStep'> & { port?: string }): Promise<DryRun> {
  const { profile } = options;
  const state = options.port === undefined ? null : await probeEspruino(profile, options.port, options.baud, options.log);
  const board = state === null
    ? new StandinBoard({ env: { BOARD: profile.board.name, VERSION: profile.firmware, CONSOLE: options.port?.startsWith('tcp://') ? 'Telnet' : 'Serial1' }, storageBytes: profile.flash.storageBytes })
    : seededBoard(state);
  const console = new EspruinoConsole(board);
  const server = await serveStandin({ console: () => console });
  const marks: { step: FlashStep; at: number }[] = [];
  try {
    const result = await flashEspruino({ ...options, port: server.url, onStep: (step) => marks.push({ step, at: server.received().length }) });
    const all = server.received();
    const steps = marks.map((mark, i) => ({ ...mark.step, bytes: all.slice(mark.at, marks[i + 1]?.at ?? all.length) }));
    return { probed: state !== null, steps, result };
  } finally {
    await server.close();
  }
}
