// Finds hook files in the hooks directory: `<dir>/<event-type>/<NN>-<name>.js` (NN is the
// priority: the layout Mydia uses) and `<dir>/<name>.js` modules that export a `config`. In
// `<event-type>/`, an executable non-module file is a command hook (options in `<file>.json`).
// Reads no file: it lists two levels at most, a bounded number of entries, asynchronously, and
// marks what must not be read (not a regular file, a symlink leaving the directory). A folder
// the system will not list is said so, apart from an empty or absent one: its hooks are kept.
import type { Dirent } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFileType, resolveInside } from '../contained-file.ts';
import { systemReason } from '../path-failure.ts';

export interface FoundHookFile {
  /** Path relative to the hooks dir, with forward slashes: the hook's filename in errors. */
  relPath: string;
  absPath: string;
  name: string;
  /** From the layout: `<event-type>/NN-name.js` gives events and priority. */
  events?: string[];
  priority?: number;
  /** Top-level modules must say what they subscribe to in their config export. */
  needsConfig: boolean;
  /** Present for a program (command hook) in `<event-type>/`; absent for a module. */
  kind?: 'command';
  /** Why the file must not be read or run (it is listed disabled with this reason, unread). */
  problem?: string;
}

export interface ScanResult {
  files: FoundHookFile[];
  /** Entries that are not hooks and were refused (a symlinked directory, too many entries). */
  problems: Array<{ file: string; message: string }>;
  /** The hooks directory resolved (realpath): every read must stay below it. */
  root?: string;
  /**
   * Folders that could not be listed, '.' for the hooks directory itself (whatever the reason,
   * absent included: a mount gone, a directory moved away), an `<event-type>/` folder for a
   * reason other than its removal. What they hold is unknown, not nothing.
   */
  unreadable: Array<{ folder: string; message: string }>;
}

export const MODULE_EXTENSIONS = ['.js', '.mjs', '.ts', '.mts'];
/** Entries looked at in one scan, both levels together: a directory of millions is cut here. */
export const MAX_SCAN_ENTRIES = 10_000;
const LAYOUT_NAME = /^(\d+)-(.+)$/;

function isModule(file: string): boolean {
  return MODULE_EXTENSIONS.some((ext) => file.endsWith(ext)) && !/\.(test|spec|d)\.[mc]?[jt]s$/.test(file);
}

function baseName(file: string): string {
  return file.replace(/\.[^.]+$/, '');
}

/** Hidden files, `_` helpers, tests, declarations and READMEs are not hooks. */
function skipped(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name === 'node_modules';
}

