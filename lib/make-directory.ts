// Makes a directory and its missing parents, as `mkdir -p` does, one level at a time. Node's own
// recursive mkdirSync never returns where mkdir answers ENOENT for a parent that exists (under
// /proc, say): it retries forever on the event loop's thread, so a start with such a setting hung,
// deaf to SIGTERM. Here each missing level is made once and the system's error is thrown as it
// is (EEXIST for a file in the way, ENOTDIR for a file above, ENOENT where nothing may be made),
// for path-failure.ts to describe. Side effect: creates directories.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** `path` as a directory, made with its missing parents (each with `mode`) when absent; a directory already there is left as it is. */
export function makeDirectory(path: string, mode?: number): void {
  const missing: string[] = [];
  for (let at = resolve(path); !exists(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  if (missing.length === 0) {
    if (!statSync(path).isDirectory()) mkdirSync(path); // throws EEXIST: a file is in the way
    return;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode });
    } catch (error) {
      // Made meanwhile by someone else: as good as made here.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw error;
    }
  }
}
