// Worker entry for compile.ts: parses one hook source into a ModuleSource record with Babel.
// Plain JavaScript on purpose: under tsx's CommonJS hooks Babel's ESM/CJS interop breaks in a
// worker ("reading 'get'"), so this thread runs without tsx. It parses, it never evaluates.
import { ModuleSource } from '@endo/module-source';
import { transforms } from 'ses/tools.js';

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

function describeSyntaxError(err, filename) {
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw.replace(/^Error transforming source in "[^"]*": /, '');
  const babel = /\((\d+):(\d+)\)\s*$/.exec(message);
  // Babel columns are 0-based; editors and our API speak 1-based.
  if (babel) return fail(`${filename}: ${message}`, Number(babel[1]), Number(babel[2]) + 1);
  const ses = /rejected at [^\n]*:(\d+)\. \((SES_\w+)\)/.exec(message);
  if (ses) return fail(`${filename}:${ses[1]}: ${message}`, Number(ses[1]));
  return fail(`${filename}: ${message}`);
}

/** Piscina handler: { source, filename } in, { ok, record } or { ok: false, error } out. */
export default function compileHookSource({ source, filename }) {
  let record;
  try {
    record = { ...new ModuleSource(source, filename) };
  } catch (err) {
    return describeSyntaxError(err, filename);
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
    return describeSyntaxError(err, filename);
  }
  record.__syncModuleProgram__ = program;
  return { ok: true, record: JSON.parse(JSON.stringify(record)) };
}
