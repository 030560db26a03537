// Erases what is not code from a hook source by overwriting it with spaces (line breaks kept),
// so every line and column left is the author's: stacks and syntax errors point into the file
// without a source map. Comments go (SES refuses any text like `import(`, JSDoc types included);
// in TypeScript, so do types. Only erasable TypeScript: enum, namespace... are located errors.
import { parse } from '@babel/parser';

/** Files whose name says TypeScript: `.ts` and `.mts` (declarations are never hooks). */
export function isTypeScriptFile(filename) {
  return /\.m?ts$/.test(filename) && !/\.d\.m?ts$/.test(filename);
}

// Syntax that means runtime code in TypeScript: erasing it would change what the hook does.
const UNERASABLE = {
  TSEnumDeclaration: 'an enum is not erasable TypeScript: use a plain object (const Kind = { A: "a" })',
  TSModuleDeclaration: 'a namespace is not erasable TypeScript: use plain objects or functions',
  TSParameterProperty: 'a parameter property is not erasable TypeScript: assign this.x = x in the constructor',
  TSImportEqualsDeclaration: 'import x = require() is not available to hooks',
  TSExportAssignment: 'export = is not available to hooks: use export default',
  TSNamespaceExportDeclaration: 'export as namespace is not available to hooks',
};

// Declarations that exist only for the type checker; erased whole.
function isTypeOnlyDeclaration(node) {
  if (!node) return false;
  switch (node.type) {
    case 'TSInterfaceDeclaration':
    case 'TSTypeAliasDeclaration':
    case 'TSDeclareFunction':
      return true;
    case 'TSModuleDeclaration':
    case 'TSEnumDeclaration':
    case 'VariableDeclaration':
    case 'ClassDeclaration':
      return node.declare === true;
    default:
      return false;
  }
}

const MEMBER_MODIFIERS = /\b(?:public|private|protected|readonly|override)\b/g;
const SKIPPED_KEYS = new Set(['type', 'start', 'end', 'loc', 'range', 'extra', 'comments', 'leadingComments', 'trailingComments', 'innerComments']);

export class StripError extends Error {
  constructor(message, loc) {
    super(message);
    this.name = 'SyntaxError';
    this.line = loc?.line;
    this.column = loc === undefined ? undefined : loc.column + 1;
  }
}

/** Babel's parse of a hook source, as eraseNonCode needs it (and read-config.mjs reads it). */
export function parseHookSource(source, { typescript }) {
  return parse(source, { sourceType: 'module', plugins: typescript ? ['typescript'] : [], errorRecovery: false, attachComment: false });
}

/**
 * Source -> JavaScript of the same length, lines and columns, without comments (and without
 * types when `typescript`). Throws a SyntaxError (Babel's, with `loc`) or a StripError. `ast`:
 * the source's parseHookSource, when the caller has it (it is only read).
 */
