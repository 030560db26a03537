// Brings the hooks table in line with the hooks directory: new files become hooks (origin
// "file"), changed files a new version, removed files go. A file that cannot become a hook
// is kept as a disabled hook whose reason names the file, line and column; a file refused
// unread (not a regular file, too large, outside the directory) is kept without its text.
// What cannot be read for now (the directory, a folder, a file or a command's sidecar: a
// permission, a mount gone) is not taken for removed: the hooks last loaded from it stay as they are.
// A file refused because another hook has its name is reported once, not at every sync (clashes).
import { createHash } from 'node:crypto';
// The sidecar's module, not commands/index.ts: `hookd check` syncs without loading execa.
import { parseSidecar, readSidecar, sidecarPath } from '../commands/sidecar.ts';
import { readContainedFile, type ContainedRead } from '../contained-file.ts';
import type { HookFields, HookRecord, HooksStore } from '../db/hooks-store.ts';
import type { HookDefinitions } from '../dispatch/hook-definition.ts';
import { isHookdError } from '../errors.ts';
import { createLimiter } from '../limiter.ts';
import type { Logger } from '../log.ts';
import type { Compiler } from '../../runtime/index.ts';
import { scanHooksDir, type FoundHookFile } from './scan.ts';

export interface SyncDeps {
  dir: string;
  store: HooksStore;
  definitions: HookDefinitions;
  /** Reads a module's `export const config` off the main thread, under the compile deadline. */
  compiler: Pick<Compiler, 'readConfig'>;
  /** runtime.maxSourceSize: a larger hook file is refused before a byte of it is read. */
  maxSourceBytes: number;
  log: Logger;
  /** The files refused for their name, kept from one sync to the next (one per hooks directory). */
  clashes: NameClashes;
}

/**
 * Files refused because another hook has their name, by path: the text refused and the name it
 * gave. The hooks table cannot keep such a file as a disabled hook (names are unique), so the
 * refusal is kept here: while the file is unchanged and the name still taken, it is neither
 * compiled nor reported again.
 */
export type NameClashes = Map<string, { text: string; name: string }>;

export interface SyncReport {
  added: string[];
  updated: string[];
  removed: string[];
  failed: Array<{ file: string; message: string }>;
  /**
   * What could not be read, so its hooks were kept as last loaded (`kept` of them): the hooks
   * directory ('.'), an `<event-type>` folder, or a file. Empty when everything was read.
   */
  unreadable: Array<{ kind: 'directory' | 'folder' | 'file'; file: string; message: string; kept: number }>;
}

/** A stable id per file path, so invocations stay attached across restarts and edits. */
export function fileHookId(relPath: string): string {
  return `file-${createHash('sha256').update(relPath).digest('hex').slice(0, 16)}`;
}

async function define(found: FoundHookFile, source: string, deps: SyncDeps): Promise<HookFields> {
  const read = await deps.compiler.readConfig(source, found.relPath);
  if (!read.ok) {
    throw new Error(`${found.relPath}${read.line ? `:${read.line}:${read.column}` : ''}: ${read.message}`);
  }
  const config = read.config ?? {};
  if (found.needsConfig && !read.config) {
    throw new Error(`${found.relPath}: a hook at the top of the hooks directory must export const config = { events, mode }; or live in <event-type>/NN-name.js`);
  }
  const raw = {
    name: found.name,
    mode: 'action',
    ...(found.events ? { events: found.events } : {}),
    ...(found.priority === undefined ? {} : { priority: found.priority }),
    ...config,
    source,
  };
  return deps.definitions.forCreate(raw, 'file', found.relPath);
}

/**
 * A program in `<event-type>/`: the file is run, never read; its options come from the sidecar,
 * whose text is kept in `source` so that an unchanged sidecar means an unchanged hook.
 */
