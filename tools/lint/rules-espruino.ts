// What Espruino cannot run. The syntax rules come from the brief's table and Espruino's feature
// page; the API lists were checked against Espruino's sources and issues (docs/lint.md cites each).
import { fullAncestor } from 'acorn-walk';
import { unsupportedRegex } from './regex.ts';
import type { Analysis, AnyNode } from './scope.ts';
import type { Hit } from './types.ts';

/** A rule's fixed text: what goes wrong on the device and what to do. */
export interface RuleText {
  message: string;
  hint: string;
}

const lower = (feature: string): string => `esbuild can lower this: set supported['${feature}']=false (tools/lint/lowering.ts does for espruino)`;

/** Rule ids with their message and hint. */
export const espruinoRules: Record<string, RuleText> = {
  'bigint': { message: 'Espruino has no BigInt: the literal does not parse and the global is undefined', hint: 'keep BigInt code out of Espruino images (firmware/sig is XS-only); carry u64 as two u32 halves as firmware/core does' },
  'async-await': { message: 'Espruino does not parse async functions, await or for await', hint: 'use Promise.then chains or callbacks; esbuild lowers async only to generators, which Espruino lacks too' },
  'generators': { message: 'Espruino does not parse generator functions', hint: 'write an explicit iterator or a loop; esbuild cannot lower generators while keeping classes' },
  'destructuring': { message: 'Espruino does not parse destructuring patterns', hint: 'read the fields one by one (const a = o.a); esbuild refuses to lower destructuring while keeping classes ("not supported yet")' },
  'spread-rest': { message: 'Espruino does not parse spread or rest syntax', hint: 'use fn.apply(null, args), a.concat(b), Object.assign({}, o) or the arguments object; only object spread can be lowered by esbuild (supported[\'object-rest-spread\']=false)' },
  'default-parameters': { message: 'Espruino does not parse default parameter values', hint: 'test for undefined in the body (if (x === undefined) x = 1); esbuild cannot lower defaults while keeping classes' },
  'exponent': { message: 'Espruino does not parse ** or **=', hint: lower('exponent-operator') + ' (it emits Math.pow, inexact above 2^53 on Espruino)' },
  'optional-chaining': { message: 'Espruino does not parse optional chaining ?.', hint: lower('optional-chain') },
  'nullish-coalescing': { message: 'Espruino does not parse ??', hint: lower('nullish-coalescing') },
  'logical-assignment': { message: 'Espruino does not parse ??=, ||= or &&=', hint: lower('logical-assignment') },
  'optional-catch-binding': { message: 'catch without a binding (ES2019) is outside Espruino\'s documented syntax', hint: lower('optional-catch-binding') },
  'tagged-templates': { message: 'Espruino does not support tagged templates', hint: 'call the function with a plain string; esbuild\'s lowering needs Object.freeze, which Espruino lacks' },
  'class-fields': { message: 'Espruino parses class fields but they are silently broken', hint: 'assign in the constructor; ' + lower('class-field') + ' and supported[\'class-static-field\']=false, with useDefineForClassFields false' },
  'private-members': { message: 'Espruino does not support private #fields or #methods', hint: 'use a plain property (e.g. _name); esbuild lowers private members to WeakMap/WeakSet, which Espruino lacks' },
  'static-blocks': { message: 'Espruino does not parse class static blocks', hint: lower('class-static-blocks') },
  'labels': { message: 'Espruino does not support labels (labelled statements, break/continue label)', hint: 'restructure with a flag variable, or move the loop into a function and return' },
  'loop-closure': { message: 'Espruino gives a for-loop\'s let/const ONE shared binding: this closure sees the last value', hint: 'use a for loop with var + an IIFE, or move the closure out into a function that takes the value as a parameter' },
  'modules': { message: 'Espruino has no ES modules: import/export must not reach the image', hint: 'bundle to one script (esbuild format \'iife\')' },
  'regex': { message: 'Espruino\'s regex engine silently mishandles this construct', hint: 'rewrite without it: repeat the atom instead of {n,m}, use a capturing group instead of (?:), test boundaries and look-arounds by hand' },
  'numeric-separator': { message: 'Espruino\'s lexer does not read numeric separators', hint: 'write the number without underscores (esbuild reprints numbers without them)' },
  'missing-global': { message: 'Espruino has no such global', hint: 'each API has its own replacement (docs/lint.md)' },
  'missing-static': { message: 'Espruino has no such static method', hint: 'each API has its own replacement (docs/lint.md)' },
  'missing-method': { message: 'Espruino\'s Promise has no finally (any .finally(...) call is reported)', hint: 'call .then(onDone, onDone) instead' },
};

