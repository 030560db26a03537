// The hooks directory, a folder of it or a hook file that cannot be read for a moment (a
// permission, a directory moved away or replaced, a mount gone) keeps the hooks last loaded from
// it, says so once, and loads what changed meanwhile once it reads again; a file really deleted
// still goes; so does a command hook's sidecar. Real store, real files; root reads anything, so this test file's process drops to
// nobody (effective ids only, restored at the end) for a chmod to refuse.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { checkProgram } from '../../../lib/commands/check-program.ts';
import { createHooksStore, type HooksStore } from '../../../lib/db/hooks-store.ts';
import { createHookDefinitions } from '../../../lib/dispatch/hook-definition.ts';
import { createHookRegistry, type HookRegistry } from '../../../lib/dispatch/hook-registry.ts';
import { createHooksDir, fileHookId } from '../../../lib/hooks-dir/index.ts';
import { createFakeCompiler, createTestLogger, defaultCatalog, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';
import { waitFor } from '../../helpers/wait.ts';

const NOBODY = 65534;
const asRoot = process.geteuid?.() === 0;
if (asRoot) {
  process.setegid!(NOBODY);
  process.seteuid!(NOBODY);
}

let t: TestDb;
let store: HooksStore;
let registry: HookRegistry;
let dir: string;
const { log, sink } = createTestLogger();
const compiler = createFakeCompiler();

function createDir(watch = false) {
  const definitions = createHookDefinitions({ catalog: defaultCatalog(), compiler, profiles: ['default'], maxTimeoutMs: 60_000, checkCommand: checkProgram, refuseEnv: () => undefined });
  return createHooksDir({ dir, watch, debounceMs: 20, store, definitions, registry, compiler, maxSourceBytes: 10_000, log });
}

const write = (rel: string, text: string) => writeFileSync(join(dir, rel), text);
const actionNames = (type: string) => registry.forEvent(type, 'action').map((h) => h.name);
let logMark = 0; // this test's lines start here
const logged = (msg: RegExp) => sink.lines().slice(logMark).filter((l) => msg.test(String(l.msg)));

before(async () => {
  t = await openTestDb();
  store = createHooksStore(t.db);
  registry = createHookRegistry({ store });
});
after(async () => {
  await t.close();
  if (asRoot) {
    process.seteuid!(0);
    process.setegid!(0);
  }
});

// Each test starts from the same three hooks, loaded.
beforeEach(async () => {
  dir = join(t.dir, `hooks-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dir, 'media.added'), { recursive: true });
  mkdirSync(join(dir, 'download.completed'));
  write('media.added/10-first.js', 'export default () => 1;');
  write('media.added/20-second.js', 'export default () => 2;');
  write('download.completed/10-third.js', 'export default () => 3;');
  for (const hook of await store.list()) await store.remove(hook.id);
  const report = await createDir().sync();
  assert.equal(report.added.length, 3);
  logMark = sink.lines().length;
});

const WAYS: Array<{ how: string; error: string; away: (d: string) => void; back: (d: string) => void }> = [
  { how: 'made unreadable (chmod 000)', error: 'EACCES: permission denied', away: (d) => chmodSync(d, 0), back: (d) => chmodSync(d, 0o755) },
  { how: 'moved away', error: 'ENOENT: no such file or directory', away: (d) => renameSync(d, `${d}.away`), back: (d) => renameSync(`${d}.away`, d) },
  {
    how: 'replaced by a file',
    error: 'ENOTDIR: not a directory',
    away: (d) => {
      renameSync(d, `${d}.away`);
      writeFileSync(d, '');
    },
    back: (d) => {
      rmSync(d);
      renameSync(`${d}.away`, d);
    },
  },
];

for (const way of WAYS) {
  test(`a hooks directory ${way.how} keeps every hook, warns once, and loads what changed meanwhile once it reads again`, async () => {
    const hooksDir = createDir();
    write('media.added/10-first.js', 'export default () => "changed";'); // not yet synced
    way.away(dir);
    try {
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(await hooksDir.sync(), { added: [], updated: [], removed: [], failed: [], unreadable: [{ kind: 'directory', file: '.', message: way.error, kept: 3 }] });
        assert.deepEqual(actionNames('media.added'), ['first', 'second']);
        assert.deepEqual(actionNames('download.completed'), ['third']);
      }
    } finally {
      way.back(dir);
    }
    const warned = logged(/cannot be read: /);
    assert.deepEqual(warned.map((l) => [l.level, l.msg, l.dir, l.error]), [[40, 'hooks directory cannot be read: kept the 3 hooks last loaded from it', dir, way.error]], 'one warning');
    const report = await hooksDir.sync();
    assert.deepEqual(report.updated, ['media.added/10-first.js']);
    assert.deepEqual(report.unreadable, []);
    assert.equal((await store.get(fileHookId('media.added/10-first.js')))?.source, 'export default () => "changed";');
    assert.deepEqual(logged(/can be read again/).map((l) => [l.level, l.dir]), [[30, dir]]);
  });
}

test('a folder that cannot be read keeps its hooks while the rest of the directory syncs', async () => {
  const hooksDir = createDir();
  chmodSync(join(dir, 'media.added'), 0);
  try {
    write('download.completed/20-fourth.js', 'export default () => 4;');
    rmSync(join(dir, 'download.completed/10-third.js'));
    for (let i = 0; i < 2; i++) {
      const report = await hooksDir.sync();
      assert.deepEqual(report.unreadable, [{ kind: 'folder', file: 'media.added', message: 'EACCES: permission denied', kept: 2 }]);
      if (i === 0) assert.deepEqual([report.added, report.removed], [['download.completed/20-fourth.js'], ['download.completed/10-third.js']]);
      assert.deepEqual(actionNames('media.added'), ['first', 'second']);
      assert.deepEqual(actionNames('download.completed'), ['fourth']);
    }
  } finally {
    chmodSync(join(dir, 'media.added'), 0o755);
  }
  assert.deepEqual(logged(/cannot be read: /).map((l) => [l.level, l.msg, l.file]), [[40, 'hooks directory folder cannot be read: kept the 2 hooks last loaded from it', 'media.added/']]);
  assert.deepEqual((await hooksDir.sync()).unreadable, []);
  assert.deepEqual(logged(/can be read again/).map((l) => l.file), ['media.added/']);
});

test('a file that cannot be read keeps its hook as last loaded; a file deleted beside it goes', async () => {
  const hooksDir = createDir();
  chmodSync(join(dir, 'media.added/10-first.js'), 0);
  rmSync(join(dir, 'media.added/20-second.js'));
  try {
    for (let i = 0; i < 2; i++) {
      const report = await hooksDir.sync();
      assert.deepEqual(report.unreadable, [{ kind: 'file', file: 'media.added/10-first.js', message: 'media.added/10-first.js: cannot be read: permission denied', kept: 1 }]);
      assert.deepEqual(report.removed, i === 0 ? ['media.added/20-second.js'] : []);
      assert.deepEqual(report.failed, []);
      assert.deepEqual(actionNames('media.added'), ['first']);
      const first = await store.get(fileHookId('media.added/10-first.js'));
      assert.deepEqual([first?.enabled, first?.version], [true, 1]);
    }
  } finally {
    chmodSync(join(dir, 'media.added/10-first.js'), 0o644);
  }
  assert.deepEqual(logged(/cannot be read: /).map((l) => [l.level, l.msg, l.file]), [[40, 'hook file cannot be read: kept the hook last loaded from it', 'media.added/10-first.js']]);
  assert.deepEqual((await hooksDir.sync()).unreadable, []);
  assert.deepEqual(logged(/can be read again/).map((l) => l.file), ['media.added/10-first.js']);
});

test('a sidecar that cannot be read keeps its command hook as last loaded, warns once naming it, and loads what changed once it reads again', async () => {
  const hooksDir = createDir();
  write('media.added/30-notify.sh', '#!/bin/sh\n');
  chmodSync(join(dir, 'media.added/30-notify.sh'), 0o755);
  write('media.added/30-notify.sh.json', JSON.stringify({ timeoutMs: 5000 }));
  assert.deepEqual((await hooksDir.sync()).added, ['media.added/30-notify.sh']);
  const sidecar = join(dir, 'media.added/30-notify.sh.json');
  write('media.added/30-notify.sh.json', JSON.stringify({ timeoutMs: 7000 })); // not yet synced
  chmodSync(sidecar, 0);
  try {
    for (let i = 0; i < 2; i++) {
      const report = await hooksDir.sync();
      const message = 'media.added/30-notify.sh.json: cannot be read: permission denied';
      assert.deepEqual(report, { added: [], updated: [], removed: [], failed: [], unreadable: [{ kind: 'file', file: 'media.added/30-notify.sh.json', message, kept: 1 }] });
      const hook = await store.get(fileHookId('media.added/30-notify.sh'));
      assert.deepEqual([hook?.enabled, hook?.version, hook?.timeoutMs], [true, 1, 5000]);
      assert.deepEqual(actionNames('media.added'), ['first', 'second', 'notify']);
    }
  } finally {
    chmodSync(sidecar, 0o644);
  }
  assert.deepEqual(logged(/cannot be read: /).map((l) => [l.level, l.msg, l.file]), [[40, 'hook file cannot be read: kept the hook last loaded from it', 'media.added/30-notify.sh.json']]);
  const report = await hooksDir.sync();
  assert.deepEqual([report.updated, report.unreadable], [['media.added/30-notify.sh'], []]);
  assert.equal((await store.get(fileHookId('media.added/30-notify.sh')))?.timeoutMs, 7000);
  assert.deepEqual(logged(/can be read again/).map((l) => l.file), ['media.added/30-notify.sh.json']);
});

test('a sidecar never read that cannot be read makes a disabled hook naming it, as a hook file never read does', async () => {
  const hooksDir = createDir();
  write('media.added/30-notify.sh', '#!/bin/sh\n');
  chmodSync(join(dir, 'media.added/30-notify.sh'), 0o755);
  write('media.added/30-notify.sh.json', '{}');
  chmodSync(join(dir, 'media.added/30-notify.sh.json'), 0);
  try {
    const report = await hooksDir.sync();
    const message = 'media.added/30-notify.sh.json: cannot be read: permission denied';
    assert.deepEqual([report.added, report.failed, report.unreadable], [['media.added/30-notify.sh'], [{ file: 'media.added/30-notify.sh', message }], []]);
    const hook = await store.get(fileHookId('media.added/30-notify.sh'));
    assert.deepEqual([hook?.enabled, hook?.disabledReason], [false, message]);
  } finally {
    chmodSync(join(dir, 'media.added/30-notify.sh.json'), 0o644);
  }
  assert.equal((await store.get(fileHookId('media.added/30-notify.sh')))?.enabled, false);
  assert.deepEqual((await hooksDir.sync()).updated, ['media.added/30-notify.sh']);
  assert.equal((await store.get(fileHookId('media.added/30-notify.sh')))?.enabled, true);
});

test('the watcher retries a directory moved away and, once it is back, loads what changed meanwhile and watches again', async () => {
  const hooksDir = createDir(true);
  await hooksDir.start();
  try {
    renameSync(dir, `${dir}.away`);
    await waitFor(async () => logged(/hooks directory cannot be read: /).length > 0, 'the warning');
    writeFileSync(join(`${dir}.away`, 'media.added/30-meanwhile.js'), 'export default () => 30;');
    await waitFor(async () => logged(/still cannot be read/).length > 0, 'a retry');
    assert.deepEqual(actionNames('media.added'), ['first', 'second']);
    renameSync(`${dir}.away`, dir);
    await waitFor(async () => actionNames('media.added').includes('meanwhile'), 'the file written meanwhile to load');
    write('media.added/40-after.js', 'export default () => 40;');
    await waitFor(async () => actionNames('media.added').includes('after'), 'a file written after to load');
    assert.deepEqual(logged(/hooks directory cannot be read: /).length, 1, 'one warning');
  } finally {
    await hooksDir.stop();
  }
});

test('a folder that cannot be read when watching starts is retried until it reads', async () => {
  chmodSync(join(dir, 'media.added'), 0);
  const hooksDir = createDir(true);
  try {
    // Its first look at the folder is an EACCES chokidar reports as an 'error' event: unheard, it ends the process.
    assert.deepEqual((await hooksDir.start()).unreadable, [{ kind: 'folder', file: 'media.added', message: 'EACCES: permission denied', kept: 2 }]);
    await waitFor(async () => logged(/folder still cannot be read/).length > 0, 'a retry');
    chmodSync(join(dir, 'media.added'), 0o755);
    write('media.added/30-meanwhile.js', 'export default () => 30;');
    await waitFor(async () => actionNames('media.added').includes('meanwhile'), 'the folder to be read again');
    assert.deepEqual(logged(/cannot be read: /).length, 1, 'one warning');
  } finally {
    chmodSync(join(dir, 'media.added'), 0o755);
    await hooksDir.stop();
  }
});
