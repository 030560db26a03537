// hookd's own package, found from this file whether it runs from the source tree (lib/) or a
// build (dist/lib/): its root (where config/ lives) and the version the OpenAPI document shows.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: { root: string; version: string } | undefined;

/** The nearest directory above this file whose package.json is named "hookd"; read once. */
function findPackage(): { root: string; version: string } {
  if (found) return found;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hookd') return (found = { root: dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' });
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) return (found = { root: join(start, '..'), version: '0.0.0' });
  }
}

export function packageRoot(): string {
  return findPackage().root;
}

export function packageVersion(): string {
  return findPackage().version;
}
