// How many hooks and webhook endpoints may exist (hooks.maxHooks, webhooks.maxEndpoints): one
// more is a 409 LIMIT_REACHED that names the key and writes nothing, creates racing at the edge
// never pass it, and file hooks count. GET /hooks and GET /webhooks page by ?limit= and
// ?cursor=, and a page ends at PAGE_BYTES of big sources (nextCursor leads to the rest).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PAGE_BYTES } from '../../lib/db/bounded-page.ts';
import { startTestDaemon, writeTestConfig, type TestDaemon } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const MAX_HOOKS = 4;
const MAX_ENDPOINTS = 2;
// Three such sources are past one page's bytes; one is under server.bodyLimit and runtime.maxSourceSize.
const BIG_SOURCE_BYTES = Math.ceil(PAGE_BYTES / 2.5);

const temp = makeTempDir();
let d: TestDaemon;

before(async () => {
  writeTestConfig(temp.dir);
  mkdirSync(join(temp.dir, 'hooks', 'media.added'), { recursive: true });
  writeFileSync(join(temp.dir, 'hooks', 'media.added', '10-from-file.js'), 'export default () => {};\n');
  d = await startTestDaemon({
    dir: temp.dir,
    config: {
      hooks: { maxHooks: MAX_HOOKS, watch: false },
      webhooks: { maxEndpoints: MAX_ENDPOINTS },
      server: { bodyLimit: '8MiB' },
      runtime: { maxSourceSize: '8MiB' },
    },
  });
});
after(async () => {
  await d.close();
  temp.remove();
});

const hook = (name: string, source = 'export default () => {};') => ({ name, mode: 'action', events: ['media.added'], source });
const webhook = (n: number) => ({ url: `http://127.0.0.1:9/${n}`, events: ['media.added'] });

/** Every item of a paged listing, following nextCursor; and how many pages it took. */
async function readAll(path: string, limit?: number): Promise<{ items: Array<Record<string, any>>; pages: number }> {
  const items: Array<Record<string, any>> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ ...(limit ? { limit: String(limit) } : {}), ...(cursor ? { cursor } : {}) });
    const r: { status: number; text: string; body: any } = await d.call('GET', `${path}?${query}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.ok(r.body.items.length >= 1, 'a page holds at least one item');
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 20);
  return { items, pages };
}

test('GET /hooks ends a page of big sources at the byte bound, and its cursor leads to the rest', async () => {
  const big = (i: number) => `export default () => {};\n// ${String(i).repeat(BIG_SOURCE_BYTES)}\n`;
  for (const i of [1, 2, 3]) {
    const r = await d.call('POST', '/hooks', hook(`big-${i}`, big(i)));
    assert.equal(r.status, 201, r.text.slice(0, 300));
  }
  const first = await d.call('GET', '/hooks');
  assert.equal(first.status, 200);
  assert.ok(first.body.nextCursor, 'four hooks, three of them big, did not fit one page');
  assert.ok(Buffer.byteLength(first.text) <= PAGE_BYTES + BIG_SOURCE_BYTES + 100_000, `a page of ${first.text.length} bytes`);
  const all = await readAll('/hooks');
  assert.deepEqual(all.items.map((h) => h.name), ['from-file', 'big-1', 'big-2', 'big-3'], 'each once, by priority then name');
  assert.equal(all.items[1]!.source, big(1));
  const one = await readAll('/hooks', 1);
  assert.deepEqual([one.pages, one.items.map((h) => h.name)], [4, ['from-file', 'big-1', 'big-2', 'big-3']]);
  for (const i of [1, 2, 3]) assert.equal((await d.call('DELETE', `/hooks/${all.items[i]!.id}`)).status, 204);
});

test('one hook more than hooks.maxHooks (the file hook counted) is 409 LIMIT_REACHED and nothing is written', async () => {
  for (const name of ['a1', 'a2', 'a3']) assert.equal((await d.call('POST', '/hooks', hook(name))).status, 201);
  const refused = await d.call('POST', '/hooks', hook('one-too-many'));
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.body.error.code, 'LIMIT_REACHED');
  assert.match(refused.body.error.message, new RegExp(`^${MAX_HOOKS} hooks \\(API and file hooks together\\) exist already, the most hooks\\.maxHooks allows`));
  assert.deepEqual(refused.body.error.details, { limit: MAX_HOOKS, key: 'hooks.maxHooks' });
  const names = (await readAll('/hooks')).items.map((h) => h.name);
  assert.deepEqual(names.sort(), ['a1', 'a2', 'a3', 'from-file']);
  // Deleting one makes room again.
  const a3 = (await readAll('/hooks')).items.find((h) => h.name === 'a3')!;
  assert.equal((await d.call('DELETE', `/hooks/${a3.id}`)).status, 204);
  assert.equal((await d.call('POST', '/hooks', hook('in-again'))).status, 201);
});

test('hooks created at once at the edge: exactly the free places are taken', async () => {
  const inAgain = (await readAll('/hooks')).items.find((h) => h.name === 'in-again')!;
  assert.equal((await d.call('DELETE', `/hooks/${inAgain.id}`)).status, 204);
  const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => d.call('POST', '/hooks', hook(`racer-${i}`))));
  assert.deepEqual(answers.map((r) => r.status).sort(), [201, 409, 409, 409, 409]);
  assert.equal((await readAll('/hooks')).items.length, MAX_HOOKS);
});

test('one endpoint more than webhooks.maxEndpoints is 409 LIMIT_REACHED, also when created at once', async () => {
  const answers = await Promise.all([1, 2, 3, 4].map((i) => d.call('POST', '/webhooks', webhook(i))));
  assert.deepEqual(answers.map((r) => r.status).sort(), [201, 201, 409, 409]);
  const refused = answers.find((r) => r.status === 409)!;
  assert.equal(refused.body.error.code, 'LIMIT_REACHED');
  assert.match(refused.body.error.message, /^2 webhook endpoints exist already, the most webhooks\.maxEndpoints allows: delete one, or raise webhooks\.maxEndpoints/);
  const all = await readAll('/webhooks');
  assert.equal(all.items.length, MAX_ENDPOINTS);
  const paged = await readAll('/webhooks', 1);
  assert.deepEqual([paged.pages, paged.items.map((w) => w.id)], [2, all.items.map((w) => w.id)]);
});

test('a cursor GET /hooks or GET /webhooks did not answer is a 400 naming the parameter', async () => {
  const webhooksCursor = (await d.call('GET', '/webhooks?limit=1')).body.nextCursor as string;
  for (const path of ['/hooks?cursor=bm90LWEtY3Vyc29y', `/hooks?cursor=${webhooksCursor}`, '/webhooks?cursor=bm90LWEtY3Vyc29y']) {
    const r = await d.call('GET', path);
    assert.equal(r.status, 400, path);
    assert.deepEqual([r.body.error.code, r.body.error.details?.parameter], ['VALIDATION', 'cursor'], path);
  }
});
