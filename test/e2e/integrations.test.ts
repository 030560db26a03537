// The *arr apps' webhooks into the real daemon: every body of the six apps' fixtures (each
// event type they send; Sonarr v5's and both Whisparr generations' too) posted as the app posts it (HTTP Basic, POST and PUT, the
// pretty-printed text, its User-Agent): each stored as sent as its own type, unflagged, its
// normalized media event (where the registry names one) raised with causation, hooks run for
// both, webhooks delivered; Test logged and listed; Bearer works,
// a wrong password is 401 with a Basic challenge; unknown event types and odd bodies are stored
// and flagged, never refused; only what is not JSON (or past the size and depth bounds) is.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { request, type Reply } from '../helpers/http.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { buildRequest } from '../helpers/routes.ts';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { arrFixture, arrFixtures } from '../fixtures/arr/index.ts';
import { ARR_APPS, findAppEvent } from '../../lib/integrations/index.ts';

const BODY_LIMIT = 256 * 1024;
const METRICS_TOKEN = 'test-metrics-token-0123456789';
const USER_AGENT: Record<string, string> = {
  radarr: 'Radarr/6.0.3.10276 (alpine 3.22.1)',
  sonarr: 'Sonarr/4.0.19.2979 (ubuntu 24.04)',
  lidarr: 'Lidarr/2.13.3.4711 (alpine 3.22.1)',
  readarr: 'Readarr/0.4.18.2805 (alpine 3.22.1)',
  prowlarr: 'Prowlarr/2.3.6.5200 (alpine 3.22.1)',
  whisparr: 'Whisparr/3.1.0.1419 (alpine 3.22.1)',
};

let d: TestDaemon;
let receiver: WebhookReceiver;
const hookIds: Record<string, string> = {};

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'latin1').toString('base64')}`;

/** As the app sends it: its method, HTTP Basic with the token as the password, the body's text as written. */
function send(path: string, text: string, options: { method?: 'POST' | 'PUT'; authorization?: string | null; app?: string } = {}): Promise<Reply> {
  const app = options.app ?? path.split('/')[2]!;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': USER_AGENT[app] ?? 'curl/8' };
  const authorization = options.authorization === undefined ? basic(app, EVENTS_TOKEN) : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  return request(d.url, options.method ?? 'POST', path, undefined, { token: null, headers, raw: text });
}

before(async () => {
  receiver = await startWebhookReceiver();
  d = await startTestDaemon({
    config: {
      server: { bodyLimit: BODY_LIMIT },
      events: { maxDepth: 16 },
      hooks: { watch: false },
      webhooks: { retrySchedule: ['1h'] },
      auth: { tokens: [
        { name: 'test-admin', token: ADMIN_TOKEN, scopes: ['admin'] },
        { name: 'radarr', token: EVENTS_TOKEN, scopes: ['events'] },
        { name: 'prometheus', token: METRICS_TOKEN, scopes: ['metrics'] },
      ] },
    },
  });
  // One hook per shape: the apps' own events, and the normalized one that serves every app.
  const source = 'export default (event, ctx) => { ctx.log.info(`${event.type}: ${event.payload.title ?? event.payload.eventType}`); };';
  for (const [name, events] of [['arr-own', ARR_APPS.map((app) => `${app}.*`)], ['media-added', ['media.added']], ['imported', ['media.imported']]] as const) {
    const r = await d.call('POST', '/hooks', { name, events, mode: 'action', source });
    assert.equal(r.status, 201, r.text);
    hookIds[name] = r.body.id;
  }
  const webhook = await d.call('POST', '/webhooks', { url: receiver.url, events: ['media.added', 'radarr.movie.added'] });
  assert.equal(webhook.status, 201, webhook.text);
});
after(async () => {
  await d.close();
  await receiver.close();
});

const getEvent = async (id: string) => {
  const r = await d.call('GET', `/events/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const invocationsOf = (event: { invocations: Array<{ hookId: string; status: string; logs: Array<{ message: string }> }> }, hook: string) =>
  event.invocations.filter((i) => i.hookId === hookIds[hook]);

