// Shorter property names for what only the image's own code reads. esbuild renames local
// variables but keeps every property name, and the descriptive field names of the core and the
// program (`minFeeHigh`, `lastVerdict`...) cost about 1.4 KB per image. The names below are
// renamed, the same way in the whole bundle; a name is safe to rename only if nothing outside
// the image spells it: no runtime API, no wire or configuration key, no caller of the image's
// API. The build checks every image it bundles (checkInternalNames) and fails naming a collision.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'acorn';
import { full } from 'acorn-walk';
import { BuildError, at } from './errors.ts';
import { deviceProjects, root } from './paths.ts';

/** Fields and methods of the core, the wire client, the app and the hal that no outside code spells. */
export const INTERNAL_PROPERTIES = [
  // firmware/core: formats, validator, share search
  'entryCount', 'chainId', 'height', 'previousHash', 'stateRoot', 'minFeeLow', 'minFeeHigh', 'depth', 'tx',
  'deadline', 'headerHash', 'lastSender', 'hasSender', 'chain', 'frontier', 'scratch', 'sender', 'recipient',
  'amountLow', 'amountHigh', 'feeLow', 'feeHigh', 'nonce', 'leaf', 'publicKey', 'balanceLow', 'balanceHigh',
  'siblings', 'field', 'found', 'nextNonce', 'judge', 'finish', 'sha256', 'body', 'offset', 'reason',
  'verify', 'ok', 'digest', 'header', 'check', 'proof', 'sum',
  // firmware/core: the validator's and the verifier's steps
  'begin', 'step', 'entryBytes', 'nextStage', 'decoded', 'hashNode', 'level', 'verdict', 'unpack', 'climb',
  'applyRules', 'verifySteps', 'signed', 'conclude', 'fold', 'merge', 'chainVerdict', 'root', 'release',
  // firmware/core/wire: client and framer state, parsed messages
  'partial', 'discarding', 'lastId',
  // the build facts (tools/build/bundle.ts serves them as code, renamed with the rest)
  'vector', 'tamperAt', 'tamperedVerdict', 'attempts', 'hexBytes', 'levels', 'verifierSteps', 'firmware',
  // firmware/app and firmware/hal
  'validator', 'receivedAt', 'lastVerdict', 'pending', 'hex', 'judging', 'queue', 'failures', 'baseMs', 'maxMs', 'backoffBaseMs',
  'backoffMaxMs', 'answerTimeoutMs', 'idlePingMs', 'retryMs', 'timing', 'idBytes', 'why', 'setTimer', 'clearTimer',
  'yieldThen', 'readConfig', 'mark', 'onData', 'onClose', 'shareSearch', 'xorshift', 'awaiting', 'storage', 'lastCounter',
];

/**
 * Names that keep their spelling whatever the code does with them: the image API and its
 * status (read by appliances, the console, the simulator, the flash read-back), the stored
 * configuration (`mm.cfg`, Preferences) and the mm/1 wire keys (docs/protocol-wire.md).
 */
export const PUBLIC_PROPERTIES = [
  'version', 'target', 'start', 'stop', 'status', 'selfTest', 'pass', 'failed',
  'stage', 'problem', 'unitId', 'counter', 'queued', 'acked', 'connects',
  'node', 'id', 'key', 'profile', 'tier',
  'method', 'params', 'result', 'error', 'challenge', 'unit', 'entry', 'accepted', 'credited',
];

/** esbuild's `mangleProps`: exactly the internal names. */
export const mangleProps = new RegExp(`^(${INTERNAL_PROPERTIES.join('|')})$`);

/**
 * The runtime declarations device projects type-check against (by default every project under
 * firmware/; `projects` are tsconfig.json paths relative to the root): the `.d.ts` files each
 * includes (the @moddable/typings used) and those in its folder, sorted. An API the image calls
 * without a declaration does not type-check, so these name them all.
 */
export function declarationFiles(projects: string[] = deviceProjects()): string[] {
  const files = new Set<string>();
  for (const project of projects) {
    const include: string[] = JSON.parse(readFileSync(join(root, project), 'utf8')).include ?? [];
    for (const path of include) if (path.endsWith('.d.ts')) files.add(join(root, dirname(project), path));
    for (const name of readdirSync(join(root, dirname(project)), { recursive: true }).map(String)) {
      if (name.endsWith('.d.ts')) files.add(join(root, dirname(project), name));
    }
  }
  return [...files].sort();
}

/** The text of a declaration file without its comments: only the declarations' own words count. */
export function declarationText(file: string): string {
  return readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
}

/** Every word outside comments of the runtime declarations of `projects` (declarationFiles). */
export function declaredWords(projects?: string[]): Set<string> {
  const words = new Set<string>();
  for (const file of declarationFiles(projects)) {
    for (const word of declarationText(file).match(/[A-Za-z_$][\w$]*/g) ?? []) words.add(word);
  }
  return words;
}

/**
 * The ECMAScript built-ins both runtimes implement (in part): the image reaches nothing else
 * undeclared, since the host APIs it calls are declared in the runtime declarations.
 */
const ECMASCRIPT_GLOBALS = [
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'Date', 'Promise', 'RegExp', 'Error', 'TypeError',
  'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError', 'JSON', 'Math', 'Reflect', 'Proxy',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'BigInt', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef',
  'FinalizationRegistry', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

/** Property names of the ECMAScript built-ins, their prototypes, iterator results and property descriptors. */
function builtinNames(): Set<string> {
  const names = new Set<string>(['value', 'done', 'writable', 'enumerable', 'configurable', 'get', 'set', 'index', 'input', 'groups']);
  for (const name of Object.getOwnPropertyNames(globalThis)) names.add(name);
  for (const global of ECMASCRIPT_GLOBALS) {
    const value = (globalThis as Record<string, unknown>)[global] as { prototype?: unknown } | undefined;
    for (const object of [value, value?.prototype, Object.getPrototypeOf(value?.prototype ?? {})]) {
      if ((typeof object === 'object' || typeof object === 'function') && object !== null) {
        for (const name of Object.getOwnPropertyNames(object)) names.add(name);
      }
    }
  }
  return names;
}

/** String literals of `code`: what it may use as a key at run time (`JSON` shapes, `in` checks). */
export function stringLiterals(code: string): Set<string> {
  const strings = new Set<string>();
  full(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }), (node) => {
    const literal = node as unknown as { type: string; value?: unknown };
    if (literal.type === 'Literal' && typeof literal.value === 'string') strings.add(literal.value);
  });
  return strings;
}

/**
 * Fails when a name to rename is also public, a built-in's, in a runtime declaration, or a
 * string in the image's `code` (renaming leaves strings alone).
 */
export function checkInternalNames(code: string, file: string, names: string[] = INTERNAL_PROPERTIES): void {
  const publicNames = new Set(PUBLIC_PROPERTIES);
  const declared = declaredWords();
  const builtins = builtinNames();
  const strings = stringLiterals(code);
  for (const name of names) {
    const where = publicNames.has(name) ? 'the image\'s public names'
      : builtins.has(name) ? 'a JavaScript built-in'
      : declared.has(name) ? 'a runtime declaration (*.d.ts)'
      : strings.has(name) ? `a string in ${file}` : null;
    if (where === null) continue;
    const location = { file: 'tools/build/mangle.ts' };
    throw new BuildError('bundle-error', location, at(location, `the property "${name}" is renamed but also spelled by ${where}`),
      'remove it from INTERNAL_PROPERTIES: a renamed property must be one only the image\'s own code reads');
  }
}
