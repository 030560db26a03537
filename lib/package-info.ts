// hookd's own package.json, found from this file whether it runs from the source tree or a
// build: the version the OpenAPI document (and anything else that reports one) shows.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | undefined;

/** Read once, on first use: the nearest package.json above this file named "hookd". */
export function packageVersion(): string {
  if (version !== undefined) return version;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hookd' && typeof pkg.version === 'string') return (version = pkg.version);
    } catch {
      // no package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return (version = '0.0.0');
    dir = parent;
  }
}
