/**
 * Serves a stand-in Espruino board on loopback to rehearse `micromine flash` without hardware:
 * `node --import tsx tools/flash/standin/serve.ts [--port N] [--board ESP32] [--version 2v24]`,
 * then flash to the printed `tcp://127.0.0.1:N`. It prints each Storage change as it happens.
 * It is the stand-in the tests use (see board.ts for what it models), not an emulator.
 * @module
 */
import { parseArgs } from 'node:util';
import { StandinBoard } from './board.ts';
import { EspruinoConsole } from './console.ts';
import { serveStandin } from './server.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, board: { type: 'string' }, version: { type: 'string' } }, strict: true });
const board = new StandinBoard({ env: { BOARD: values.board ?? 'ESP32', VERSION: values.version ?? '2v24' } });
const console = new EspruinoConsole(board);
const server = await serveStandin({ console: () => console, port: values.port === undefined ? 0 : Number(values.port) });
const snapshot = () => [...board.storage].map(([name, bytes]) => `${name} (${bytes.length} bytes)`).join(', ') || 'empty';
let last = snapshot();
process.stdout.write(`stand-in Espruino ${board.env.VERSION} (${board.env.BOARD}) on ${server.url}; Storage: ${last}\n`);
setInterval(() => {
  const now = snapshot();
  if (now !== last) process.stdout.write(`Storage: ${(last = now)}\n`);
}, 500);
process.once('SIGINT', () => { void server.close().then(() => process.exit(0)); });
