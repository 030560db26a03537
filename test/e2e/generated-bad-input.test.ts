// Generated bad input across every route against the real daemon (fast-check): methods, known
// routes with odd ids, query strings, headers (content types, lying Content-Length, every
// kind of Authorization, both tokens) and bodies (random and deep JSON, invalid UTF-8,
// truncated JSON, NDJSON garbage, __proto__ keys). Every answer is below 500 (but the
// documented 503s) with the documented error body when 4xx, and the daemon still takes a valid event.
// A fixed number of runs from a fixed seed (FUZZ_SEED overrides it); a failure prints both.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, writeTestConfig, type TestDaemon } from '../helpers/daemon.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { assertErrorShape } from '../helpers/openapi-conformance.ts';
import { buildRequest, ROUTES } from '../helpers/routes.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const BODY_LIMIT = 32 * 1024;
// The 503s the README documents: all streams taken, and a daemon that is stopping; and
// GET /readyz's own answer when a check fails (its body is a report, not an error).
const DOCUMENTED_503 = new Set(['TOO_MANY_STREAMS', 'SHUTTING_DOWN']);
const isDocumented503 = (path: string, body: { error?: { code?: string }; status?: string }) =>
  DOCUMENTED_503.has(body.error?.code ?? '') || (path === '/readyz' && (body.status === 'not-ready' || body.status === 'stopping'));

const temp = makeTempDir();
let d: TestDaemon;
let receiver: WebhookReceiver;
const known: string[] = [];

before(async () => {
  receiver = await startWebhookReceiver();
  writeTestConfig(temp.dir);
  mkdirSync(join(temp.dir, 'hooks', 'media.added'), { recursive: true });
  writeFileSync(join(temp.dir, 'hooks', 'media.added', '10-from-file.js'), 'export default () => {};\n');
  d = await startTestDaemon({
    dir: temp.dir,
    config: { server: { bodyLimit: BODY_LIMIT }, hooks: { watch: false }, webhooks: { timeout: '2s', retrySchedule: ['1h'] } },
  });
  const hooks = (await d.call('GET', '/hooks')).body.items as Array<{ id: string }>;
  known.push(...hooks.map((h) => h.id));
  const hook = await d.call('POST', '/hooks', { name: 'fuzz-filter', events: ['media.*'], mode: 'filter', source: 'export default () => ({ patch: { tags: ["x"] } })' });
  const webhook = await d.call('POST', '/webhooks', { url: receiver.url, events: ['media.*'] });
  const ping = await d.call('POST', `/webhooks/${webhook.body.id}/test`);
  const event = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'Known' }, id: 'fuzz-known' });
  for (const r of [hook, webhook, ping, event]) assert.ok(r.status < 300, r.text);
  known.push(hook.body.id, webhook.body.id, ping.body.deliveryId, 'fuzz-known');
});
after(async () => {
  await d.close();
  await receiver.close();
  temp.remove();
});

// --- what an attacker sends -------------------------------------------------------------

const STARS = '*'.repeat(35);
const asciiText = fc.string({ maxLength: 40 });
const text = fc.oneof(asciiText, fc.string({ maxLength: 20, unit: 'binary' }));
const oddStrings = fc.constantFrom('', ' ', '%', '%E0%A4%A', '%00', '%ff', '..%2F..%2F', '__proto__', 'constructor', 'null', '-1', '1e400', `${STARS}z`, '\u2028', 'a'.repeat(3000));

const idArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...[0, 1, 2, 3, 4, 5]).map((i) => known[i] ?? 'missing') },
  { weight: 1, arbitrary: oddStrings },
  { weight: 1, arbitrary: oddStrings.map(encodeURIComponent) },
  { weight: 2, arbitrary: text.map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.nat({ max: 6000 }).map((n) => 'x'.repeat(n)) },
);

const paramName = fc.constantFrom('limit', 'before', 'since', 'cursor', 'type', 'types', 'status', 'key', 'lastEventId', 'wait', 'access_token', '__proto__', 'x');
const paramValue = fc.oneof(
  fc.constantFrom('1', '0', '-1', '10', '1000', '1001', 'abc', '1.5', '9'.repeat(40), 'true', 'false', 'pending', 'media.*', `${STARS}z`, `${'*a'.repeat(50)}*q`, '2026-01-01T00:00:00Z', 'czo1', ADMIN_TOKEN, EVENTS_TOKEN),
  oddStrings,
  text,
);
const queryArb = fc
  .array(fc.tuple(paramName, paramValue, fc.nat({ max: 3 })), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v, raw]) => `${k}=${raw === 0 ? v.replace(/[\s#]/g, '+') : encodeURIComponent(v)}`).join('&'));

const authArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${ADMIN_TOKEN}`) },
  { weight: 3, arbitrary: fc.constant(`Bearer ${EVENTS_TOKEN}`) },
  { weight: 2, arbitrary: fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', `bearer ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN} extra`, `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${ADMIN_TOKEN}x`, 'Bearer \u00ff\u00fe') },
  { weight: 1, arbitrary: asciiText.map((t) => `Bearer ${t}`) },
);

const contentTypeArb = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/x-ndjson',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/merge-patch+json',
  'image/png',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  '',
  ';;;',
);

const json = (value: unknown) => JSON.stringify(value) ?? 'null';
const catalogType = fc.constantFrom('media.added', 'media.updated', 'download.progress', 'health.issue', 'hook.executed', 'webhook.ping', 'nope', '');
const patternList = fc.array(fc.oneof(fc.constantFrom('media.*', '*', `${STARS}z`, `${STARS}d`, 'Media', ''), text), { maxLength: 4 });
const anyJson = fc.jsonValue({ maxDepth: 4 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, anyJson);

const eventBody = fc.record(
  { type: maybe(catalogType), payload: maybe(fc.record({ title: maybe(text) }, { requiredKeys: [] })), id: maybe(text), occurredAt: maybe(fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday')) },
  { requiredKeys: [] },
);
const hookBody = fc.record(
  {
    name: maybe(fc.constantFrom('fuzz-a', 'fuzz-b', 'x'.repeat(100))),
    events: maybe(patternList),
    mode: maybe(fc.constantFrom('filter', 'action')),
    kind: maybe(fc.constantFrom('module', 'command')),
    source: maybe(fc.constantFrom('export default () => {}', 'export default (e) => ({ patch: { n: 1 } })', 'syntax error(', '')),
    command: maybe(fc.constantFrom(['/bin/true'], ['true'], ['/nonexistent/x'], [])),
    enabled: maybe(fc.boolean()),
    permissions: maybe(fc.record({ net: maybe(fc.array(text)), env: maybe(fc.constantFrom(['constructor'], ['HOOKD_TOKEN'], ['__proto__'])) }, { requiredKeys: [] })),
    type: maybe(catalogType),
    payload: anyJson,
  },
  { requiredKeys: [] },
);
const webhookBody = fc.record(
  {
    url: maybe(fc.constantFrom('http://127.0.0.1:1/', 'ftp://x', 'http://169.254.169.254/', 'not a url', '')),
    events: maybe(patternList),
    headers: maybe(fc.dictionary(fc.constantFrom('x-a', 'X B', 'content-type', ''), maybe(text))),
    secret: maybe(text),
    timeoutMs: anyJson,
    enabled: maybe(fc.boolean()),
  },
  { requiredKeys: [] },
);

const deep = fc.nat({ max: 400 }).chain((n) => fc.constantFrom('['.repeat(n) + ']'.repeat(n), `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`, `{"type":"media.added","payload":{"title":"x","d":${'['.repeat(n)}${']'.repeat(n)}}}`));
const bodyArb: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: anyJson.map(json) },
  { weight: 3, arbitrary: eventBody.map(json) },
  { weight: 3, arbitrary: hookBody.map(json) },
  { weight: 2, arbitrary: webhookBody.map(json) },
  { weight: 2, arbitrary: deep },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  { weight: 2, arbitrary: fc.tuple(fc.oneof(eventBody, hookBody).map(json), fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))) },
  { weight: 2, arbitrary: fc.array(fc.oneof(eventBody.map(json), text), { maxLength: 5 }).map((lines) => lines.join('\n')) },
  { weight: 1, arbitrary: anyJson.map((v) => `{"__proto__":${json(v)},"constructor":{"prototype":${json(v)}},"type":"media.added","payload":{"__proto__":{"x":1}}}`) },
  { weight: 1, arbitrary: fc.constant(`"${'x'.repeat(BODY_LIMIT + 1)}"`) },
);

const requestArb = fc.record({
  // Routes that read a body come up twice as often: they have the most to get wrong.
  route: fc.constantFrom(...ROUTES, ...ROUTES.filter((route) => route.body)),
  method: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS')),
  id: idArb,
  query: queryArb,
  authorization: authArb,
  contentType: contentTypeArb,
  body: bodyArb,
  // How many bytes the Content-Length header claims beyond (or short of) what is sent.
  lengthLie: fc.oneof({ weight: 20, arbitrary: fc.constant(0) }, fc.integer({ min: -8, max: -1 }), fc.integer({ min: 1, max: 8 })),
});

// --- the property ------------------------------------------------------------------------

test(`${RUNS} generated requests across every route: never a 5xx, always a JSON error; the daemon keeps serving`, { timeout: 240_000 }, async () => {
  const property = fc.asyncProperty(requestArb, async (r) => {
    const method = r.method ?? r.route.method;
    const target = `${r.route.path.replace(':id', r.id)}${r.query ? `?${r.query}` : ''}`;
    const headers: Record<string, string> = {};
    if (r.authorization !== undefined) headers.authorization = r.authorization;
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
    const lie = body !== undefined && r.lengthLie !== 0;
    if (lie) headers['content-length'] = String(Math.max(0, body.length + r.lengthLie));
    const reply = await rawRequest(d.url, buildRequest(method, target, headers, body), { halfClose: lie && r.lengthLie > 0 });
    const what = `${method} ${target.slice(0, 120)} -> ${reply.status} ${reply.body.slice(0, 300)}`;
    // Only a body shorter than its Content-Length, then a half-close, may go unanswered (Node drops it).
    if (reply.status === 0) {
      assert.ok(lie && r.lengthLie > 0, `no answer: ${what}`);
      return;
    }
    if (reply.status === 503) assert.ok(method === 'HEAD' ? r.route.path === '/readyz' : isDocumented503(r.route.path, JSON.parse(reply.body)), what);
    else assert.ok(reply.status < 500, what);
    // Garbage is not checked against each route's answers, but every refusal is the documented error body.
    if (reply.status >= 400 && method !== 'HEAD') assertErrorShape(reply.body, what);
  });
  await fc.assert(property, { numRuns: RUNS, seed: SEED, endOnFailure: true });

  const still = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'After the fuzz' } }, { token: EVENTS_TOKEN });
  assert.equal(still.status, 202, still.text);
  assert.equal((await d.call('GET', '/healthz', undefined, { token: null })).status, 200);
});
