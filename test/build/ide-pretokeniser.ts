// The Espruino IDE's own pretokeniser (node_modules/espruino/plugins/pretokenise.js), loaded as
// EspruinoTools loads its plugins: a script that reads the globals `acorn` and `Espruino` and
// registers itself in `Espruino.Plugins`. This harness gives it those globals and nothing else
// (the board's version it asks for, the "Auto" setting), so the tests can compare our bytes with
// the IDE's for the same input.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import * as acorn from 'acorn';

const require = createRequire(import.meta.url);
const PLUGIN = readFileSync(require.resolve('espruino/plugins/pretokenise.js'), 'utf8');

/** The IDE's `tokenise(code)` as it runs for a board reporting Espruino `version`. */
export function idePretokeniser(version: string): (code: string) => string {
  const plugins: { Pretokenise?: { tokenise(code: string): string } } = {};
  const Espruino = {
    Config: { PRETOKENISE: 1 }, // "Auto": strings from 2v20.48, as the board's version allows
    Plugins: plugins,
    Core: { Env: { getBoardData: () => ({ VERSION: version }) }, Config: { add() {} }, Utils: {} },
    addProcessor() {},
  };
  runInNewContext(PLUGIN, { acorn, Espruino, console });
  const plugin = plugins.Pretokenise;
  if (plugin === undefined) throw new Error('the IDE pretokeniser did not register (EspruinoTools changed?)');
  return (code) => plugin.tokenise(code);
}
