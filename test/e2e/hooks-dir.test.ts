// The hooks directory: discovery at start, hot reload on change, file hooks read-only
// through the API, load errors that point at the file, line and column, and a directory that
// cannot be read for a while (moved away) keeping its hooks.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestDaemon, writeTestConfig, type TestDaemon } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const temp = makeTempDir();
let d: TestDaemon;

function write(rel: string, text: string): void {
  const path = join(temp.dir, 'hooks', rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const fileHooks = async () =>
  ((await d.call('GET', '/hooks')).body.items as Array<Record<string, any>>).filter((h) => h.origin === 'file');
const hookNamed = async (name: string) => (await fileHooks()).find((h) => h.name === name);

before(async () => {
  writeTestConfig(temp.dir); // creates hooks/
  write('media.added/10-first.js', 'export default () => ({ patch: { tags: ["first"] } });\n');
  write('tagger.js', 'export const config = { events: ["media.*"], mode: "filter", priority: 50 };\nexport default (e) => ({ patch: { qualityProfile: "from-tagger" } });\n');
  write('media.added/README.md', 'not a hook');
  d = await startTestDaemon({ dir: temp.dir, config: { hooks: { watch: true, watchDebounce: '50ms' } } });
});
after(async () => {
  await d.close();
  temp.remove();
});

test('files are discovered at start: layout gives events and priority, a config export the rest', async () => {
  const first = await hookNamed('first');
  assert.ok(first, 'media.added/10-first.js is a hook');
  assert.deepEqual(first.events, ['media.added']);
  assert.equal(first.priority, 10);
  assert.equal(first.mode, 'action', 'the default mode of a layout file');
  assert.equal(first.file, 'media.added/10-first.js');
  const tagger = await hookNamed('tagger');
  assert.deepEqual(tagger?.events, ['media.*']);
  assert.equal(tagger?.mode, 'filter');
  assert.equal(tagger?.priority, 50);
  assert.equal((await fileHooks()).length, 2, 'README.md is not a hook');
});

test('a new file is picked up while running, a change makes a new version, a removal deletes it', async () => {
  // The listing (the store) and dispatch (the registry, reloaded right after the store is
  // written) can differ for a moment: each step waits until events see the change.
  const yearAfterFilters = async () =>
    (await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'x' } })).body.payload.year as number | undefined;

  write('media.added/20-second.js', 'export const config = { mode: "filter" };\nexport default () => ({ patch: { year: 1 } });\n');
  const added = await waitFor(() => hookNamed('second'), 'the new file to load');
  assert.equal(added.priority, 20);
  await waitFor(async () => ((await yearAfterFilters()) === 1 ? true : undefined), 'the new hook to run');

  write('media.added/20-second.js', 'export const config = { mode: "filter" };\nexport default () => ({ patch: { year: 2 } });\n');
  await waitFor(async () => ((await hookNamed('second'))?.version === 2 ? true : undefined), 'the change to load');
  await waitFor(async () => ((await yearAfterFilters()) === 2 ? true : undefined), 'the changed hook to run');

  rmSync(join(temp.dir, 'hooks', 'media.added/20-second.js'));
  await waitFor(async () => ((await hookNamed('second')) ? undefined : true), 'the removal');
  await waitFor(async () => ((await yearAfterFilters()) === undefined ? true : undefined), 'the removed hook to stop running');
});

test('a file that cannot load is listed disabled with its file, line and column', async () => {
  write('media.added/30-broken.js', 'export default function () {\n  return {;\n}\n');
  const broken = await waitFor(() => hookNamed('broken'), 'the broken file to be listed');
  assert.equal(broken.enabled, false);
  assert.match(broken.disabledReason, /^media\.added\/30-broken\.js:2:\d+: /);
  write('loose.js', 'export default () => {};\n');
  const loose = await waitFor(() => hookNamed('loose'), 'the loose file to be listed');
  assert.match(loose.disabledReason, /must export const config/);
  rmSync(join(temp.dir, 'hooks', 'media.added/30-broken.js'));
  rmSync(join(temp.dir, 'hooks', 'loose.js'));
});

test('an empty file (still being written) is said so at warn, and loads once its code is written', async () => {
  write('media.added/40-later.js', '');
  const empty = await waitFor(() => hookNamed('later'), 'the empty file to be listed');
  assert.equal(empty.enabled, false);
  assert.equal(empty.disabledReason, 'media.added/40-later.js is empty: a hook file needs its code (it is loaded as soon as it has some)');
  const logged = d.logs.lines().filter((l) => l.file === 'media.added/40-later.js');
  assert.deepEqual(logged.map((l) => [l.level, l.msg]), [[40, 'hook file cannot be loaded']], 'once, at warn');
  assert.ok(!d.logs.text().includes('fewer than 1 characters'), 'no schema wording');
  write('media.added/40-later.js', 'export default () => {};\n');
  await waitFor(async () => ((await hookNamed('later'))?.enabled ? true : undefined), 'the written file to load');
  rmSync(join(temp.dir, 'hooks', 'media.added/40-later.js'));
  // Synced before the next test counts the file hooks (a late sync made it count one more).
  await waitFor(async () => ((await hookNamed('later')) ? undefined : true), 'the removal');
});

test('file hooks are read-only through the API, except enabled', async () => {
  const first = (await hookNamed('first'))!;
  const patch = await d.call('PATCH', `/hooks/${first.id}`, { priority: 1 });
  assert.equal(patch.status, 409);
  assert.equal(patch.body.error.code, 'READ_ONLY');
  assert.match(patch.body.error.message, /media\.added\/10-first\.js/);
  assert.equal((await d.call('DELETE', `/hooks/${first.id}`)).status, 409);
  const off = await d.call('PATCH', `/hooks/${first.id}`, { enabled: false });
  assert.equal(off.status, 200);
  assert.equal(off.body.enabled, false);
  await d.call('PATCH', `/hooks/${first.id}`, { enabled: true });
});

test('a hooks directory moved away keeps its hooks running, warns once, and once back loads what changed meanwhile', async () => {
  const hooks = join(temp.dir, 'hooks');
  const away = `${hooks}.away`;
  const profile = async () => (await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'x' } })).body.payload.qualityProfile as string;
  const logged = (msg: string) => d.logs.lines().filter((l) => l.msg === msg);
  const kept = (await fileHooks()).length;
  const warning = `hooks directory cannot be read: kept the ${kept} hooks last loaded from it`;
  renameSync(hooks, away);
  try {
    const [warned] = await waitFor(async () => (logged(warning).length > 0 ? logged(warning) : undefined), 'the warning');
    assert.deepEqual([warned!.level, warned!.dir, warned!.error], [40, hooks, 'ENOENT: no such file or directory']);
    writeFileSync(join(away, 'tagger.js'), 'export const config = { events: ["media.*"], mode: "filter", priority: 50 };\nexport default () => ({ patch: { qualityProfile: "changed meanwhile" } });\n');
    await waitFor(async () => logged('hooks directory still cannot be read').length > 0, 'a retry that still cannot read it');
    assert.equal((await fileHooks()).length, kept, 'every file hook still listed');
    assert.equal(await profile(), 'from-tagger', 'and still running');
  } finally {
    renameSync(away, hooks);
  }
  await waitFor(async () => ((await profile()) === 'changed meanwhile' ? true : undefined), 'the change made meanwhile to run');
  assert.equal(logged(warning).length, 1, 'one warning');
  assert.equal(logged('hooks directory can be read again').length, 1);
  write('media.added/50-after.js', 'export default () => {};\n');
  await waitFor(() => hookNamed('after'), 'a file written after to load: the directory is watched again');
});
