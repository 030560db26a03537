// One parse per JavaScript hook: scripts/build.js bundles @endo/module-source with its
// `@babel/parser` import pointing at this module's `parse`. The compile worker parses a JavaScript
// hook once, with ModuleSource's own options, for its config and its comments, then hands that
// AST over for the text ModuleSource is given (the same source with its comments blanked: the same
// nodes at the same positions, without the comments), which ModuleSource then does not parse again
// (about 15% of a compile). Any other text, or other options, is parsed as before. From the source
// tree ModuleSource imports Babel itself and nothing is taken: the AST handed over is dropped.
import { parse as babelParse } from '@babel/parser';

// ModuleSource's options (@endo/module-source, src/transform-analyze.js); any other call parses.
const MODULE_SOURCE_OPTIONS = { sourceType: 'module', tokens: true, createParenthesizedExpressions: true };

/** @type {{ text: string, ast: object } | undefined} */
let handed;

/** A JavaScript hook source parsed as ModuleSource parses, its comments listed but attached to no node. */
export function parseAsModuleSource(source) {
  return babelParse(source, { ...MODULE_SOURCE_OPTIONS, attachComment: false });
}

/**
 * `ast` (parseAsModuleSource of a source) becomes the next parse of exactly `text`, that source
 * with its comments blanked; its comments go (ModuleSource transforms the AST in place: it is
 * taken, not copied). Until taken or dropped.
 */
export function handOver(text, ast) {
  ast.comments = [];
  ast.tokens = ast.tokens.filter((token) => token.type !== 'CommentLine' && token.type !== 'CommentBlock');
  handed = { text, ast };
}

/** Forgets an AST not taken (from the source tree, or a text ModuleSource changed first, such as a `#!` line). */
export function dropHandOver() {
  handed = undefined;
}

function isModuleSourceCall(options) {
  const keys = Object.keys(options ?? {});
  return keys.length === Object.keys(MODULE_SOURCE_OPTIONS).length && keys.every((key) => options[key] === MODULE_SOURCE_OPTIONS[key]);
}

/** @babel/parser's parse, as @endo/module-source's bundled copy calls it. */
export function parse(text, options) {
  const taken = handed;
  handed = undefined;
  if (taken !== undefined && taken.text === text && isModuleSourceCall(options)) return taken.ast;
  return babelParse(text, options);
}