describe("every app's bodies, as the apps send them", () => {
  for (const [index, f] of arrFixtures().entries()) {
    const method = index % 2 === 0 ? 'POST' : 'PUT';
    const appEvent = findAppEvent(f.app, f.body.eventType);
    const what = appEvent?.normalized ? 'stored as sent, its media event raised with causation, the hooks of both run' : 'stored as sent, its hook run, no media event';
    test(`${f.name} (${method}): ${what}`, async () => {
      assert.ok(appEvent, `${f.body.eventType} is one of ${f.app}'s event types`);
      const r = await send(`/integrations/${f.app}`, f.text, { method });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.flags, [], r.text);
      assert.equal(r.body.type, appEvent.type);
      await d.daemon.idle();

      const raw = await getEvent(r.body.id);
      assert.equal(raw.type, r.body.type);
      assert.deepEqual(raw.payload, f.body, 'the payload is the body as sent');
      assert.equal(raw.source, 'radarr', "the name of the app's token");
      const own = invocationsOf(raw, 'arr-own');
      assert.equal(own.length, 1, `the ${f.app}.* hook ran`);
      assert.equal(own[0]!.status, 'ok');
      assert.equal(own[0]!.logs[0]!.message, `${raw.type}: ${f.body.eventType}`);

      if (!appEvent.normalized) {
        assert.equal(r.body.normalized, undefined, `${f.body.eventType} raises nothing`);
        return;
      }
      assert.ok(r.body.normalized, 'a normalized event');
      const normalized = await getEvent(r.body.normalized.id);
      assert.equal(normalized.type, appEvent.normalized);
      assert.equal(normalized.causationId, raw.id);
      assert.equal(normalized.depth, 1);
      assert.equal(normalized.source, `integration:${f.app}/default`);
      assert.deepEqual(normalized.payload.raw, f.body, 'the body stays reachable as payload.raw');
      assert.equal(normalized.payload.app, f.app);
      assert.equal(normalized.payload.instance, 'default');
      if (normalized.type === 'media.added' || normalized.type === 'media.imported') {
        const hook = normalized.type === 'media.added' ? 'media-added' : 'imported';
        const runs = invocationsOf(normalized, hook);
        assert.equal(runs.length, 1, `the ${normalized.type} hook ran`);
        assert.equal(runs[0]!.status, 'ok');
        assert.equal(runs[0]!.logs[0]!.message, `${normalized.type}: ${normalized.payload.title}`);
      }
      assert.equal(invocationsOf(normalized, 'arr-own').length, 0, 'the app hook does not see the normalized event');
    });
  }

  test('one media.added hook serves Radarr and Sonarr alike, and a webhook gets both shapes, signed', async () => {
    const movie = await send('/integrations/radarr', arrFixture('radarr-movie-added').text);
    const series = await send('/integrations/sonarr', arrFixture('sonarr-series-add').text, { method: 'PUT' });
    await d.daemon.idle();
    for (const [r, title] of [[movie, 'Dune'], [series, 'Frieren: Beyond Journey’s End']] as const) {
      assert.equal(r.body.normalized.type, 'media.added');
      const runs = invocationsOf(await getEvent(r.body.normalized.id), 'media-added');
      assert.deepEqual(runs.map((i) => i.logs[0]!.message), [`media.added: ${title}`]);
    }
    const ids = [movie.body.id, movie.body.normalized.id, series.body.normalized.id];
    const got = await receiver.waitFor((all) => ids.every((id) => all.some((q) => JSON.parse(q.body).id === id)));
    const delivered = got.map((q) => JSON.parse(q.body)).filter((b) => ids.includes(b.id));
    assert.deepEqual(delivered.map((b) => b.type).sort(), ['media.added', 'media.added', 'radarr.movie.added']);
    for (const q of got) assert.match(String(q.headers['webhook-signature']), /^v1,/);
  });

  test('Test answers 200, is logged as a working connection and listed among the events', async () => {
    const r = await send('/integrations/sonarr', arrFixture('sonarr-test').text, { method: 'PUT' });
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'sonarr.test');
    const line = d.logs.lines().find((l) => l.eventId === r.body.id);
    assert.equal(line?.msg, 'sonarr webhook test received: the connection works');
    assert.equal(line?.level, 30, 'info');
    const list = await d.call('GET', '/events?type=sonarr.test', undefined, { token: EVENTS_TOKEN });
    assert.ok(list.body.items.some((e: { id: string }) => e.id === r.body.id));
  });

  test('an instance in the path is the normalized events\' instance', async () => {
    const r = await send('/integrations/radarr/4k', arrFixture('radarr-grab').text);
    assert.equal(r.status, 200, r.text);
    const normalized = await getEvent(r.body.normalized.id);
    assert.equal(normalized.type, 'download.grabbed');
    assert.equal(normalized.payload.instance, '4k');
    assert.equal(normalized.source, 'integration:radarr/4k');
    const bad = await send('/integrations/radarr/4k%20hdr', arrFixture('radarr-grab').text);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.parameter, 'instance');
  });

  test('an app hookd does not know is a 404 that lists the five', async () => {
    const r = await send('/integrations/plex', '{}', { authorization: basic('plex', EVENTS_TOKEN) });
    assert.equal(r.status, 404);
    assert.match(r.body.error.message, /radarr, sonarr, lidarr, readarr, prowlarr, whisparr/);
  });
});