async function defineCommand(found: FoundHookFile, sidecar: string, deps: SyncDeps): Promise<HookFields> {
  const raw = {
    name: found.name,
    mode: 'action',
    ...(found.events ? { events: found.events } : {}),
    ...(found.priority === undefined ? {} : { priority: found.priority }),
    ...parseSidecar(sidecar, found.relPath),
    kind: 'command',
    command: [found.absPath],
  };
  try {
    return { ...(await deps.definitions.forCreate(raw, 'file', found.relPath)), source: sidecar };
  } catch (err) {
    if (isHookdError(err)) throw new Error(`${found.relPath}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The text that defines a hook: a module's source, a command's sidecar ('' when none). */
async function readDefinition(found: FoundHookFile, root: string | undefined, deps: SyncDeps): Promise<ContainedRead> {
  if (found.problem) return { ok: false, message: `${found.relPath}: ${found.problem}` };
  if (found.kind === 'command') return readSidecar(found.absPath, found.relPath, root);
  const read = await readContainedFile(found.absPath, { root, maxBytes: deps.maxSourceBytes, limitName: 'runtime.maxSourceSize' });
  return read.ok || read.missing ? read : { ...read, message: `${found.relPath}: ${read.message}` };
}

/** The file whose text defines the hook, named when it cannot be read: a module, a command's sidecar. */
function definitionFile(found: FoundHookFile): string {
  return found.kind === 'command' ? sidecarPath(found.relPath) : found.relPath;
}

/** What is stored for a file that cannot become a hook: disabled, with the reason. */
function failedFields(found: FoundHookFile, message: string, source: string | null): HookFields {
  return {
    name: found.name,
    origin: 'file',
    filePath: found.relPath,
    kind: found.kind ?? 'module',
    mode: 'action',
    events: found.events ?? [],
    priority: found.priority ?? 100,
    source,
    compiled: null,
    command: found.kind === 'command' ? [found.absPath] : null,
    env: [],
    arrScript: null,
    permissions: {},
    timeoutMs: null,
    limits: null,
    enabled: false,
    disabledReason: message,
  };
}

/** What one file comes to before anything is stored: new fields, nothing to do, or a refusal. */
type Prepared =
  | { found: FoundHookFile; before: HookRecord | undefined; skip: true; unreadable?: string }
  | { found: FoundHookFile; before: HookRecord | undefined; skip: false; fields: HookFields; text?: string; failure?: string; empty?: true };

// Files are read and compiled a few at a time: each compile is a round trip to the compile
// worker (or check's snapshot process), so while one file compiles the next is read and
// hashed. What is stored, and in which order, stays the scan's order.
const PREPARE_AT_ONCE = 4;

async function prepare(found: FoundHookFile, before: HookRecord | undefined, root: string | undefined, deps: SyncDeps): Promise<Prepared> {
  const read = await readDefinition(found, root, deps);
  if (!read.ok && read.missing) return { found, before, skip: true }; // removed between the scan and the read: the next sync sees it gone
  // A file (or sidecar) read before that cannot be for now keeps its hook; one never read is refused below.
  if (!read.ok && read.unreadable && before && before.source !== null) return { found, before, skip: true, unreadable: read.message };
  if (!read.ok) {
    // Refused unread: nothing of the file is stored or served, only why.
    if (before && before.source === null && before.disabledReason === read.message) return { found, before, skip: true };
    return { found, before, skip: false, fields: failedFields(found, read.message, null), failure: read.message };
  }
  const source = read.text;
  // A command's program is read at each run; only its path and sidecar make a new version.
  if (before && before.source === source && (found.kind !== 'command' || before.command?.[0] === found.absPath)) return { found, before, skip: true };
  if (await stillClashes(found, source, deps)) return { found, before, skip: true };
  // Most often a file still being written (an editor, a copy): said plainly, at warn; its
  // content, once written, differs from this and is loaded by the next sync.
  if (found.kind !== 'command' && source.trim() === '') {
    const message = `${found.relPath} is empty: a hook file needs its code (it is loaded as soon as it has some)`;
    return { found, before, skip: false, fields: failedFields(found, message, source), text: source, failure: message, empty: true };
  }
  try {
    const fields = found.kind === 'command' ? await defineCommand(found, source, deps) : await define(found, source, deps);
    return { found, before, skip: false, fields, text: source };
  } catch (err) {
    const message = isHookdError(err) || err instanceof Error ? err.message : String(err);
    return { found, before, skip: false, fields: failedFields(found, message, source), text: source, failure: message };
  }
}

/** Whether the file is as it was when refused for its name, and that name is still another hook's. */
async function stillClashes(found: FoundHookFile, text: string, deps: SyncDeps): Promise<boolean> {
  const clash = deps.clashes.get(found.relPath);
  if (!clash) return false;
  if (clash.text === text) {
    const holder = await deps.store.findByName(clash.name);
    if (holder && holder.id !== fileHookId(found.relPath)) return true;
  }
  deps.clashes.delete(found.relPath); // changed, or the name is free: the file is tried again
  return false;
}

export async function syncHooksDir(deps: SyncDeps): Promise<SyncReport> {
  const report: SyncReport = { added: [], updated: [], removed: [], failed: [], unreadable: [] };
  const existing = new Map((await deps.store.list()).filter((h) => h.origin === 'file').map((h) => [h.id, h]));
  const scan = await scanHooksDir(deps.dir);
  const scanned = new Set(scan.files.map((f) => f.relPath));
  for (const file of deps.clashes.keys()) if (!scanned.has(file)) deps.clashes.delete(file);
  for (const { folder, message } of scan.unreadable) {
    let kept = 0;
    for (const [id, hook] of existing) {
      if (folder !== '.' && !hook.filePath?.startsWith(`${folder}/`)) continue;
      existing.delete(id);
      kept += 1;
    }
    report.unreadable.push({ kind: folder === '.' ? 'directory' : 'folder', file: folder, message, kept });
  }
  const fail = (file: string, message: string, level: 'error' | 'warn' = 'error') => {
    report.failed.push({ file, message });
    deps.log[level]({ file, error: message }, 'hook file cannot be loaded');
  };
  for (const problem of scan.problems) fail(problem.file, problem.message);
  const limiter = createLimiter(PREPARE_AT_ONCE);
  const prepared = scan.files.map((found) => {
    const id = fileHookId(found.relPath);
    const before = existing.get(id);
    existing.delete(id);
    const pending = limiter.run(() => prepare(found, before, scan.root, deps));
    // Awaited in order below; should an earlier one throw, the later ones are not left unheard.
    pending.catch(() => {});
    return pending;
  });
  for (const pending of prepared) {
    const outcome = await pending;
    if (outcome.skip) {
      if (outcome.unreadable !== undefined) report.unreadable.push({ kind: 'file', file: definitionFile(outcome.found), message: outcome.unreadable, kept: 1 });
      continue;
    }
    const { found, before, fields } = outcome;
    const id = fileHookId(found.relPath);
    if (outcome.failure !== undefined) fail(found.relPath, outcome.failure, outcome.empty ? 'warn' : 'error');
    const clash = await deps.store.findByName(fields.name);
    if (clash && clash.id !== id) {
      if (outcome.text !== undefined) deps.clashes.set(found.relPath, { text: outcome.text, name: fields.name });
      fail(found.relPath, `${found.relPath}: a hook named "${fields.name}" exists already (${clash.origin === 'file' ? clash.filePath : 'made through the API'}); rename the file or set config.name`);
      continue;
    }
    if (before) {
      await deps.store.update(id, fields);
      report.updated.push(found.relPath);
    } else {
      await deps.store.insert(id, fields);
      report.added.push(found.relPath);
    }
  }
  for (const gone of existing.values()) {
    await deps.store.remove(gone.id);
    report.removed.push(gone.filePath ?? gone.name);
  }
  return report;
}
