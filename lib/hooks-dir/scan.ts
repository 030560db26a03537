// Finds hook files in the hooks directory: `<dir>/<event-type>/<NN>-<name>.js` (NN is the
// priority: the layout Mydia uses) and `<dir>/<name>.js` modules that export a `config`.
// Returns what each file's path says; the file's own `config` export is read later. In
// `<event-type>/`, an executable non-module file is a command hook (options in `<file>.json`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

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
}

export const MODULE_EXTENSIONS = ['.js', '.mjs', '.ts', '.mts'];
const LAYOUT_NAME = /^(\d+)-(.+)$/;

function isModule(file: string): boolean {
  return MODULE_EXTENSIONS.some((ext) => file.endsWith(ext)) && !/\.(test|spec|d)\.[mc]?[jt]s$/.test(file);
}

/**
 * Any x bit makes a non-module file a program; so does a sidecar `<file>.json` next to it, so that
 * a script someone forgot to chmod is reported (not executable) instead of silently ignored.
 * READMEs and other plain files stay ignored.
 */
function isCommand(file: string, path: string, mode: number): boolean {
  if (MODULE_EXTENSIONS.some((ext) => file.endsWith(ext)) || file.endsWith('.json')) return false;
  return (mode & 0o111) !== 0 || existsSync(`${path}.json`);
}

function baseName(file: string): string {
  return file.replace(/\.[^.]+$/, '');
}

/** Hidden files, `_` helpers, tests, declarations and READMEs are not hooks. */
function skipped(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name === 'node_modules';
}

export function scanHooksDir(dir: string): FoundHookFile[] {
  const found: FoundHookFile[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return found; // no hooks directory: no file hooks
  }
  for (const entry of entries) {
    if (skipped(entry)) continue;
    const abs = join(dir, entry);
    const stat = statSync(abs, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isFile() && isModule(entry)) {
      found.push({ relPath: entry, absPath: abs, name: baseName(entry), needsConfig: true });
    } else if (stat.isDirectory()) {
      for (const file of readdirSync(abs).sort()) {
        if (skipped(file)) continue;
        const path = join(abs, file);
        const fileStat = statSync(path, { throwIfNoEntry: false });
        if (!fileStat?.isFile()) continue;
        const command = !isModule(file) && isCommand(file, path, fileStat.mode);
        if (!isModule(file) && !command) continue;
        const match = LAYOUT_NAME.exec(baseName(file));
        found.push({
          relPath: relative(dir, path).split(sep).join('/'),
          absPath: path,
          name: match ? match[2]! : baseName(file),
          events: [entry],
          priority: match ? Number(match[1]) : undefined,
          needsConfig: false,
          ...(command ? { kind: 'command' as const } : {}),
        });
      }
    }
  }
  return found;
}