/** Globals Espruino does not define, with what to use instead. */
export const espruinoMissingGlobals: Record<string, string> = {
  BigInt: 'carry u64 as two u32 halves (firmware/core/u64.ts)',
  BigInt64Array: 'carry u64 as two u32 halves',
  BigUint64Array: 'carry u64 as two u32 halves',
  Symbol: 'use string keys; for...of over arrays works without Symbol.iterator',
  Proxy: 'call the target directly',
  Reflect: 'use Object.* and Function.prototype.apply',
  Map: 'use a plain object keyed by string (Object.create(null)) or arrays',
  Set: 'use a plain object keyed by string with true values',
  WeakMap: 'store the value on the object itself',
  WeakSet: 'mark the object with a property',
  WeakRef: 'hold a normal reference',
  FinalizationRegistry: 'release resources explicitly',
  TextEncoder: 'encode ASCII/hex fields with charCodeAt in a loop, or E.toUint8Array(string)',
  TextDecoder: 'decode with String.fromCharCode in a loop, or E.toString(bytes)',
  structuredClone: 'copy by hand or with JSON.parse(JSON.stringify(value))',
  queueMicrotask: 'use setTimeout(fn, 0) or Promise.resolve().then(fn)',
};

const typedArrays = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array'];
const freeze = 'drop it on Espruino (immutability is not enforced there) or keep it behind a runtime check';

/** Static methods Espruino does not define, as `Object.name`, with what to use instead. */
export const espruinoMissingStatics: Record<string, string> = {
  'Array.from': 'copy with a for loop, or Array.prototype.slice.call(arrayLike)',
  'Array.of': 'use an array literal',
  'Object.freeze': freeze,
  'Object.isFrozen': freeze,
  'Object.seal': freeze,
  'Object.isSealed': freeze,
  'Object.preventExtensions': freeze,
  'Object.isExtensible': freeze,
  'Promise.allSettled': 'Promise.all over promises mapped with .then(v => ({ value: v }), e => ({ error: e }))',
  'Promise.any': 'resolve a shared promise from the first fulfilment by hand',
  'Promise.race': 'resolve a shared promise from whichever settles first by hand',
  ...Object.fromEntries(typedArrays.flatMap((type) => [
    [`${type}.from`, `new ${type}(length) filled in a loop, or new ${type}(array)`],
    [`${type}.of`, `new ${type}([values])`],
  ])),
};

const propertyName = (member: AnyNode): string | undefined => {
  if (!member.computed && member.property.type === 'Identifier') return member.property.name;
  if (member.computed && member.property.type === 'Literal' && typeof member.property.value === 'string') return member.property.value;
  return undefined;
};

