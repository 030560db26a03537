// Watching the hooks directory from the start: a change made while the daemon starts (between its
// first look at the directory and the watcher's) is loaded, not left for the next change to
// bring in. Real store, real files, real chokidar; the test acts through the parts the hooks
// directory is given (the compiler it reads configs with, the registry it reloads).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHooksStore, type HooksStore } from '../../../lib/db/hooks-store.ts';
import { createHookDefinitions } from '../../../lib/dispatch/hook-definition.ts';
import { createHookRegistry, type HookRegistry } from '../../../lib/dispatch/hook-registry.ts';
import { createHooksDir, fileHookId } from '../../../lib/hooks-dir/index.ts';
import { createFakeCompiler, createTestLogger, defaultCatalog, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';
import { waitFor } from '../../helpers/wait.ts';

let t: TestDb;
let store: HooksStore;
const { log } = createTestLogger();

before(async () => {
  t = await openTestDb();
  store = createHooksStore(t.db);
});
after(() => t.close());

// Where the test acts during start: at the first config read (the first sync has listed the
// directory and is reading it), or at the first registry reload (the first sync has stored it).
const MOMENTS = ['while the first sync reads the directory', 'after the first sync stored it'] as const;

for (const moment of MOMENTS) {
  test(`a file added, changed and removed ${moment}, before the watcher is ready, is loaded`, async () => {
    const dir = join(t.dir, `hooks-${MOMENTS.indexOf(moment)}`);
    const write = (rel: string, text: string) => writeFileSync(join(dir, rel), text);
    mkdirSync(join(dir, 'media.added'), { recursive: true });
    write('media.added/10-changed.js', 'export default () => 1;');
    write('media.added/20-removed.js', 'export default () => 2;');
    let acted = false;
    const act = () => {
      if (acted) return;
      acted = true;
      write('media.added/10-changed.js', 'export default () => "changed";');
      rmSync(join(dir, 'media.added/20-removed.js'));
      write('media.added/30-added.js', 'export default () => 3;');
    };
    const fake = createFakeCompiler();
    const compiler: typeof fake = {
      ...fake,
      async readConfig(source, filename) {
        if (moment === MOMENTS[0]) act();
        return fake.readConfig(source, filename);
      },
    };
    const real = createHookRegistry({ store });
    const registry: HookRegistry = {
      ...real,
      async reload() {
        await real.reload();
        if (moment === MOMENTS[1]) act();
      },
    };
    const definitions = createHookDefinitions({ catalog: defaultCatalog(), compiler, profiles: ['default'], maxTimeoutMs: 60_000, refuseEnv: () => undefined });
    const hooksDir = createHooksDir({ dir, watch: true, debounceMs: 20, store, definitions, registry, compiler, maxSourceBytes: 10_000, log });
    try {
      await hooksDir.start();
      assert.ok(acted, 'the test acted during start');
      await waitFor(async () => real.forEvent('media.added', 'action').map((h) => h.name).join() === 'changed,added', 'the change made during start to load');
      assert.equal((await store.get(fileHookId('media.added/10-changed.js')))?.source, 'export default () => "changed";');
      assert.equal(await store.get(fileHookId('media.added/20-removed.js')), undefined);
    } finally {
      await hooksDir.stop();
    }
  });
}