interface Entry {
  name: string;
  type: 'file' | 'dir' | 'other';
  mode: number;
  /** A symlink (to a directory: never followed). */
  link: boolean;
  problem?: string;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code;
const gone = (err: unknown) => errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR';

/**
 * What an entry is, following a symlink only to look (stat), never to read. Undefined when it
 * was removed since the listing; throws when the folder's entries cannot be looked at (listed
 * without the search permission, a failing disk): what they are is unknown.
 */
async function inspect(dirent: Dirent, abs: string, root: string): Promise<Entry | undefined> {
  const name = dirent.name;
  let st;
  try {
    st = await (dirent.isSymbolicLink() ? stat(abs) : lstat(abs));
  } catch (err) {
    // A link's target is its own business: refused below (a symlink to nothing, outside).
    if (!dirent.isSymbolicLink()) {
      if (gone(err)) return undefined;
      throw err;
    }
  }
  const type = st?.isFile() ? 'file' : st?.isDirectory() ? 'dir' : 'other';
  const entry: Entry = { name, type, mode: st?.mode ?? 0, link: dirent.isSymbolicLink() };
  if (entry.link) {
    const inside = await resolveInside(abs, root);
    if (!inside.ok) entry.problem = inside.missing ? 'is a symlink to nothing' : inside.message;
  }
  if (!entry.problem && type === 'other') entry.problem = `is ${st ? describeFileType(st) : 'unreadable'}, not a regular file: refused`;
  return entry;
}

/** Lists a directory lazily within the shared budget; sorted, so scans are deterministic. */
async function list(dir: string, budget: { left: number; cut: boolean }): Promise<Dirent[]> {
  const out: Dirent[] = [];
  const handle = await opendir(dir);
  try {
    for await (const dirent of handle) {
      if (budget.left <= 0) {
        budget.cut = true;
        break;
      }
      budget.left -= 1;
      out.push(dirent);
    }
  } finally {
    await handle.close().catch(() => {}); // already closed when the loop ran to its end
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function scanHooksDir(dir: string, maxEntries = MAX_SCAN_ENTRIES): Promise<ScanResult> {
  try {
    return await scanTop(dir, maxEntries);
  } catch (err) {
    if (errno(err) === undefined) throw err; // not the file system's refusal: a bug
    return { files: [], problems: [], unreadable: [{ folder: '.', message: systemReason(err) }] };
  }
}

async function scanTop(dir: string, maxEntries: number): Promise<ScanResult> {
  const result: ScanResult = { files: [], problems: [], unreadable: [] };
  const budget = { left: maxEntries, cut: false };
  const root = await realpath(dir);
  const top = await list(dir, budget);
  result.root = root;
  for (const dirent of top) {
    if (skipped(dirent.name)) continue;
    const abs = join(dir, dirent.name);
    const entry = await inspect(dirent, abs, root);
    if (!entry) continue;
    if (entry.type === 'dir' && entry.link) {
      // Followed, a link could loop or lead out of the directory; real folders are enough.
      result.problems.push({ file: dirent.name, message: 'is a symlink to a directory, which is not followed: make it a real folder' });
    } else if (entry.type === 'dir') {
      await scanEventFolder(dir, dirent.name, root, budget, result);
    } else if (isModule(dirent.name)) {
      result.files.push({ relPath: dirent.name, absPath: abs, name: baseName(dirent.name), needsConfig: true, ...(entry.problem ? { problem: entry.problem } : {}) });
    }
  }
  if (budget.cut) {
    result.problems.push({ file: '.', message: `holds more than ${maxEntries} entries: the rest were not looked at` });
  }
  return result;
}

async function scanEventFolder(dir: string, folder: string, root: string, budget: { left: number; cut: boolean }, result: ScanResult): Promise<void> {
  try {
    result.files.push(...(await scanFolderFiles(dir, folder, root, budget)));
  } catch (err) {
    if (errno(err) === undefined) throw err;
    // Removed since the top was listed: its hooks go, as a deleted file's do.
    if (!gone(err)) result.unreadable.push({ folder, message: systemReason(err) });
  }
}

async function scanFolderFiles(dir: string, folder: string, root: string, budget: { left: number; cut: boolean }): Promise<FoundHookFile[]> {
  const files: FoundHookFile[] = [];
  const dirents = await list(join(dir, folder), budget);
  const names = new Set(dirents.map((d) => d.name));
  for (const dirent of dirents) {
    const file = dirent.name;
    if (skipped(file) || file.endsWith('.json')) continue;
    const path = join(dir, folder, file);
    const entry = await inspect(dirent, path, root);
    if (!entry || entry.type === 'dir') continue; // one level of folders only
    const module = isModule(file);
    // Any x bit makes a non-module file a program; so does a sidecar `<file>.json` next to it,
    // so that a script someone forgot to chmod is reported (not executable), not ignored.
    const command = !module && !MODULE_EXTENSIONS.some((ext) => file.endsWith(ext)) && ((entry.mode & 0o111) !== 0 || names.has(`${file}.json`));
    if (!module && !command) continue;
    const match = LAYOUT_NAME.exec(baseName(file));
    files.push({
      relPath: `${folder}/${file}`,
      absPath: path,
      name: match ? match[2]! : baseName(file),
      events: [folder],
      priority: match ? Number(match[1]) : undefined,
      needsConfig: false,
      ...(command ? { kind: 'command' as const } : {}),
      ...(entry.problem ? { problem: entry.problem } : {}),
    });
  }
  return files;
}
