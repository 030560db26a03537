// Dispatch survives a stop: action hooks owed when the daemon stopped run after the
// restart (status pending -> done), each event exactly as stored.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import knex from 'knex';
import { startTestDaemon } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
const config = { hooks: { watch: false, actionConcurrency: 1 } };

test('action hooks that had not run when the daemon stopped run after the restart', async () => {
  const first = await startTestDaemon({ dir: temp.dir, config });
  const hook = await first.call('POST', '/hooks', {
    name: 'slow-action',
    events: ['download.completed'],
    mode: 'action',
    // No timers in the sandbox: a busy wait keeps the one action slot taken for a while.
    source: 'export default (e, ctx) => { const end = Date.now() + 300; while (Date.now() < end) {} ctx.log.info("done " + e.payload.title); }',
  });
  assert.equal(hook.status, 201);
  const ids: string[] = [];
  for (const title of ['a', 'b', 'c', 'd']) {
    const r = await first.call('POST', '/events', { type: 'download.completed', payload: { title } });
    assert.equal(r.status, 202);
    assert.equal(r.body.status, 'pending');
    ids.push(r.body.id);
  }
  await first.stop(); // the action in flight finishes; the queued ones stay pending

  const db = knex({ client: 'sqlite3', connection: { filename: join(first.dataDir, 'hookd.sqlite') }, useNullAsDefault: true });
  const pending = (await db('events').whereIn('id', ids).andWhere('status', 'pending').pluck('id')) as string[];
  await db.destroy();
  assert.ok(pending.length >= 2, `events left pending at stop: ${pending.length}`);

  const second = await startTestDaemon({ dir: temp.dir, config });
  try {
    await second.daemon.idle();
    for (const id of ids) {
      const ev = await second.call('GET', `/events/${id}`);
      assert.equal(ev.body.status, 'done', id);
      const runs = ev.body.invocations.filter((i: { hookId: string }) => i.hookId === hook.body.id);
      assert.equal(runs.length, 1, `exactly one run for ${id}`);
      assert.equal(runs[0].status, 'ok');
    }
  } finally {
    await second.close();
  }
});

test("an older version's database: an event its crash left filtering is finished by migration 005 and dispatched as posted", async () => {
  const dir = join(temp.dir, 'cut-chain');
  const first = await startTestDaemon({ dir, config });
  const hook = await first.call('POST', '/hooks', {
    name: 'after-cut',
    events: ['media.added'],
    mode: 'action',
    source: 'export default (e, ctx) => { ctx.log.info("ran for " + e.payload.title); }',
  });
  assert.equal(hook.status, 201);
  await first.stop();
  // What a kill -9 in the middle of POST /events?wait=true left behind in a database of a
  // version before migration 005: the event stored as filtering, no final payload.
  const db = knex({ client: 'sqlite3', connection: { filename: join(first.dataDir, 'hookd.sqlite') }, useNullAsDefault: true });
  assert.equal(await db('knex_migrations').where('name', '005_finish_filtering.ts').del(), 1);
  await db('events').insert({
    id: 'cut-1',
    type: 'media.added',
    payload: JSON.stringify({ title: 'Cut' }),
    status: 'filtering',
    occurred_at: new Date().toISOString(),
    received_at: Date.now(),
    source: 'test',
    depth: 0,
  });
  await db.destroy();

  const second = await startTestDaemon({ dir, config });
  try {
    await second.daemon.idle();
    const ev = await second.call('GET', '/events/cut-1');
    assert.equal(ev.status, 200);
    assert.equal(ev.body.status, 'done');
    assert.deepEqual(ev.body.finalPayload, { title: 'Cut' });
    const runs = ev.body.invocations.filter((i: { hookId: string }) => i.hookId === hook.body.id);
    assert.equal(runs.length, 1, 'its action hook ran once');
    assert.equal(runs[0].status, 'ok');
  } finally {
    await second.close();
  }
});
