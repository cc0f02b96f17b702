// What a Moddable device lacks. XS itself implements ES2023+, so the rules are about the host: the
// globals Node.js and browsers provide that a Moddable app gets only from modules, and dynamic code
// that needs the XS parser, which stripped hosts do not carry (docs/lint.md cites the sources).
import { fullAncestor } from 'acorn-walk';
import type { Analysis, AnyNode } from './scope.ts';
import type { RuleText } from './rules-espruino.ts';
import type { Hit } from './types.ts';

/** Rule ids with their message and hint. */
export const xsRules: Record<string, RuleText> = {
  'host-global': { message: 'not a global on a Moddable device', hint: 'each global has its own module (docs/lint.md)' },
  'dynamic-code': {
    message: 'eval and the Function constructor need the XS parser on the device; a host built with strip has none and the call throws "dead strip!"',
    hint: 'precompile the code with the image; a mod cannot bring the parser back',
  },
};

const timer = 'import Timer from "timer" (Timer.set/Timer.repeat/Timer.clear), or pass the name in globals when the host installs it';
const node = 'Node.js only: use ES imports of Moddable modules and ArrayBuffer/Uint8Array';
const browser = 'browser only: a Moddable app has no window or document';

/** Host globals a Moddable device does not define, with what to use instead. */
export const xsMissingGlobals: Record<string, string> = {
  setTimeout: timer, setInterval: timer, setImmediate: timer, clearTimeout: timer, clearInterval: timer, clearImmediate: timer,
  console: 'use trace() (a global in XS), or import the console module',
  process: node, require: node, module: node, exports: node, Buffer: node, __dirname: node, __filename: node, global: node,
  TextEncoder: 'import TextEncoder from "text/encoder"',
  TextDecoder: 'import TextDecoder from "text/decoder"',
  structuredClone: 'import structuredClone from "structuredClone"',
  fetch: 'import fetch from "fetch"',
  URL: 'import URL from "url"',
  URLSearchParams: 'import { URLSearchParams } from "url"',
  Headers: 'import Headers from "headers"',
  atob: 'Moddable has no atob: binary fields are hex (docs/decisions.md)',
  btoa: 'Moddable has no btoa: binary fields are hex (docs/decisions.md)',
  queueMicrotask: 'use Promise.resolve().then(fn)',
  window: browser, document: browser, self: browser, navigator: browser, localStorage: 'use Preference (import Preference from "preference")',
};

/** Finds host globals and dynamic code a Moddable device cannot run. */
export function checkXs(analysis: Analysis, provided: ReadonlySet<string>): Hit[] {
  const hits: Hit[] = [];
  const free = new Set(analysis.references.filter((ref) => !analysis.resolve(ref.node.name, ref.ancestors)).map((ref) => ref.node));
  fullAncestor(analysis.program, (node: AnyNode, _state, ancestors: AnyNode[]) => {
    if (node.type !== 'Identifier' || !free.has(node) || provided.has(node.name)) return;
    const parent = ancestors[ancestors.length - 2];
    if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') return;
    if (Object.hasOwn(xsMissingGlobals, node.name)) {
      hits.push({ rule: 'host-global', feature: node.name, at: node, message: `${node.name} is not a global on a Moddable device`, hint: xsMissingGlobals[node.name] });
    } else if (node.name === 'eval' || (node.name === 'Function' && (parent?.type === 'NewExpression' || parent?.type === 'CallExpression') && parent.callee === node)) {
      hits.push({ rule: 'dynamic-code', feature: node.name === 'eval' ? 'eval' : 'Function constructor', at: node });
    }
  });
  return hits;
}
