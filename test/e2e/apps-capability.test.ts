// ctx.apps end to end: the real daemon, sandbox and example hooks against local stand-ins of
// Radarr's and Sonarr's APIs that require X-Api-Key and refuse partial PUTs. A Radarr MovieAdded
// body posted as Radarr posts it switches the movie to the anime profile; the key never reaches
// the daemon's log, invocation records, events, or anything a hook can read (ctx, errors, an
// echo of its request headers, a redirect); paths outside the base URL are denied and recorded.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { arrFixture } from '../fixtures/arr/index.ts';
import { startArrStandIn, type ArrStandIn } from '../helpers/arr-api.ts';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const RADARR_KEY = 'f3a1c9e07b5d4e2a9c8b7a6f5e4d3c2b';
const SONARR_KEY = '0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e';
const REPO = new URL('../../', import.meta.url).pathname;

const MOVIE = { id: 42, title: 'Your Name.', year: 2016, tmdbId: 372058, qualityProfileId: 1, monitored: true, path: '/movies/Your Name (2016)', tags: [], genres: ['Animation', 'Anime'] };
const SERIES = { id: 7, title: 'Frieren', tvdbId: 424536, qualityProfileId: 1, monitored: true, tags: [1], genres: ['Anime', 'Fantasy'] };

let radarr: ArrStandIn;
let sonarr: ArrStandIn;
let d: TestDaemon;
let temp: { dir: string; remove(): void };

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function postAsApp(app: string, body: unknown): Promise<unknown> {
  return request(d.url, 'POST', `/integrations/${app}`, undefined, {
    token: null,
    headers: { authorization: basic(app, EVENTS_TOKEN), 'content-type': 'application/json' },
    raw: JSON.stringify(body, null, 2),
  });
}

async function invocationsOf(name: string): Promise<any[]> {
  const hooks = (await d.call('GET', '/hooks')).body;
  const hook = (hooks.items ?? hooks).find((h: any) => h.name === name);
  assert.ok(hook, `hook ${name} is loaded`);
  const r = await d.call('GET', `/hooks/${hook.id}/invocations`);
  assert.equal(r.status, 200);
  return r.body.items ?? r.body;
}

before(async () => {
  radarr = await startArrStandIn(RADARR_KEY, {
    '/api/v3/movie/42': MOVIE,
    '/api/v3/qualityprofile': [{ id: 1, name: 'HD-1080p' }, { id: 9, name: 'Anime' }],
  });
  sonarr = await startArrStandIn(SONARR_KEY, { '/api/v3/series/7': SERIES, '/api/v3/tag': [{ id: 1, label: 'fantasy' }] });
  temp = makeTempDir();
  cpSync(join(REPO, 'hooks/media.added/40-radarr-anime-profile.js'), join(temp.dir, 'hooks/media.added/40-radarr-anime-profile.js'));
  cpSync(join(REPO, 'hooks/media.added/41-sonarr-genre-tags.js'), join(temp.dir, 'hooks/media.added/41-sonarr-genre-tags.js'));
  d = await startTestDaemon({
    dir: temp.dir,
    config: {
      hooks: { watch: false },
      secrets: { RADARR_API_KEY: RADARR_KEY },
      integrations: {
        radarr: { url: `${radarr.url}/`, apiKey: { secret: 'RADARR_API_KEY' } },
        sonarr: { url: sonarr.url, apiKey: SONARR_KEY },
      },
    },
  });
});

after(async () => {
  await d?.close();
  temp?.remove();
  await radarr?.close();
  await sonarr?.close();
});