describe('credentials', () => {
  const body = arrFixture('radarr-health').text;

  test('HTTP Basic: any user name, the token as the password; Authorization: Bearer too; the admin token as well', async () => {
    for (const authorization of [basic('', EVENTS_TOKEN), basic('someone', EVENTS_TOKEN), `Bearer ${EVENTS_TOKEN}`, basic('admin', ADMIN_TOKEN)]) {
      const r = await send('/integrations/radarr', body, { authorization });
      assert.equal(r.status, 200, `${authorization}: ${r.text}`);
    }
  });

  test('a wrong or missing password is 401 with a Basic challenge, and nothing is stored', async () => {
    const before = (await d.call('GET', '/events?type=radarr.health&limit=1000')).body.items.length;
    for (const authorization of [basic('radarr', 'wrong-token'), basic('radarr', ''), null, 'Bearer wrong-token', `Basic ${Buffer.from(EVENTS_TOKEN).toString('base64')}`]) {
      const r = await send('/integrations/radarr', body, { authorization });
      assert.equal(r.status, 401, String(authorization));
      assert.equal(r.headers.get('www-authenticate'), 'Basic realm="hookd"');
      assert.equal(r.body.error.code, 'UNAUTHORIZED');
    }
    const now = (await d.call('GET', '/events?type=radarr.health&limit=1000')).body.items.length;
    assert.equal(now, before);
    const elsewhere = await d.call('GET', '/events', undefined, { token: 'wrong-token' });
    assert.equal(elsewhere.headers.get('www-authenticate'), 'Bearer realm="hookd"', 'the other routes still challenge for Bearer');
  });

  test('a token without the events scope is 403', async () => {
    const r = await send('/integrations/radarr', body, { authorization: basic('radarr', METRICS_TOKEN) });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'FORBIDDEN');
  });
});

