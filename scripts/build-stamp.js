// Whether dist/ is older than the sources it is built from (dist/.build-stamp, written last by
// scripts/build.js): npm test rebuilds then, and the test bundles use dist/'s precompiled
// validators only when it is not.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, at any depth. */
export function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

/** True when the build in `repoDir` is missing or any of its sources changed after it. */
export function buildIsStale(repoDir) {
  const stamp = join(repoDir, 'dist/.build-stamp');
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = [
    ...['lib', 'runtime', 'ui'].flatMap((dir) => listFiles(join(repoDir, dir))),
    ...['package.json', 'tsconfig.build.json', 'scripts/build.js', 'scripts/precompiled-validators.js'].map((file) => join(repoDir, file)),
  ];
  return sources.some((file) => statSync(file).mtimeMs > built);
}
