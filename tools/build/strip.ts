// The `strip` list of the Moddable manifest: built-ins the XS linker may remove from the host
// because the image never names them. Only candidates whose absence nothing else in XS needs are
// considered, and a name counts as used wherever it appears in the image (even as a property),
// so the list errs on the side of keeping. A stripped feature throws "dead strip!" when used.
import { parse } from 'acorn';
import { full } from 'acorn-walk';

/** Built-ins a micromine host can do without unless the image uses them. */
export const STRIP_CANDIDATES = ['Atomics', 'Date', 'FinalizationRegistry', 'Function', 'Proxy', 'Reflect', 'RegExp', 'SharedArrayBuffer', 'WeakRef', 'eval'];

/** The candidates `modules` (ES module sources) never name; a regular expression literal uses RegExp. */
export function stripList(modules: string[]): string[] {
  const used = new Set<string>();
  for (const code of modules) {
    full(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }), (node) => {
      if (node.type === 'Identifier') used.add((node as unknown as { name: string }).name);
      if (node.type === 'Literal' && (node as unknown as { regex?: unknown }).regex !== undefined) used.add('RegExp');
    });
  }
  return STRIP_CANDIDATES.filter((name) => !used.has(name));
}
