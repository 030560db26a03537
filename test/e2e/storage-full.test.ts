// A full disk under the running daemon: the data directory is a real 4 MiB tmpfs filled to the
// last byte (needs root to mount; skipped with the reason otherwise), and a database that
// reaches storage.maxSize (anywhere). Writes answer 507 STORAGE_FULL with Retry-After (never
// 500), reads go on, and once there is room again the daemon accepts again with every event it
// acknowledged intact, dispatched and delivered.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon } from '../helpers/daemon.ts';
import { fillDisk, mountTmpfs, unmount } from '../helpers/disk.ts';
import type { Reply } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const temp = makeTempDir();
const mountPoint = join(temp.dir, 'data');
mkdirSync(mountPoint);
const mounted = mountTmpfs(mountPoint, '4m');

test('a full disk answers 507 STORAGE_FULL with Retry-After, never 500; after space returns nothing acknowledged is lost', { skip: !mounted && 'needs root to mount a tmpfs' }, async () => {
  const receiver = await startWebhookReceiver();
  const d = await startTestDaemon({ config: { dataDir: mountPoint, hooks: { watch: false } } });
  const statuses: number[] = [];
  const track = <T>(r: Reply<T>) => (statuses.push(r.status), r);
  const post = async (payload: Record<string, unknown>) => track(await d.call('POST', '/events', { type: 'media.added', payload }, { token: EVENTS_TOKEN }));
  try {
    const hook = track(await d.call('POST', '/hooks', { name: 'counter', mode: 'action', events: ['media.added'], source: 'export default () => {}' }));
    assert.equal(hook.status, 201);
    assert.equal(track(await d.call('POST', '/webhooks', { url: receiver.url, events: ['media.added'] })).status, 201);

    const acknowledged = new Map<string, string>(); // id -> title
    const padding = 'p'.repeat(2_000);
    for (let i = 0; i < 5; i++) {
      const r = await post({ title: `before ${i}`, padding });
      assert.equal(r.status, 202);
      acknowledged.set(r.body.id, `before ${i}`);
    }

    const filler = fillDisk(mountPoint);
    let full: Reply | undefined;
    for (let i = 0; i < 2_000 && !full; i++) {
      const r = await post({ title: `while filling ${i}`, padding });
      if (r.status === 202) acknowledged.set(r.body.id, `while filling ${i}`);
      else full = r;
    }
    assert.ok(full, 'the disk filled up');
    assert.equal(full.status, 507, full.text);
    assert.equal(full.body.error.code, 'STORAGE_FULL');
    assert.match(full.body.error.message, /storage is full/);
    assert.ok(Number(full.headers.get('retry-after')) > 0, 'Retry-After');
    assert.equal(full.body.error.details.retryAfter, Number(full.headers.get('retry-after')));

    // Every write path says the same while the disk is full; reads go on.
    const batch = track(await d.call('POST', '/events', [{ type: 'media.added', payload: { title: 'b1', padding } }, { type: 'media.added', payload: { title: 'b2', padding } }], { token: EVENTS_TOKEN }));
    assert.equal(batch.status, 207);
    assert.deepEqual(batch.body.results.map((r: { code: string }) => r.code), ['STORAGE_FULL', 'STORAGE_FULL']);
    assert.ok(Number(batch.headers.get('retry-after')) > 0);
    const registration = track(await d.call('POST', '/hooks', { name: 'while-full', mode: 'action', events: ['media.added'], source: `export default () => { /* ${padding} */ }` }));
    assert.equal(registration.status, 507, registration.text);
    assert.equal(registration.body.error.code, 'STORAGE_FULL');
    const [someId] = acknowledged.keys();
    assert.equal(track(await d.call('GET', `/events/${someId}`)).status, 200);
    assert.equal(track(await d.call('GET', '/hooks')).status, 200);

    rmSync(filler);
    const after = await waitFor(async () => {
      const r = await post({ title: 'after', padding });
      return r.status === 202 && r;
    }, 'a write to succeed once space returned');
    acknowledged.set(after.body.id, 'after');

    await d.daemon.idle();
    for (const [id, title] of acknowledged) {
      const r = track(await d.call('GET', `/events/${id}`));
      assert.equal(r.status, 200, `${id} was acknowledged`);
      assert.equal(r.body.payload.title, title);
      assert.equal(r.body.status, 'done', `${title}: its action hook ran and the event was marked done`);
    }
    await receiver.waitFor((requests) => {
      const delivered = new Set(requests.map((q) => JSON.parse(q.body).id as string));
      return [...acknowledged.keys()].every((id) => delivered.has(id));
    }, 60_000);
    assert.deepEqual(statuses.filter((s) => s >= 500 && s !== 507), [], 'no 500 (or other 5xx) at any point');
  } finally {
    await d.close();
    await receiver.close();
  }
});

test('a database at storage.maxSize answers 507 STORAGE_FULL; restarted with room, it accepts again and lost nothing', async () => {
  const dir = makeTempDir();
  const start = (maxSize: string) => startTestDaemon({ dir: dir.dir, config: { storage: { maxSize }, hooks: { watch: false } } });
  let d = await start('512KiB');
  try {
    const acknowledged = new Map<string, string>();
    const padding = 'p'.repeat(4_000);
    let full: Reply | undefined;
    for (let i = 0; i < 2_000 && !full; i++) {
      const r = await d.call('POST', '/events', { type: 'media.added', payload: { title: `t${i}`, padding } }, { token: EVENTS_TOKEN });
      if (r.status === 202) acknowledged.set(r.body.id, `t${i}`);
      else full = r;
    }
    assert.ok(full, 'the database reached its cap');
    assert.equal(full.status, 507, full.text);
    assert.equal(full.body.error.code, 'STORAGE_FULL');
    assert.ok(Number(full.headers.get('retry-after')) > 0);
    const batch = await d.call('POST', '/events', [1, 2].map((n) => ({ type: 'media.added', payload: { title: `b${n}`, padding } })), { token: EVENTS_TOKEN });
    assert.equal(batch.status, 207);
    assert.deepEqual(batch.body.results.map((x: { status: number; code: string }) => `${x.status} ${x.code}`), ['507 STORAGE_FULL', '507 STORAGE_FULL']);
    assert.equal((await d.call('GET', `/events/${[...acknowledged.keys()].at(-1)}`)).status, 200, 'reads go on');
    await d.stop();
    d = await start('64MiB');
    const after = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'after' } }, { token: EVENTS_TOKEN });
    assert.equal(after.status, 202, after.text);
    for (const [id, title] of acknowledged) {
      const r = await d.call('GET', `/events/${id}`);
      assert.equal(r.body.payload?.title, title, `${id} was acknowledged`);
    }
  } finally {
    await d.close();
    dir.remove();
  }
});

test.after(() => {
  if (mounted) unmount(mountPoint);
  temp.remove();
});
