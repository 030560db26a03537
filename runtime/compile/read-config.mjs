// Reads `export const config = { ... }` from a hook source without running it: parsed with
// Babel in the compile worker (never on the daemon's thread: a large or hostile file cannot
// freeze it), and only literal values are accepted, so discovery executes no user code.
import { parseHookSource } from './strip-types.mjs';

class NotLiteral extends Error {
  constructor(node) {
    super('not a literal');
    this.node = node;
  }
}

/** Whether readHookConfig parses `filename` as TypeScript (any `.ts`/`.mts` name). */
export function readsAsTypeScript(filename) {
  return /\.m?ts$/.test(filename);
}

/**
 * Piscina handler (`name: 'readHookConfig'`): { source, filename } in, a HookConfigResult out.
 * `parsed`: the source's parseHookSource as TypeScript exactly when readsAsTypeScript (for
 * JavaScript, parseAsModuleSource's will do), if the caller has it.
 */
export function readHookConfig({ source, filename }, parsed) {
  let ast = parsed;
  if (!ast) {
    try {
      ast = parseHookSource(source, { typescript: readsAsTypeScript(filename) });
    } catch (err) {
      const loc = err?.loc;
      return { ok: false, message: String(err?.message ?? err).replace(/ \(\d+:\d+\)$/, ''), line: loc?.line, column: loc && loc.column + 1 };
    }
  }
  for (const statement of ast.program.body) {
    if (statement.type !== 'ExportNamedDeclaration') continue;
    const declaration = statement.declaration;
    if (declaration?.type !== 'VariableDeclaration') continue;
    for (const d of declaration.declarations) {
      if (d.id.name !== 'config') continue;
      try {
        const value = literal(unwrap(d.init));
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          return { ok: false, message: 'export const config must be an object literal', ...position(d) };
        }
        return { ok: true, config: value };
      } catch (err) {
        if (err instanceof NotLiteral) {
          return { ok: false, message: 'export const config may hold only literal values (strings, numbers, booleans, null, arrays, objects)', ...position(err.node) };
        }
        // A literal nested past the stack: an answer, not a dead worker.
        return { ok: false, message: `export const config cannot be read: ${err?.message ?? err}`, ...position(d) };
      }
    }
  }
  return { ok: true, config: undefined };
}

function position(node) {
  return node?.loc ? { line: node.loc.start.line, column: node.loc.start.column + 1 } : {};
}

// Parentheses, which the compile worker's parse of JavaScript keeps as nodes (ModuleSource's
// options): `(1)` reads as `1`, as it does where Babel only marks them.
function withoutParens(node) {
  return node?.type === 'ParenthesizedExpression' ? withoutParens(node.expression) : node;
}

// `{ ... } satisfies HookConfig` and `as const` in TypeScript hooks.
function unwrap(node) {
  const inner = withoutParens(node);
  if (inner && (inner.type === 'TSSatisfiesExpression' || inner.type === 'TSAsExpression')) return unwrap(inner.expression);
  return inner;
}

function literal(node) {
  switch (node?.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
      return node.value;
    case 'NullLiteral':
      return null;
    case 'TemplateLiteral':
      if (node.expressions.length === 0) return node.quasis[0].value.cooked;
      throw new NotLiteral(node);
    case 'UnaryExpression':
      if (node.operator === '-' && withoutParens(node.argument).type === 'NumericLiteral') return -withoutParens(node.argument).value;
      throw new NotLiteral(node);
    case 'ArrayExpression':
      return node.elements.map((e) => {
        if (e === null) throw new NotLiteral(node); // a hole: [1, , 2]
        return literal(unwrap(e));
      });
    case 'ObjectExpression': {
      const out = {};
      for (const p of node.properties) {
        if (p.type !== 'ObjectProperty' || p.computed) throw new NotLiteral(p);
        const key = p.key;
        const name = key.type === 'Identifier' ? key.name : key.type === 'StringLiteral' ? key.value : undefined;
        if (name === undefined || name === '__proto__') throw new NotLiteral(key);
        out[name] = literal(unwrap(p.value));
      }
      return out;
    }
    default:
      throw new NotLiteral(node ?? { type: 'missing' });
  }
}
