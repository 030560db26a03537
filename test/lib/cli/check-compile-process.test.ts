// `hookd check`'s early compile process (lib/cli/check-compile-process.ts): started before the
// config loads only when the data directory known without it has no compiled hook; a data
// directory a config file may change, or a warm cache, leaves it to the compiler. Needs the
// build's snapshot (npm test runs with HOOKD_RUNTIME=dist once dist/ is fresh).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openCheckCompileProcess } from '../../../lib/cli/check-compile-process.ts';
import { openBuildCompileProcess } from '../../../runtime/client/compile-process.ts';
import { processTree } from '../../helpers/process-tree.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

// The spawn happens inside the call: what is running right after it is what it started.
const compileChildren = () => processTree(process.pid).filter((p) => p.command.includes('--snapshot-blob'));

function warmDataDir(): string {
  const dir = join(temp.dir, 'warm');
  mkdirSync(join(dir, 'cache', 'compile'), { recursive: true });
  writeFileSync(join(dir, 'cache', 'compile', 'entry.json'), '{}');
  return dir;
}

const CASES: Array<{ name: string; opts: { config?: string }; env: Record<string, string>; starts: boolean }> = [
  { name: 'HOOKD_DATA_DIR with no compiled hook yet', opts: {}, env: { HOOKD_DATA_DIR: join(temp.dir, 'fresh') }, starts: true },
  { name: 'HOOKD_DATA_DIR with compiled hooks', opts: {}, env: { HOOKD_DATA_DIR: warmDataDir() }, starts: false },
  { name: 'HOOKD_DATA_DIR empty, so the default data dir of the cwd (none there)', opts: {}, env: { HOOKD_DATA_DIR: '' }, starts: true },
  { name: 'a --config file, which may name another data dir', opts: { config: 'hookd.yaml' }, env: {}, starts: false },
  { name: 'HOOKD_CONFIG, likewise', opts: {}, env: { HOOKD_CONFIG: 'hookd.yaml' }, starts: false },
  { name: 'a config file, but HOOKD_DATA_DIR wins over it', opts: { config: 'hookd.yaml' }, env: { HOOKD_DATA_DIR: join(temp.dir, 'fresh') }, starts: true },
];

describe('hookd check\'s compile process, before the config', { skip: openBuildCompileProcess() ? false : 'no compile snapshot: run npm run build (npm test uses it)' }, () => {
  for (const c of CASES) {
    it(`${c.starts ? 'starts' : 'waits'} for ${c.name}`, async () => {
      const proc = openCheckCompileProcess(c.opts, c.env, temp.dir);
      try {
        assert.ok(proc);
        assert.equal(compileChildren().length, c.starts ? 1 : 0);
        assert.equal(await proc.ready(), true, 'and starts when asked, either way');
      } finally {
        await proc?.close();
      }
      assert.deepEqual(compileChildren(), []);
    });
  }
});
