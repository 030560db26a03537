// Reads `export const config = { ... }` from a hook file without running it: the file is
// parsed (Babel) and only literal values are accepted, so discovery executes no user code.
import { parse } from '@babel/parser';

export type ConfigResult = { ok: true; config: Record<string, unknown> | undefined } | { ok: false; message: string; line?: number; column?: number };

interface Node {
  type: string;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

class NotLiteral extends Error {
  readonly node: Node;
  constructor(node: Node) {
    super('not a literal');
    this.node = node;
  }
}

export function readHookConfig(source: string, filename: string): ConfigResult {
  let ast: { program: { body: Node[] } };
  try {
    ast = parse(source, {
      sourceType: 'module',
      plugins: /\.m?ts$/.test(filename) ? ['typescript'] : [],
      errorRecovery: false,
    }) as unknown as { program: { body: Node[] } };
  } catch (err) {
    const loc = (err as { loc?: { line: number; column: number } }).loc;
    return { ok: false, message: (err as Error).message.replace(/ \(\d+:\d+\)$/, ''), line: loc?.line, column: loc && loc.column + 1 };
  }
  for (const statement of ast.program.body) {
    if (statement.type !== 'ExportNamedDeclaration') continue;
    const declaration = statement.declaration as Node | null;
    if (declaration?.type !== 'VariableDeclaration') continue;
    for (const d of declaration.declarations as Node[]) {
      if ((d.id as Node & { name?: string }).name !== 'config') continue;
      try {
        const value = literal(unwrap(d.init as Node));
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          return { ok: false, message: 'export const config must be an object literal', ...position(d) };
        }
        return { ok: true, config: value as Record<string, unknown> };
      } catch (err) {
        if (err instanceof NotLiteral) {
          return { ok: false, message: 'export const config may hold only literal values (strings, numbers, booleans, null, arrays, objects)', ...position(err.node) };
        }
        throw err;
      }
    }
  }
  return { ok: true, config: undefined };
}

function position(node: Node) {
  return node.loc ? { line: node.loc.start.line, column: node.loc.start.column + 1 } : {};
}

// `{ ... } satisfies HookConfig` and `as const` in TypeScript hooks.
function unwrap(node: Node): Node {
  if (node.type === 'TSSatisfiesExpression' || node.type === 'TSAsExpression') return unwrap(node.expression as Node);
  return node;
}

function literal(node: Node): unknown {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
      return node.value;
    case 'NullLiteral':
      return null;
    case 'TemplateLiteral':
      if ((node.expressions as Node[]).length === 0) return (node.quasis as Array<{ value: { cooked: string } }>)[0]!.value.cooked;
      throw new NotLiteral(node);
    case 'UnaryExpression':
      if (node.operator === '-' && (node.argument as Node).type === 'NumericLiteral') return -((node.argument as Node).value as number);
      throw new NotLiteral(node);
    case 'ArrayExpression':
      return (node.elements as Node[]).map((e) => literal(unwrap(e)));
    case 'ObjectExpression': {
      const out: Record<string, unknown> = {};
      for (const p of node.properties as Node[]) {
        if (p.type !== 'ObjectProperty' || p.computed) throw new NotLiteral(p);
        const key = p.key as Node;
        const name = key.type === 'Identifier' ? (key.name as string) : key.type === 'StringLiteral' ? (key.value as string) : undefined;
        if (name === undefined || name === '__proto__') throw new NotLiteral(key);
        out[name] = literal(unwrap(p.value as Node));
      }
      return out;
    }
    default:
      throw new NotLiteral(node);
  }
}