const isFunction = (node: AnyNode | undefined): boolean =>
  !!node && (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression');

const patternContext = (parent: AnyNode | undefined, node: AnyNode): string => {
  if (!parent) return 'destructuring';
  if (parent.type === 'VariableDeclarator') return 'destructuring declaration';
  if (isFunction(parent)) return 'destructuring parameter';
  if (parent.type === 'AssignmentExpression') return 'destructuring assignment';
  if (parent.type === 'ForOfStatement' || parent.type === 'ForInStatement') return 'destructuring loop variable';
  if (parent.type === 'CatchClause') return 'destructuring catch parameter';
  if (parent.type === 'AssignmentPattern' && parent.left === node) return 'destructuring parameter with default';
  return 'destructuring';
};

/** A pattern nested in another pattern is reported with its outermost pattern only. */
function isNestedPattern(ancestors: AnyNode[]): boolean {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const type = ancestors[i]!.type;
    if (type === 'ObjectPattern' || type === 'ArrayPattern') return true;
    if (type !== 'Property' && type !== 'AssignmentPattern' && type !== 'RestElement') return false;
  }
  return false;
}

const regexHits = (at: AnyNode, pattern: string, flags: string, literal: boolean): Hit[] =>
  unsupportedRegex(pattern, flags).map(({ feature, offset }) => ({ rule: 'regex', feature, at, offset: literal && offset >= 0 ? offset + 1 : 0 }));

