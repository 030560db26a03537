// Worker entry for client/compile.ts: parses one hook source into a ModuleSource record with Babel,
// after erasing the types of a TypeScript hook (`.ts`, `.mts`) in place.
// Plain JavaScript on purpose: under tsx's CommonJS hooks Babel's ESM/CJS interop breaks in a
// worker ("reading 'get'"), so this thread runs without tsx. It parses, it never evaluates.
import { ModuleSource } from '@endo/module-source';
import { transforms } from 'ses/tools.js';
import { dropHandOver, handOver, parseAsModuleSource } from './module-source-parse.mjs';
import { readHookConfig, readsAsTypeScript } from './read-config.mjs';
import { eraseNonCode, isTypeScriptFile, parseHookSource, StripError } from './strip-types.mjs';

const { mandatoryTransforms, rejectSomeDirectEvalExpressions } = transforms;

// A sourceURL comment names the hook's frames in V8 stacks, so a stack maps to the author's
// file without a source map. Only a safe character set: the comment runs to end of line and
// SES rejects programs whose text looks like an import expression or an HTML comment.
function toSourceUrl(filename) {
  return filename.replace(/[^A-Za-z0-9._/@+-]/g, '_').slice(0, 200) || 'hook.js';
}

function fail(message, line, column) {
  const error = { message };
  if (line !== undefined) error.line = line;
  if (column !== undefined) error.column = column;
  return { ok: false, error };
}

// SES refuses these texts anywhere outside comments, strings included (they could hide an
// import or an HTML comment from its checks); the author needs to know which and where.
const SES_REFUSALS = {
  SES_IMPORT_REJECTED: { pattern: /\bimport\s*(?:\(|\/[/*])/, what: '"import(" (even inside a string)', fix: "split it: 'imp' + 'ort('" },
  SES_HTML_COMMENT_REJECTED: { pattern: /<!--|-->/, what: 'an HTML comment marker "<!--" or "-->" (even inside a string)', fix: "split it: '<' + '!--'" },
};

function describeSesRefusal(code, line, source, filename) {
  const refusal = SES_REFUSALS[code];
  const text = source.split(/\r?\n|\r|\u2028|\u2029/)[line - 1] ?? '';
  const at = refusal ? text.search(refusal.pattern) : -1;
  const column = at >= 0 ? at + 1 : 1;
  const message = refusal
    ? `rejected by the sandbox: ${refusal.what}; ${refusal.fix} (${code})`
    : `rejected by the sandbox (${code})`;
  return fail(`${filename}: ${message}`, line, column);
}

function describeSyntaxError(err, filename, source) {
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw.replace(/^Error transforming source in "[^"]*": /, '');
  const babel = /\((\d+):(\d+)\)\s*$/.exec(message);
  // Babel columns are 0-based; editors and our API speak 1-based.
  if (babel) return fail(`${filename}: ${message}`, Number(babel[1]), Number(babel[2]) + 1);
  const ses = /rejected at [^\n]*:(\d+)\. \((SES_\w+)\)/.exec(message);
  if (ses) return describeSesRefusal(ses[2], Number(ses[1]), source, filename);
  return fail(`${filename}: ${message}`);
}

/**
 * Piscina handler: { source, filename } in, { ok, record } or { ok: false, error } out. `ast`:
 * the source's parseHookSource as TypeScript exactly when isTypeScriptFile, if the caller has it;
 * for JavaScript it may be parseAsModuleSource's instead, which ModuleSource then takes over.
 */
export default function compileHookSource({ source, filename }, ast) {
  const typescript = isTypeScriptFile(filename);
  let text = source;
  try {
    // Same length, lines and columns: everything below reports the author's positions.
    text = eraseNonCode(source, { typescript, ast });
  } catch (err) {
    if (err instanceof StripError) return fail(`${filename}: ${err.message}`, err.line, err.column);
    // JavaScript: ModuleSource parses it again below and reports the error as it always has.
    if (typescript) return describeSyntaxError(err, filename, source);
  }
  if (ast?.tokens && !typescript) handOver(text, ast);
  let record;
  try {
    record = { ...new ModuleSource(text, filename) };
  } catch (err) {
    return describeSyntaxError(err, filename, source);
  } finally {
    dropHandOver();
  }
  if (record.imports.length > 0) {
    return fail(`${filename}: a hook is a single module and cannot import "${record.imports[0]}"; inline what it needs`);
  }
  if (record.__needsImport__) return fail(`${filename}: dynamic import() is not available to hooks`);
  if (record.__needsImportMeta__) return fail(`${filename}: import.meta is not available to hooks`);
  if (!record.exports.includes('default')) {
    return fail(`${filename}: a hook needs a default export: export default async function (event, ctx) { ... }`);
  }
  const program = `${record.__syncModuleProgram__}//# sourceURL=${toSourceUrl(filename)}\n`;
  try {
    // The checks SES applies at evaluation, surfaced now as a located compile error.
    rejectSomeDirectEvalExpressions(mandatoryTransforms(program));
  } catch (err) {
    return describeSyntaxError(err, filename, source);
  }
  record.__syncModuleProgram__ = program;
  return { ok: true, record: JSON.parse(JSON.stringify(record)) };
}
export { readHookConfig };

/**
 * Piscina handler (`name: 'analyzeHook'`) for a hook file: its config and, when that reads, its
 * compilation, from one parse: { config: HookConfigResult, compiled?: the default handler's answer }.
 * No `compiled` when the config does not read, or when compiling threw (the client compiles
 * alone then, and reports that as it always has).
 */
export function analyzeHook(task) {
  const typescript = isTypeScriptFile(task.filename);
  let ast;
  // A declaration file's name reads as TypeScript for its config but compiles as JavaScript.
  if (typescript === readsAsTypeScript(task.filename)) {
    try {
      // JavaScript as ModuleSource parses it: the same AST serves the config, the comments and ModuleSource.
      ast = typescript ? parseHookSource(task.source, { typescript }) : parseAsModuleSource(task.source);
    } catch {
      // readHookConfig parses again and describes the error as it always has.
    }
  }
  const config = readHookConfig(task, ast);
  if (!config.ok) return { config };
  try {
    return { config, compiled: compileHookSource(task, ast) };
  } catch {
    return { config };
  }
}

/** A no-op task: client/compile.ts runs it untimed so that loading this thread is not charged to a deadline. */
export function warmUp() {
  return true;
}
