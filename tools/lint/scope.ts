// Parsing and a small scope analysis: which identifiers are references, and which scope (if any)
// declares each one. The rules need it to tell a real global (`Map`) from a local that happens to
// share its name, and to find closures that capture a loop's `let`/`const` binding.
import { parse } from 'acorn';
import type { Node, Options, Program } from 'acorn';
import { fullAncestor } from 'acorn-walk';

/** Any ESTree node as acorn produces it; rules read fields by node type. */
export type AnyNode = Node & Record<string, any>;

/** A parse failure with its position (1-based line, 1-based column). */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
  }
}

/** Parses as a module, falling back to a script (sloppy-mode code a module cannot hold). */
export function parseProgram(code: string): Program {
  const options: Options = { ecmaVersion: 'latest', locations: true, allowHashBang: true };
  try {
    return parse(code, { ...options, sourceType: 'module' });
  } catch (moduleError) {
    try {
      return parse(code, { ...options, sourceType: 'script' });
    } catch {
      const error = moduleError as SyntaxError & { loc?: { line: number; column: number } };
      throw new ParseError(error.message.replace(/ \(\d+:\d+\)$/, ''), error.loc?.line ?? 1, (error.loc?.column ?? 0) + 1);
    }
  }
}

const isFunction = (node: AnyNode): boolean =>
  node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';

const blockScopes = new Set(['BlockStatement', 'StaticBlock', 'SwitchStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'Program']);

/** Names bound by a declaration pattern, with the identifier nodes that bind them. */
export function patternIdentifiers(pattern: AnyNode | null | undefined, out: AnyNode[] = []): AnyNode[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case 'Identifier': out.push(pattern); break;
    case 'ObjectPattern': for (const property of pattern.properties) patternIdentifiers(property.type === 'RestElement' ? property.argument : property.value, out); break;
    case 'ArrayPattern': for (const element of pattern.elements) patternIdentifiers(element, out); break;
    case 'AssignmentPattern': patternIdentifiers(pattern.left, out); break;
    case 'RestElement': patternIdentifiers(pattern.argument, out); break;
  }
  return out;
}

/** An identifier that reads or writes a variable, with the nodes enclosing it (outermost first). */
export interface Reference {
  node: AnyNode;
  ancestors: AnyNode[];
}

/** The result of analysing a program. */
export interface Analysis {
  program: Program;
  references: Reference[];
  /** The scope node that declares `name` as seen from `ancestors`, or undefined for a global. */
  resolve(name: string, ancestors: readonly AnyNode[]): AnyNode | undefined;
}

/** Walks the program once, recording every declaration in its scope and every reference. */
export function analyse(program: Program): Analysis {
  const declared = new Map<AnyNode, Set<string>>();
  const bindings = new Set<AnyNode>();
  const candidates: Reference[] = [];

  const declare = (scope: AnyNode, ids: AnyNode[]): void => {
    let names = declared.get(scope);
    if (!names) declared.set(scope, names = new Set());
    for (const id of ids) { names.add(id.name); bindings.add(id); }
  };
  const nearest = (ancestors: AnyNode[], test: (node: AnyNode) => boolean): AnyNode =>
    [...ancestors].reverse().find(test) ?? program;

  fullAncestor(program, (node: AnyNode, _state, ancestors: AnyNode[]) => {
    const parents = ancestors.slice(0, -1);
    switch (node.type) {
      case 'VariableDeclaration': {
        const ids = node.declarations.flatMap((d: AnyNode) => patternIdentifiers(d.id));
        const scope = node.kind === 'var' ? nearest(parents, isFunction) : nearest(parents, (n) => blockScopes.has(n.type));
        declare(scope, ids);
        break;
      }
      case 'FunctionDeclaration':
        declare(nearest(parents, (n) => blockScopes.has(n.type) || isFunction(n)), [node.id]);
        declare(node, node.params.flatMap((p: AnyNode) => patternIdentifiers(p)));
        break;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        declare(node, [...(node.id ? [node.id] : []), ...node.params.flatMap((p: AnyNode) => patternIdentifiers(p))]);
        break;
      case 'ClassDeclaration':
        declare(nearest(parents, (n) => blockScopes.has(n.type) || isFunction(n)), [node.id]);
        break;
      case 'ClassExpression':
        if (node.id) declare(node, [node.id]);
        break;
      case 'CatchClause':
        declare(node, patternIdentifiers(node.param));
        break;
      case 'ImportDeclaration':
        declare(program, node.specifiers.map((s: AnyNode) => s.local));
        break;
      case 'Identifier':
        candidates.push({ node, ancestors: parents });
        break;
    }
  });
  // `arguments` is implicitly declared by every non-arrow function.
  const resolve = (name: string, ancestors: readonly AnyNode[]): AnyNode | undefined => {
    for (let i = ancestors.length - 1; i >= 0; i--) {
      const scope = ancestors[i]!;
      if (declared.get(scope)?.has(name)) return scope;
      if (name === 'arguments' && (scope.type === 'FunctionDeclaration' || scope.type === 'FunctionExpression')) return scope;
    }
    return declared.get(program)?.has(name) ? program : undefined;
  };
  return { program, references: candidates.filter((ref) => !bindings.has(ref.node)), resolve };
}
