// The hooks router in the daemon's Koa app on a loopback port, with the real hooks and
// invocations tables on temp SQLite and the runtime replaced by an invoker port: one
// behaviour per test (validation with its pointer, conflicts, NOT_FOUND, scopes, read-only
// file hooks, pagination of runs, a dry run judged as the chain would).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHooksRouter } from '../../../lib/api/hooks-router.ts';
import { createEventsStore } from '../../../lib/db/events-store.ts';
import { createHooksStore, type HookRecord, type HooksStore } from '../../../lib/db/hooks-store.ts';
import { createInvocationsStore } from '../../../lib/db/invocations-store.ts';
import { createGrantDescriber } from '../../../lib/dispatch/grant-description.ts';
import { createHookDefinitions } from '../../../lib/dispatch/hook-definition.ts';
import { createEnvGrants } from '../../../lib/env-grants.ts';
import { createHookRegistry } from '../../../lib/dispatch/hook-registry.ts';
import type { CheckVerdict, Invoker } from '../../../lib/dispatch/invoke.ts';
import { serveRouters, UNIT_PRODUCER, type ServedRouters } from '../../helpers/serve-routers.ts';
import { createFakeCompiler, createTestLogger, defaultCatalog, hookFields, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';

let t: TestDb;
let api: ServedRouters;
let store: HooksStore;
const dryRuns: Array<{ hook: string; dryRun: boolean | undefined }> = [];
let nextValue: unknown;

before(async () => {
  t = await openTestDb();
  const { log } = createTestLogger();
  const catalog = defaultCatalog();
  const compiler = createFakeCompiler();
  store = createHooksStore(t.db);
  const invoker = {
    async invoke(hook: HookRecord, _event: unknown, options: { dryRun?: boolean; check?: (v: unknown) => CheckVerdict }) {
      dryRuns.push({ hook: hook.name, dryRun: options.dryRun });
      const refused = options.check?.(nextValue).refused;
      return {
        hook,
        status: refused ? 'invalid-output' : 'ok',
        outcome: { status: 'ok', value: nextValue, logs: [], durationMs: 1, ...(refused ? { error: { message: refused } } : {}) },
      };
    },
    drain: async () => {},
  } as unknown as Invoker;
  const router = createHooksRouter({
    store,
    events: createEventsStore(t.db),
    registry: createHookRegistry({ store }),
    definitions: createHookDefinitions({ catalog, compiler, profiles: ['default'], maxTimeoutMs: 60_000, refuseEnv: () => undefined }),
    invocations: createInvocationsStore(t.db),
    invoker,
    compiler,
    catalog,
    bodyLimit: 1_000_000,
    maxHooks: 1000,
    payloadLimits: { maxDepth: 32, maxBytes: 1_000_000 },
    describeGrant: createGrantDescriber({
      catalog,
      envGrants: createEnvGrants({ secrets: { SHARED_KEY: 'from-secrets' }, env: { HOME_URL: 'from-env' }, credentials: [] }),
      integrations: { radarr: { url: 'http://127.0.0.1:7878', apiKey: 'k' } },
      maxResponseBytes: 4096,
    }),
  });
  api = await serveRouters({ db: t.db, log, routers: [router] });
});
after(async () => {
  await api.close();
  await t.close();
});

const def = (name: string, over: Record<string, unknown> = {}) => ({ name, mode: 'filter', events: ['media.added'], source: 'export default () => {}', ...over });

describe('hooks router', () => {
  test('POST /hooks creates a hook and GET /hooks/:id answers it', async () => {
    const created = await api.call('POST', '/hooks', def('made'));
    assert.equal(created.status, 201, created.text);
    const got = await api.call('GET', `/hooks/${created.body.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.name, 'made');
    assert.equal(got.body.version, 1);
  });

  test('a second hook of the same name is 409 CONFLICT', async () => {
    await api.call('POST', '/hooks', def('twice'));
    const again = await api.call('POST', '/hooks', def('twice'));
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'CONFLICT');
  });

  test('creates and renames racing for one free name: one wins, the others are 409 naming the hook, never a 500', async () => {
    // Each request checks the name before its write: all of them find it free, and the table's
    // unique key refuses every write but the first.
    const creates = await Promise.all(Array.from({ length: 5 }, () => api.call('POST', '/hooks', def('raced'))));
    assert.deepEqual(creates.map((r) => r.status).sort(), [201, 409, 409, 409, 409]);
    for (const r of creates.filter((c) => c.status === 409)) assert.equal(r.body.error.message, 'a hook named "raced" exists already');
    const others = await Promise.all(['rn-1', 'rn-2', 'rn-3'].map((name) => api.call('POST', '/hooks', def(name))));
    const renames = await Promise.all(others.map((o) => api.call('PATCH', `/hooks/${o.body.id}`, { name: 'renamed' })));
    assert.deepEqual(renames.map((r) => r.status).sort(), [200, 409, 409]);
    for (const r of renames.filter((c) => c.status === 409)) assert.equal(r.body.error.message, 'a hook named "renamed" exists already');
  });

  test('a PATCH racing the DELETE of its hook answers 200 or 404, never a 500', async () => {
    // The PATCH loads the hook, then writes: a DELETE landing in between leaves nothing to update.
    const statuses = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const created = await api.call('POST', '/hooks', def(`gone-${i}`));
      const [removed, ...patched] = await Promise.all([
        api.call('DELETE', `/hooks/${created.body.id}`),
        ...[{ enabled: false }, { priority: 5 }, { name: `gone-renamed-${i}` }].map((change) => api.call('PATCH', `/hooks/${created.body.id}`, change)),
      ]);
      assert.equal(removed!.status, 204);
      for (const p of patched) {
        assert.ok(p.status === 200 || p.status === 404, `PATCH answered ${p.status}: ${p.text}`);
        if (p.status === 404) assert.equal(p.body.error.code, 'NOT_FOUND');
        statuses.add(String(p.status));
      }
    }
    assert.ok(statuses.has('404'), 'some PATCH came after the DELETE');
  });

  const invalid: Array<[string, Record<string, unknown>, number, string]> = [
    ['a pattern no type matches', def('p', { events: ['media.added', 'nope.*'] }), 422, '/events/1'],
    ['a timeout above the maximum', def('t', { timeoutMs: 120_000 }), 400, '/timeoutMs'],
    ['an unknown limit profile', def('l', { limits: 'huge' }), 422, '/limits'],
  ];
  for (const [what, body, status, pointer] of invalid) {
    test(`${what} is ${status} naming ${pointer}`, async () => {
      const r = await api.call('POST', '/hooks', body);
      assert.equal(r.status, status, r.text);
      assert.equal(r.body.error.details.pointer, pointer);
    });
  }

  test('an unknown id is 404 NOT_FOUND on every hook route', async () => {
    for (const [method, path, body] of [['GET', '/hooks/nope'], ['PATCH', '/hooks/nope', { priority: 1 }], ['DELETE', '/hooks/nope'], ['GET', '/hooks/nope/invocations'], ['POST', '/hooks/nope/test', { type: 'media.added', payload: { title: 'x' } }]] as const) {
      const r = await api.call(method, path, body);
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.equal(r.body.error.code, 'NOT_FOUND');
    }
  });

  test('an events-only token is refused (403) on every hooks route, reads included; no token is 401', async () => {
    const made = await api.call('POST', '/hooks', def('admin-only'));
    assert.equal(made.status, 201, made.text);
    const calls = [
      ['GET', '/hooks', undefined],
      ['GET', `/hooks/${made.body.id}`, undefined],
      ['POST', '/hooks', def('nope')],
      ['PATCH', `/hooks/${made.body.id}`, { enabled: false }],
      ['GET', `/hooks/${made.body.id}/invocations`, undefined],
    ] as const;
    for (const [method, path, body] of calls) {
      const refused = await api.call(method, path, body, UNIT_PRODUCER);
      assert.equal(refused.status, 403, `${method} ${path}`);
      assert.equal(refused.body.error.code, 'FORBIDDEN');
    }
    assert.equal(typeof (await api.call('GET', `/hooks/${made.body.id}`)).body.source, 'string', 'an admin reads the code');
    assert.equal((await api.call('GET', '/hooks', undefined, null)).status, 401);
  });

  test("a hook's grant spells its permissions out: hosts, where each env value comes from, apps configured, emit types", async () => {
    const made = await api.call('POST', '/hooks', def('granted'));
    assert.deepEqual(made.body.grant.fetch.hosts, []);
    assert.deepEqual(made.body.grant.env, []);
    // This router's definitions refuse no name (refuseEnv), so HOOKD_TOKEN is stored: its grant says refused.
    const ok = await api.call('PATCH', `/hooks/${made.body.id}`, {
      permissions: { net: ['api.example.org', '*.tvdb.org:443'], env: ['SHARED_KEY', 'HOME_URL', 'NOT_SET', 'HOOKD_TOKEN'], apps: ['radarr', 'sonarr'] },
    });
    assert.equal(ok.status, 200, ok.text);
    const { grant } = (await api.call('GET', `/hooks/${made.body.id}`)).body;
    assert.deepEqual(grant.fetch, { hosts: ['api.example.org', '*.tvdb.org:443'], maxResponseBytes: 4096 });
    assert.deepEqual(grant.env, [{ name: 'SHARED_KEY', from: 'secrets' }, { name: 'HOME_URL', from: 'environment' }, { name: 'NOT_SET', from: 'unset' }, { name: 'HOOKD_TOKEN', from: 'refused' }]);
    assert.deepEqual(grant.apps.map((a: { name: string; ready: boolean }) => [a.name, a.ready]), [['radarr', true], ['sonarr', false]]);
    assert.match(grant.apps[1].problem, /integrations\.sonarr/);
    assert.ok(grant.emit.includes('media.added'));
    assert.equal(grant.progress, true);
    assert.doesNotMatch(JSON.stringify(grant), /from-secrets|from-env/, 'never a value');
  });

  test('a hook from the hooks directory can only be enabled or disabled through the API', async () => {
    await store.insert('file-1', hookFields({ name: 'from-file', origin: 'file', filePath: 'media.added/10-from-file.js' }));
    const edit = await api.call('PATCH', '/hooks/file-1', { priority: 1 });
    assert.equal(edit.status, 409);
    assert.equal(edit.body.error.code, 'READ_ONLY');
    assert.match(edit.body.error.message, /edit the file/);
    assert.equal((await api.call('PATCH', '/hooks/file-1', { enabled: false })).status, 200);
    assert.equal((await api.call('DELETE', '/hooks/file-1')).status, 409);
  });

  test('GET /hooks/:id/invocations pages newest first through nextBefore', async () => {
    const hook = await store.insert('paged', hookFields({ name: 'paged' }));
    const invocations = createInvocationsStore(t.db);
    await invocations.insertMany(Array.from({ length: 5 }, (_, i) => ({ eventId: `e${i}`, hookId: hook.id, hookVersion: 1, mode: 'action' as const, status: 'ok' as const, durationMs: i, error: null, logs: [] })));
    const seen: string[] = [];
    let before: number | null = null;
    do {
      const page: any = await api.call('GET', `/hooks/paged/invocations?limit=2${before === null ? '' : `&before=${before}`}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...page.body.items.map((i: { eventId: string }) => i.eventId));
      before = page.body.nextBefore;
    } while (before !== null);
    assert.deepEqual(seen, ['e4', 'e3', 'e2', 'e1', 'e0']);
    const bad = await api.call('GET', '/hooks/paged/invocations?limit=0');
    assert.equal(bad.status, 400);
  });

  test('a dry run records nothing and judges a filter\'s output as the chain would', async () => {
    const created = await api.call('POST', '/hooks', def('dry'));
    nextValue = { patch: { year: 2021 } };
    const ok = await api.call('POST', `/hooks/${created.body.id}/test`, { type: 'media.added', payload: { title: 'Dune' } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.payload, { title: 'Dune', year: 2021 });
    assert.equal(ok.body.changed, true);
    assert.deepEqual(dryRuns.at(-1), { hook: 'dry', dryRun: true });
    nextValue = { title: '' };
    const refused = await api.call('POST', `/hooks/${created.body.id}/test`, { type: 'media.added', payload: { title: 'Dune' } });
    assert.equal(refused.body.status, 'invalid-output');
    assert.match(refused.body.error.message, /does not match the schema/);
    const badEvent = await api.call('POST', `/hooks/${created.body.id}/test`, { type: 'media.added', payload: { title: 7 } });
    assert.equal(badEvent.status, 422);
    assert.equal(badEvent.body.error.details.problems[0].pointer, '/payload/title');
  });
});