describe('ctx.apps', () => {
  it('the anime example switches a movie Radarr added to the anime profile, with a whole-resource PUT', async () => {
    const body = structuredClone(arrFixture('radarr-movie-added').body);
    Object.assign(body.movie, { id: 42, title: 'Your Name.', genres: ['Animation', 'Anime'] });
    await postAsApp('radarr', body);
    await d.daemon.idle();
    const [run] = await invocationsOf('radarr-anime-profile');
    assert.equal(run.status, 'ok', JSON.stringify(run.error));
    assert.match(run.logs.map((l: any) => l.message).join('\n'), /Your Name\.: quality profile 1 -> "Anime" \(9\)/);
    assert.equal(radarr.resources.get('/api/v3/movie/42').qualityProfileId, 9);
    assert.equal(radarr.resources.get('/api/v3/movie/42').path, MOVIE.path, 'the rest of the movie went back unchanged');
    assert.ok(radarr.requests.every((r) => r.apiKey === RADARR_KEY), 'hookd sent the key with every request');
  });

  it('the Sonarr example creates a missing tag and tags the series by genre', async () => {
    const body = structuredClone(arrFixture('sonarr-series-add').body);
    Object.assign(body.series, { id: 7, title: 'Frieren', genres: ['Anime', 'Fantasy'] });
    await postAsApp('sonarr', body);
    await d.daemon.idle();
    const [run] = await invocationsOf('sonarr-genre-tags');
    assert.equal(run.status, 'ok', JSON.stringify(run.error));
    assert.match(run.logs.map((l: any) => l.message).join('\n'), /Frieren: tagged anime/);
    assert.deepEqual(sonarr.resources.get('/api/v3/series/7').tags, [1, 101]);
    assert.equal(sonarr.resources.get('/api/v3/tag').at(-1).label, 'anime');
  });

  it('a hook cannot learn the key: not from ctx, an echo of its headers, a redirect or an error; escapes are denied', async () => {
    const source = `
      export default async function (event, ctx) {
        const seen = { ctx: JSON.stringify(ctx), client: Object.keys(ctx.apps.radarr), out: [] };
        seen.echo = await ctx.apps.radarr.get('/echo');
        ctx.log.info('echo', seen.echo);
        try { await ctx.apps.radarr.get('/redirect'); } catch (e) { seen.out.push(e.message, e.body); ctx.log.error(e.message); }
        try { await ctx.apps.radarr.put('/api/v3/movie/42', { id: 42 }); } catch (e) { seen.out.push(e.status, e.message); }
        for (const path of ['http://127.0.0.1:1/x', '//evil.example/x', '/../x', '/api/%2e%2e/x', 'api/v3/movie/42']) {
          try { await ctx.apps.radarr.get(path); seen.out.push('reached ' + path); } catch (e) { seen.out.push(e.name + ': ' + e.message); }
        }
        try { ctx.apps.sonarr; } catch (e) { seen.out.push(e.message); }
        throw new Error(JSON.stringify(seen));
      }`;
    const r = await d.call('POST', '/hooks', { name: 'key-hunter', events: ['health.restored'], mode: 'action', source, permissions: { apps: ['radarr'] } });
    assert.equal(r.status, 201, r.text);
    await postAsApp('radarr', arrFixture('radarr-health-restored').body);
    await d.daemon.idle();
    const [run] = await invocationsOf('key-hunter');
    assert.equal(run.status, 'error');
    const seen = JSON.parse(run.error.message);
    assert.equal(seen.echo.headers['x-api-key'], '[redacted]', 'the echoed key was redacted by the host');
    assert.match(seen.out[0], /radarr answered 302/);
    assert.equal(seen.out[2], 400, 'a partial PUT is refused by the app and thrown with its status');
    assert.deepEqual(seen.out.slice(4, 9).map((m: string) => m.split(':')[0]), Array(5).fill('PermissionDeniedError'));
    assert.match(seen.out[9], /apps access to "sonarr" not granted: add it to permissions\.apps/);
    const denied = run.logs.filter((l: any) => l.message.startsWith('permission denied: apps access'));
    assert.equal(denied.length, 6, 'each refused use is recorded with the invocation, even though the hook caught it');
    assert.ok(!radarr.requests.some((q) => q.path.includes('..') || q.path.startsWith('//')), 'no escape reached the app');
  });

  it('the key appears nowhere: daemon log, invocation records, events', async () => {
    const everything = [d.logs.text()];
    for (const name of ['radarr-anime-profile', 'sonarr-genre-tags', 'key-hunter']) everything.push(JSON.stringify(await invocationsOf(name)));
    everything.push((await d.call('GET', '/events?limit=100')).text);
    for (const text of everything) {
      assert.ok(!text.includes(RADARR_KEY), 'Radarr key leaked');
      assert.ok(!text.includes(SONARR_KEY), 'Sonarr key leaked');
    }
  });

  it('a hook without permissions.apps has no ctx.apps; an unknown app is refused at registration', async () => {
    const r = await d.call('POST', '/hooks/test', { source: 'export default (e, ctx) => ({ apps: typeof ctx.apps })', mode: 'action', type: 'health.restored', payload: { message: 'x' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.result, { apps: 'undefined' });
    const bad = await d.call('POST', '/hooks', { name: 'plex', events: ['media.added'], mode: 'action', source: 'export default () => {}', permissions: { apps: ['plex'] } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /\/permissions\/apps\/0/);
  });
});
