// Brings the hooks table in line with the hooks directory: new files become hooks (origin
// "file"), changed files a new version, removed files go. A file that cannot become a hook
// is kept as a disabled hook whose reason names the file, line and column.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseSidecar, readSidecarText } from '../commands/index.ts';
import type { HookFields, HooksStore } from '../db/hooks-store.ts';
import type { HookDefinitions } from '../dispatch/hook-definition.ts';
import { isHookdError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { readHookConfig } from './read-config.ts';
import { scanHooksDir, type FoundHookFile } from './scan.ts';

export interface SyncDeps {
  dir: string;
  store: HooksStore;
  definitions: HookDefinitions;
  log: Logger;
}

export interface SyncReport {
  added: string[];
  updated: string[];
  removed: string[];
  failed: Array<{ file: string; message: string }>;
}

/** A stable id per file path, so invocations stay attached across restarts and edits. */
export function fileHookId(relPath: string): string {
  return `file-${createHash('sha256').update(relPath).digest('hex').slice(0, 16)}`;
}

async function define(found: FoundHookFile, source: string, deps: SyncDeps): Promise<HookFields> {
  const read = readHookConfig(source, found.relPath);
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

export async function syncHooksDir(deps: SyncDeps): Promise<SyncReport> {
  const report: SyncReport = { added: [], updated: [], removed: [], failed: [] };
  const existing = new Map((await deps.store.list()).filter((h) => h.origin === 'file').map((h) => [h.id, h]));
  for (const found of scanHooksDir(deps.dir)) {
    const id = fileHookId(found.relPath);
    const before = existing.get(id);
    existing.delete(id);
    let source: string;
    try {
      source = found.kind === 'command' ? readSidecarText(found.absPath) : readFileSync(found.absPath, 'utf8');
    } catch {
      continue; // removed between the scan and the read: the next sync sees it gone
    }
    // A command's program is read at each run; only its path and sidecar make a new version.
    if (before && before.source === source && (found.kind !== 'command' || before.command?.[0] === found.absPath)) continue;
    let fields: HookFields;
    try {
      fields = found.kind === 'command' ? await defineCommand(found, source, deps) : await define(found, source, deps);
    } catch (err) {
      const message = isHookdError(err) || err instanceof Error ? err.message : String(err);
      report.failed.push({ file: found.relPath, message });
      deps.log.error({ file: found.relPath, error: message }, 'hook file cannot be loaded');
      fields = {
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
        permissions: {},
        timeoutMs: null,
        limits: null,
        enabled: false,
        disabledReason: message,
      };
    }
    const clash = await deps.store.findByName(fields.name);
    if (clash && clash.id !== id) {
      const message = `${found.relPath}: a hook named "${fields.name}" exists already (${clash.origin === 'file' ? clash.filePath : 'made through the API'}); rename the file or set config.name`;
      report.failed.push({ file: found.relPath, message });
      deps.log.error({ file: found.relPath, error: message }, 'hook file cannot be loaded');
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