describe('what hookd does not understand is stored, not refused', () => {
  async function stored(path: string, text: string, type: string, flag: string) {
    const r = await send(path, text);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.type, type);
    assert.equal(r.body.normalized, undefined);
    assert.deepEqual(r.body.flags.map((f: { flag: string }) => f.flag), [flag], r.text);
    const event = await getEvent(r.body.id);
    assert.deepEqual(event.payload, JSON.parse(text), 'stored as it came');
    return r;
  }

  test('an eventType hookd does not know is stored as <app>.unknown, flagged, logged and counted', async () => {
    const scrape = async () => parsePrometheusText((await d.call('GET', '/metrics', undefined, { token: METRICS_TOKEN })).text);
    const before = sampleValue(await scrape(), 'hookd_integration_events_total', { app: 'radarr', event: 'unknown', outcome: 'flagged' }) ?? 0;
    const body = JSON.stringify({ movie: { id: 1, title: 'Dune' }, eventType: 'MovieImported', instanceName: 'Radarr', applicationUrl: '' }, null, 2);
    const r = await stored('/integrations/radarr', body, 'radarr.unknown', 'unknown-event-type');
    assert.match(r.body.flags[0].message, /eventType "MovieImported" is not one hookd knows for radarr/);
    const warning = d.logs.lines().find((l) => l.eventId === r.body.id);
    assert.equal(warning?.level, 40);
    const after = sampleValue(await scrape(), 'hookd_integration_events_total', { app: 'radarr', event: 'unknown', outcome: 'flagged' });
    assert.equal(after, before + 1);
    const list = await d.call('GET', '/events?type=radarr.unknown', undefined, { token: EVENTS_TOKEN });
    assert.ok(list.body.items.some((e: { id: string }) => e.id === r.body.id), 'listed');
  });

  test('odd bodies: no eventType, a list, null, a number, a string, an empty object', async () => {
    await stored('/integrations/sonarr', '{"series":{"id":1,"title":"x"}}', 'sonarr.unknown', 'unknown-event-type');
    for (const text of ['[{"eventType":"Grab"}]', 'null', '42', '"Grab"']) await stored('/integrations/sonarr', text, 'sonarr.unknown', 'not-an-object');
    await stored('/integrations/lidarr', '{}', 'lidarr.unknown', 'unknown-event-type');
  });

  test('bytes that are not UTF-8 and __proto__ keys are data: stored as sent, nothing polluted', async () => {
    const invalidUtf8 = Buffer.concat([Buffer.from('{"eventType":"Health","level":"warning","message":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const headers = { authorization: basic('radarr', EVENTS_TOKEN), 'content-type': 'application/json' };
    const health = await rawRequest(d.url, buildRequest('POST', '/integrations/radarr', headers, invalidUtf8));
    assert.equal(health.status, 200, health.body);
    const stored = await getEvent(JSON.parse(health.body).id);
    assert.equal(stored.type, 'radarr.health');
    assert.equal(stored.payload.message, '\uFFFD\uFFFD\uFFFD', 'read as replacement characters');
    const text = '{"eventType":"MovieAdded","__proto__":{"polluted":1},"movie":{"id":1,"title":"T","__proto__":{"admin":true}}}';
    const r = await send('/integrations/radarr', text);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.normalized.type, 'media.added');
    assert.deepEqual((await getEvent(r.body.id)).payload, JSON.parse(text));
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.equal((await getEvent(r.body.normalized.id)).payload.title, 'T');
  });

  test('a known event off its schema is stored as its type, flagged, and its hooks still run', async () => {
    const body = JSON.parse(arrFixture('radarr-grab').text);
    body.movie.year = 'twenty-one';
    const r = await send('/integrations/radarr', JSON.stringify(body, null, 2));
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'radarr.grab');
    assert.deepEqual(r.body.flags.map((f: { flag: string }) => f.flag), ['schema-mismatch']);
    assert.deepEqual(r.body.flags[0].problems.map((p: { pointer: string }) => p.pointer), ['/movie/year']);
    assert.equal(r.body.normalized.type, 'download.grabbed', 'what can be derived still is');
    assert.equal((await getEvent(r.body.normalized.id)).payload.year, 2021, "the movie's year is not a number: remoteMovie's is used");
    await d.daemon.idle();
    assert.equal(invocationsOf(await getEvent(r.body.id), 'arr-own').length, 1);
  });

  test('a known event from which no media event can be derived is stored and flagged not-normalized', async () => {
    const r = await send('/integrations/radarr', JSON.stringify({ eventType: 'MovieAdded', movie: { id: 3 } }));
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'radarr.movie.added');
    assert.equal(r.body.normalized, undefined);
    assert.deepEqual(r.body.flags.map((f: { flag: string }) => f.flag), ['schema-mismatch', 'not-normalized']);
    assert.match(r.body.flags[1].message, /no media.added event was raised: .*\/title is required/);
  });

  test('only what is not JSON, or past the size and depth bounds, is refused (4xx, nothing stored)', async () => {
    const before = (await d.call('GET', '/events?type=radarr.*&limit=1000')).body.items.length;
    const cases: Array<[string, number, string]> = [
      ['{"eventType": "Grab",', 400, 'MALFORMED_JSON'],
      ['', 400, 'VALIDATION'],
      [JSON.stringify({ eventType: 'Grab', deep: JSON.parse('['.repeat(20) + ']'.repeat(20)) }), 422, 'JSON_TOO_DEEP'],
      [JSON.stringify({ eventType: 'Grab', big: 'x'.repeat(BODY_LIMIT) }), 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [text, status, code] of cases) {
      const r = await send('/integrations/radarr', text);
      assert.equal(r.status, status, `${code}: ${r.text}`);
      assert.equal(r.body.error.code, code);
    }
    const xml = await request(d.url, 'POST', '/integrations/radarr', undefined, { token: null, headers: { authorization: basic('r', EVENTS_TOKEN), 'content-type': 'application/xml' }, raw: '<a/>' });
    assert.equal(xml.status, 415);
    assert.equal((await d.call('GET', '/events?type=radarr.*&limit=1000')).body.items.length, before);
  });

  test('a body at the depth bound is stored; its media event, one level deeper, is not raised and the body is flagged', async () => {
    const deep = JSON.parse('['.repeat(15) + ']'.repeat(15)); // the body is 16 deep, the bound
    const body = { ...arrFixture('radarr-movie-added').body, extra: deep };
    const r = await send('/integrations/radarr', JSON.stringify(body));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.normalized, undefined);
    assert.match(r.body.flags.at(-1).message, /nest more than 16 levels/);
  });
});

describe('the contract', () => {
  test('GET /openapi.json has POST and PUT for /integrations/{app} and /{instance}, with Basic auth', async () => {
    const doc = (await request(d.url, 'GET', '/openapi.json')).body;
    for (const path of ['/integrations/{app}', '/integrations/{app}/{instance}']) {
      assert.deepEqual(Object.keys(doc.paths[path]).sort(), ['post', 'put']);
      assert.deepEqual(doc.paths[path].post.security, [{ bearer: [] }, { basic: [] }]);
    }
    assert.equal(doc.components.securitySchemes.basic.scheme, 'basic');
  });

  test('GET /catalog lists every app event type with its schema, and <app>.unknown', async () => {
    const types = new Map((await d.call('GET', '/catalog', undefined, { token: EVENTS_TOKEN })).body.types.map((t: { name: string }) => [t.name, t]));
    for (const name of ['radarr.grab', 'radarr.movie.added', 'radarr.movie.file.delete', 'sonarr.series.add', 'sonarr.episode.file.delete', 'sonarr.download']) {
      assert.ok((types.get(name) as { schema?: unknown })?.schema, name);
    }
    for (const name of ['radarr.unknown', 'sonarr.unknown', 'media.renamed', 'health.restored', 'app.updated']) assert.ok(types.has(name), name);
  });
});