export function eraseNonCode(source, { typescript, ast: parsed }) {
  const ast = parsed ?? parseHookSource(source, { typescript });
  const out = source.split('');

  function blank(start, end) {
    for (let i = start; i < end; i += 1) {
      const c = out[i];
      if (c !== '\n' && c !== '\r' && c !== '\u2028' && c !== '\u2029') out[i] = ' ';
    }
  }
  // A `;` where a statement was keeps the statements around it apart (no ASI surprise).
  function blankStatement(node) {
    blank(node.start, node.end);
    out[node.start] = ';';
  }
  // The keyword that ends right before `pos` (skipping blanks): `as`, `satisfies`, `implements`.
  function keywordBefore(pos, word) {
    let i = pos;
    while (i > 0 && /\s/.test(source[i - 1])) i -= 1;
    return source.slice(i - word.length, i) === word ? i - word.length : pos;
  }
  function nextNonSpace(pos) {
    let i = pos;
    while (i < source.length && /\s/.test(source[i])) i += 1;
    return i;
  }

  function visitMember(member) {
    if (member.type === 'TSDeclareMethod' || member.type === 'TSIndexSignature' || member.declare || member.abstract) {
      blankStatement(member);
      return true;
    }
    if (!member.key) return false;
    // `private readonly x`: the modifiers sit between the member's start and its key.
    const head = source.slice(member.start, member.key.start);
    for (const m of head.matchAll(MEMBER_MODIFIERS)) blank(member.start + m.index, member.start + m.index + m[0].length);
    if (member.optional || member.definite) {
      let i = nextNonSpace(member.key.end);
      if (member.computed && source[i] === ']') i = nextNonSpace(i + 1);
      if (source[i] === '?' || source[i] === '!') blank(i, i + 1);
    }
    return false;
  }

  function visit(node, parent) {
    if (!node || typeof node.type !== 'string') return;
    if (UNERASABLE[node.type] && !node.declare) throw new StripError(UNERASABLE[node.type], node.loc?.start);
    switch (node.type) {
      case 'TSTypeAnnotation':
      case 'TSTypeParameterDeclaration':
      case 'TSTypeParameterInstantiation':
        blank(node.start, node.end);
        return;
      case 'ImportDeclaration':
        if (node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'))) {
          blankStatement(node);
        }
        return;
      case 'ExportNamedDeclaration':
        if (node.exportKind === 'type' || isTypeOnlyDeclaration(node.declaration)
          || (!node.declaration && node.specifiers.length > 0 && node.specifiers.every((s) => s.exportKind === 'type'))) {
          blankStatement(node);
          return;
        }
        break;
      case 'ExportDefaultDeclaration':
        if (isTypeOnlyDeclaration(node.declaration)) {
          blankStatement(node);
          return;
        }
        break;
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
        visit(node.expression, node);
        blank(keywordBefore(node.typeAnnotation.start, node.type === 'TSAsExpression' ? 'as' : 'satisfies'), node.end);
        return;
      case 'TSTypeAssertion': {
        const close = source.indexOf('>', node.typeAnnotation.end);
        blank(node.start, close + 1);
        visit(node.expression, node);
        return;
      }
      case 'TSNonNullExpression':
        visit(node.expression, node);
        if (source[node.end - 1] === '!') blank(node.end - 1, node.end);
        return;
      case 'Identifier':
        // `x?: T` and `x: T`: everything after the name is type syntax.
        if (node.optional || node.typeAnnotation) blank(node.start + node.name.length, node.end);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        if (node.abstract) {
          const at = source.indexOf('abstract', node.start);
          if (at >= 0 && at < (node.id?.start ?? node.body.start)) blank(at, at + 'abstract'.length);
        }
        if (node.implements?.length) {
          blank(keywordBefore(node.implements[0].start, 'implements'), node.implements.at(-1).end);
        }
        break;
      default:
        if (isTypeOnlyDeclaration(node) && parent?.type !== 'ExportNamedDeclaration') {
          blankStatement(node);
          return;
        }
    }
    if (node.type === 'ClassBody') {
      for (const member of node.body) if (!visitMember(member)) visitChildren(member);
      return;
    }
    if (node.params) {
      // `function f(this: Window, x)`: the `this` parameter is type-only.
      const first = node.params[0];
      if (first?.type === 'Identifier' && first.name === 'this') blank(first.start, node.params[1]?.start ?? first.end);
    }
    visitChildren(node);
  }

  function visitChildren(node) {
    for (const key of Object.keys(node)) {
      if (SKIPPED_KEYS.has(key) || key === 'implements') continue;
      const child = node[key];
      if (Array.isArray(child)) for (const item of child) visit(item, node);
      else if (child && typeof child === 'object') visit(child, node);
    }
  }

  for (const comment of ast.comments ?? []) blank(comment.start, comment.end);
  if (typescript) for (const statement of ast.program.body) visit(statement, ast.program);
  return out.join('');
}
