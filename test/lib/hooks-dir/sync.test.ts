// The hooks directory kept in line with the hooks table and the registry, on a temp dir with
// the real store: files added, changed and removed become hooks added, new versions and gone;
// a file that cannot be a hook is kept disabled with a clear reason while the others load.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHooksStore, type HooksStore } from '../../../lib/db/hooks-store.ts';
import { createHookDefinitions } from '../../../lib/dispatch/hook-definition.ts';
import { createHookRegistry, type HookRegistry } from '../../../lib/dispatch/hook-registry.ts';
import { createHooksDir, fileHookId } from '../../../lib/hooks-dir/index.ts';
import { syncHooksDir } from '../../../lib/hooks-dir/sync.ts';
import { createFakeCompiler, createTestLogger, defaultCatalog, hookFields, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';

let t: TestDb;
let store: HooksStore;
let registry: HookRegistry;
let hooksDir: ReturnType<typeof createHooksDir>;
let dir: string;
const { log, sink } = createTestLogger();
const compiler = createFakeCompiler();

before(async () => {
  t = await openTestDb();
  dir = join(t.dir, 'hooks');
  mkdirSync(join(dir, 'media.added'), { recursive: true });
  store = createHooksStore(t.db);
  registry = createHookRegistry({ store });
  const definitions = createHookDefinitions({ catalog: defaultCatalog(), compiler, profiles: ['default'], maxTimeoutMs: 60_000, refuseEnv: () => undefined });
  hooksDir = createHooksDir({ dir, watch: false, debounceMs: 0, store, definitions, registry, compiler, maxSourceBytes: 10_000, log });
});
after(() => t.close());

const write = (rel: string, text: string) => writeFileSync(join(dir, rel), text);
const actionNames = (type: string) => registry.forEvent(type, 'action').map((h) => h.name);

test('new files become hooks, in the order their number gives', async () => {
  write('media.added/20-second.js', 'export default () => 2;');
  write('media.added/10-first.js', 'export default () => 1;');
  const report = await hooksDir.sync();
  assert.deepEqual(report.added.sort(), ['media.added/10-first.js', 'media.added/20-second.js']);
  assert.deepEqual(report.failed, []);
  assert.deepEqual(actionNames('media.added'), ['first', 'second']);
  const first = await store.get(fileHookId('media.added/10-first.js'));
  assert.equal(first?.origin, 'file');
  assert.equal(first?.version, 1);
});

test('an unchanged directory changes nothing; a changed file is a new version of the same hook', async () => {
  assert.deepEqual(await hooksDir.sync(), { added: [], updated: [], removed: [], failed: [], unreadable: [] });
  write('media.added/10-first.js', 'export default () => "one";');
  const report = await hooksDir.sync();
  assert.deepEqual(report.updated, ['media.added/10-first.js']);
  const first = await store.get(fileHookId('media.added/10-first.js'));
  assert.equal(first?.version, 2);
  assert.equal(first?.source, 'export default () => "one";');
});

test('a file that cannot be a hook is kept disabled with the reason; the others still load', async () => {
  write('media.added/30-broken.js', 'export default (\nSYNTAX ERROR');
  mkdirSync(join(dir, 'nosuch.type'), { recursive: true });
  write('nosuch.type/10-lost.js', 'export default () => {};');
  write('media.added/40-third.js', 'export default () => 3;');
  const report = await hooksDir.sync();
  assert.deepEqual(report.added.sort(), ['media.added/30-broken.js', 'media.added/40-third.js', 'nosuch.type/10-lost.js']);
  assert.deepEqual(report.failed.map((f) => f.file).sort(), ['media.added/30-broken.js', 'nosuch.type/10-lost.js']);
  const broken = await store.get(fileHookId('media.added/30-broken.js'));
  assert.equal(broken?.enabled, false);
  assert.equal(broken!.disabledReason, 'media.added/30-broken.js:2:5: Unexpected token', 'the reason names file, line and column');
  const lost = await store.get(fileHookId('nosuch.type/10-lost.js'));
  assert.match(lost!.disabledReason!, /"nosuch\.type" matches no event type/);
  assert.deepEqual(actionNames('media.added'), ['first', 'second', 'third']);
  assert.match(sink.text(), /hook file cannot be loaded/);
});

test('fixing a broken file enables it; removing files removes their hooks', async () => {
  write('media.added/30-broken.js', 'export default () => "fixed";');
  rmSync(join(dir, 'media.added/20-second.js'));
  rmSync(join(dir, 'nosuch.type'), { recursive: true });
  const report = await hooksDir.sync();
  assert.deepEqual(report.updated, ['media.added/30-broken.js']);
  assert.deepEqual(report.removed.sort(), ['media.added/20-second.js', 'nosuch.type/10-lost.js']);
  assert.deepEqual(actionNames('media.added'), ['first', 'broken', 'third']);
  assert.equal(await store.get(fileHookId('media.added/20-second.js')), undefined);
});

test('a file whose name an API hook already has is refused, the API hook left as it was', async () => {
  const api = await store.insert('api-1', { ...(await store.get(fileHookId('media.added/10-first.js')))!, name: 'clash', origin: 'api', filePath: null });
  write('media.added/50-clash.js', 'export default () => {};');
  const report = await hooksDir.sync();
  assert.match(report.failed.find((f) => f.file === 'media.added/50-clash.js')!.message, /a hook named "clash" exists already \(made through the API\)/);
  assert.equal(await store.get(fileHookId('media.added/50-clash.js')), undefined);
  assert.deepEqual(await store.get('api-1'), api);
});

test('a file refused for its name is reported once: unchanged, it is not compiled again; changed, or its name freed, it is tried again', async () => {
  await store.insert('api-taken', hookFields({ name: 'taken' }));
  const file = 'media.added/60-taken.js';
  const compiles = () => compiler.compiled.filter((f) => f === file).length;
  const reports = () => sink.lines().filter((l) => l.msg === 'hook file cannot be loaded' && l.file === file).length;
  write(file, 'export default () => "taken";');
  assert.deepEqual((await hooksDir.sync()).failed.map((f) => f.file), [file]);
  assert.equal(compiles(), 1);
  assert.equal(reports(), 1);

  assert.deepEqual(await hooksDir.sync(), { added: [], updated: [], removed: [], failed: [], unreadable: [] });
  assert.equal(compiles(), 1, 'not compiled again while unchanged');
  assert.equal(reports(), 1, 'not reported again while unchanged');

  write(file, 'export default () => "still taken";');
  assert.deepEqual((await hooksDir.sync()).failed.map((f) => f.file), [file]);
  assert.equal(compiles(), 2);
  assert.equal(reports(), 2);

  await store.remove('api-taken');
  assert.deepEqual((await hooksDir.sync()).added, [file]);
  assert.equal((await store.get(fileHookId(file)))?.name, 'taken');
});

test('files compile a few at a time, and are stored and reported in the scan order whatever order their compiles end in', { timeout: 60_000 }, async () => {
  const own = await openTestDb();
  try {
    const ownDir = join(own.dir, 'hooks');
    mkdirSync(join(ownDir, 'media.added'), { recursive: true });
    const names = ['10-a', '20-b', '30-c', '40-d', '50-e', '60-f'];
    for (const name of names) writeFileSync(join(ownDir, 'media.added', `${name}.js`), name === '30-c' ? 'export default (\nSYNTAX ERROR' : `export default () => '${name}';`);
    // Compiles are held until four are waiting (or all six have started), then end in reverse
    // order of their start. Were they run one at a time, the first would wait for a second
    // that never starts: a fallback releases it so the test ends and fails on the count.
    const fake = createFakeCompiler();
    let inFlight = 0;
    let most = 0;
    let started = 0;
    const waiting: Array<() => void> = [];
    const releaseAll = () => {
      while (waiting.length > 0) waiting.pop()!();
    };
    const fallback = setInterval(releaseAll, 5000);
    const compiler: typeof fake = {
      ...fake,
      async compile(source, filename) {
        inFlight += 1;
        started += 1;
        most = Math.max(most, inFlight);
        const release = new Promise<void>((resolve) => waiting.push(resolve));
        if (waiting.length === 4 || started === names.length) releaseAll();
        await release;
        inFlight -= 1;
        return fake.compile(source, filename);
      },
    };
    const ownStore = createHooksStore(own.db);
    const definitions = createHookDefinitions({ catalog: defaultCatalog(), compiler, profiles: ['default'], maxTimeoutMs: 60_000, refuseEnv: () => undefined });
    const report = await syncHooksDir({ dir: ownDir, store: ownStore, definitions, compiler, maxSourceBytes: 10_000, log, clashes: new Map() }).finally(() => clearInterval(fallback));
    assert.equal(most, 4, 'compiles in flight at once');
    assert.deepEqual(report.added, names.map((n) => `media.added/${n}.js`));
    assert.deepEqual(report.failed.map((f) => f.file), ['media.added/30-c.js']);
    const stored = (await ownStore.list()).map((h) => [h.filePath, h.enabled]);
    assert.deepEqual(stored.sort(), names.map((n) => [`media.added/${n}.js`, n !== '30-c']).sort());
  } finally {
    await own.close();
  }
});