/** Finds everything in the program that Espruino cannot run. */
export function checkEspruino(analysis: Analysis, provided: ReadonlySet<string>): Hit[] {
  const hits: Hit[] = [];
  const hit = (rule: string, feature: string, at: AnyNode): void => { hits.push({ rule, feature, at }); };
  const free = new Set(analysis.references.filter((ref) => !analysis.resolve(ref.node.name, ref.ancestors)).map((ref) => ref.node));

  fullAncestor(analysis.program, (node: AnyNode, _state, ancestors: AnyNode[]) => {
    const parent = ancestors[ancestors.length - 2];
    switch (node.type) {
      case 'Literal':
        if (node.bigint !== undefined) hit('bigint', 'BigInt literal', node);
        if (node.regex) hits.push(...regexHits(node, node.regex.pattern, node.regex.flags, true));
        if (typeof node.value === 'number' && node.raw?.includes('_')) hit('numeric-separator', 'numeric separator', node);
        break;
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
        if (node.async) hit('async-await', 'async function', node);
        if (node.generator) hit('generators', 'generator function', node);
        break;
      case 'AwaitExpression':
        if (!ancestors.some((a) => isFunction(a) && a.async)) hit('async-await', 'top-level await', node);
        break;
      case 'ForOfStatement':
        if (node.await) hit('async-await', 'for await', node);
        break;
      case 'ObjectPattern': case 'ArrayPattern':
        if (!isNestedPattern(ancestors)) hit('destructuring', patternContext(parent, node), node);
        break;
      case 'SpreadElement':
        hit('spread-rest', parent?.type === 'ArrayExpression' ? 'array spread' : parent?.type === 'ObjectExpression' ? 'object spread' : 'spread in call arguments', node);
        break;
      case 'RestElement':
        hit('spread-rest', isFunction(parent) ? 'rest parameter' : parent?.type === 'ObjectPattern' ? 'object rest' : 'array rest', node);
        break;
      case 'AssignmentPattern':
        if (isFunction(parent) && parent!.params.includes(node)) hit('default-parameters', 'default parameter', node);
        break;
      case 'BinaryExpression':
        if (node.operator === '**') hit('exponent', 'exponent operator **', node);
        if (node.left.type === 'PrivateIdentifier') hit('private-members', `private brand check #${node.left.name} in`, node);
        break;
      case 'AssignmentExpression':
        if (node.operator === '**=') hit('exponent', 'exponent assignment **=', node);
        if (['??=', '||=', '&&='].includes(node.operator)) hit('logical-assignment', `logical assignment ${node.operator}`, node);
        break;
      case 'ChainExpression': hit('optional-chaining', 'optional chaining ?.', node); break;
      case 'LogicalExpression':
        if (node.operator === '??') hit('nullish-coalescing', 'nullish coalescing ??', node);
        break;
      case 'CatchClause':
        if (!node.param) hit('optional-catch-binding', 'catch without binding', node);
        break;
      case 'TaggedTemplateExpression': hit('tagged-templates', 'tagged template', node); break;
      case 'PropertyDefinition':
        if (node.key.type === 'PrivateIdentifier') hit('private-members', `private field #${node.key.name}`, node);
        else hit('class-fields', node.static ? 'static class field' : 'class field', node);
        break;
      case 'MethodDefinition':
        if (node.key.type === 'PrivateIdentifier') hit('private-members', `private method #${node.key.name}`, node);
        break;
      case 'StaticBlock': hit('static-blocks', 'class static block', node); break;
      case 'LabeledStatement': hit('labels', `label ${node.label.name}:`, node); break;
      case 'BreakStatement': case 'ContinueStatement':
        if (node.label) hit('labels', `${node.type === 'BreakStatement' ? 'break' : 'continue'} ${node.label.name}`, node);
        break;
      case 'ImportDeclaration': case 'ImportExpression': hit('modules', node.type === 'ImportExpression' ? 'dynamic import()' : 'import', node); break;
      case 'ExportNamedDeclaration': case 'ExportDefaultDeclaration': case 'ExportAllDeclaration': hit('modules', 'export', node); break;
      case 'MetaProperty':
        if (node.meta.name === 'import') hit('modules', 'import.meta', node);
        break;
      case 'Identifier':
        if (free.has(node) && Object.hasOwn(espruinoMissingGlobals, node.name) && !provided.has(node.name) && !(parent?.type === 'UnaryExpression' && parent.operator === 'typeof')) {
          hits.push({ rule: node.name.startsWith('BigInt') ? 'bigint' : 'missing-global', feature: node.name, at: node, message: `Espruino has no global ${node.name}`, hint: espruinoMissingGlobals[node.name] });
        }
        break;
      case 'MemberExpression': {
        const name = propertyName(node);
        const owner = node.object.type === 'Identifier' && free.has(node.object) ? `${node.object.name}.${name}` : '';
        if (name && Object.hasOwn(espruinoMissingStatics, owner) && !provided.has(owner)) {
          hits.push({ rule: 'missing-static', feature: owner, at: node, message: `Espruino has no ${owner}`, hint: espruinoMissingStatics[owner] });
        }
        break;
      }
      case 'CallExpression': case 'NewExpression': {
        const callee = node.callee;
        if (callee.type === 'MemberExpression' && propertyName(callee) === 'finally' && !callee.computed) hit('missing-method', 'Promise.prototype.finally', callee.property);
        const pattern = node.arguments[0];
        if (callee.type === 'Identifier' && callee.name === 'RegExp' && free.has(callee) && pattern?.type === 'Literal' && typeof pattern.value === 'string') {
          const flags = node.arguments[1];
          hits.push(...regexHits(node, pattern.value, flags?.type === 'Literal' && typeof flags.value === 'string' ? flags.value : '', false));
        }
        break;
      }
    }
  });
  hits.push(...loopClosures(analysis));
  return hits;
}

const loops = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement']);

/** References to a for-loop's let/const binding from a function created inside the loop. */
function loopClosures(analysis: Analysis): Hit[] {
  const seen = new Set<string>();
  const hits: Hit[] = [];
  for (const { node, ancestors } of analysis.references) {
    const scope = analysis.resolve(node.name, ancestors);
    if (!scope || !loops.has(scope.type)) continue;
    const head = scope.type === 'ForStatement' ? scope.init : scope.left;
    if (head?.type !== 'VariableDeclaration' || head.kind === 'var') continue;
    const closure = ancestors.slice(ancestors.indexOf(scope) + 1).find(isFunction);
    if (!closure) continue;
    const key = `${scope.start}:${closure.start}:${node.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    hits.push({ rule: 'loop-closure', feature: `${head.kind} ${node.name} captured in a loop`, at: node });
  }
  return hits;
}
