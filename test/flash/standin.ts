// Test helpers around the stand-in board (tools/flash/standin): a board with a console served
// on loopback TCP, plus the images and configuration the flash tests write.
import { StandinBoard, type StandinBoardOptions } from '../../tools/flash/standin/board.ts';
import { EspruinoConsole, ForeignConsole } from '../../tools/flash/standin/console.ts';
import { serveStandin, type StandinServer } from '../../tools/flash/standin/server.ts';
import { encodeEspruinoConfig } from '../../protocol/device-config.ts';

export interface Rig { board: StandinBoard; server: StandinServer; console: EspruinoConsole }

/** A stand-in Espruino board on loopback; `cutAfterBytes` drops the link once that much arrived. */
export async function espruinoRig(options: StandinBoardOptions = {}, cutAfterBytes?: number, board = new StandinBoard(options)): Promise<Rig> {
  const console = new EspruinoConsole(board);
  const server = await serveStandin({ console: () => console, cutAfterBytes });
  return { board, server, console };
}

/** A board answering as another runtime (a MicroPython-like REPL). */
export function foreignRig(): Promise<StandinServer> {
  return serveStandin({ console: () => new ForeignConsole() });
}

/** A program image of about 1 KB (three 384-byte upload chunks) that marks which version runs. */
export function image(version: string): string {
  return `var MM_RUNNING=${JSON.stringify(version)};\n/* ${'padding '.repeat(120)} */\n`;
}

export const CONFIG = encodeEspruinoConfig({ node: '192.168.4.1:7070', id: '00112233aabbccdd', key: new Uint8Array(32).fill(9), profile: 'espruino-esp32', tier: 'hash' });
