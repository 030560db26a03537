// What a hook file's path says, read the way the hooks directory reads it: a module (.js, .mjs,
// .ts, .mts) or a program (command hook), its name, and in `<event-type>/NN-name.ext` the
// folder (the event type) and NN (the priority).
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { MODULE_EXTENSIONS } from '../hooks-dir/scan.ts';

export interface HookFile {
  absPath: string;
  /** The path as the author knows it (relative to the working directory): used in every error. */
  display: string;
  kind: 'module' | 'command';
  name: string;
  /** The parent folder's name: the event type in the `<event-type>/NN-name` layout. */
  folder: string;
  priority?: number;
}

const LAYOUT_NAME = /^(\d+)-(.+)$/;

export function describeHookFile(path: string, cwd = process.cwd()): HookFile {
  const absPath = resolve(cwd, path);
  const rel = relative(cwd, absPath);
  const display = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absPath : rel;
  const file = basename(absPath);
  const kind = MODULE_EXTENSIONS.some((ext) => file.endsWith(ext)) ? 'module' : 'command';
  const stem = file.replace(/\.[^.]+$/, '');
  const match = LAYOUT_NAME.exec(stem);
  return {
    absPath,
    display,
    kind,
    name: match ? match[2]! : stem,
    folder: basename(dirname(absPath)),
    ...(match ? { priority: Number(match[1]) } : {}),
  };
}
