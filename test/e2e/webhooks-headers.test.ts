// Webhook headers HTTP cannot carry, tried as an admin with a typo or a hostile paste would:
// refused at POST and PATCH with a 422 naming the header; and rows stored before that check
// existed fail their attempts on the retry schedule and disable the endpoint, never hang.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../lib/config/index.ts';
import { openDatabase } from '../../lib/db/connect.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const CONFIG = { webhooks: { retrySchedule: ['50ms', '50ms'], jitter: 0, pollInterval: '50ms', disableAfterFailures: 2 } };

// [name, value, pointer]: each would make http.request throw, or is hookd's to set.
const UNSENDABLE: Array<[string, unknown, string]> = [
  ['X-Ctl', 'a\x01b', '/headers/X-Ctl'],
  ['X-Euro', 'price €5', '/headers/X-Euro'],
  ['X-Surrogate', 'half \ud800 pair', '/headers/X-Surrogate'],
  ['X-Emoji', '🎉', '/headers/X-Emoji'],
  ['X-Del', 'a\x7f', '/headers/X-Del'],
  ['X-Nul', 'a\0b', '/headers/X-Nul'],
  ['X-Split', 'a\r\nX-Injected: 1', '/headers/X-Split'],
  ['X-Long', 'x'.repeat(4097), '/headers/X-Long'],
  ['X-Number', 5, '/headers/X-Number'],
  ['X-Null', null, '/headers/X-Null'],
  ['X Space', 'v', '/headers/X Space'],
  ['X-Ümlaut', 'v', '/headers/X-Ümlaut'],
  ['a/b', 'v', '/headers/a~1b'],
  ['', 'v', '/headers/'],
  ['x'.repeat(101), 'v', `/headers/${'x'.repeat(101)}`],
  ['webhook-signature', 'v1,forged', '/headers/webhook-signature'],
  ['Webhook-Id', 'msg_forged', '/headers/Webhook-Id'],
  ['X-Hookd-Event', 'media.removed', '/headers/X-Hookd-Event'],
  ['Content-Type', 'text/plain', '/headers/Content-Type'],
  ['content-length', '0', '/headers/content-length'],
  ['Host', 'elsewhere.example', '/headers/Host'],
  ['Transfer-Encoding', 'chunked', '/headers/Transfer-Encoding'],
  ['Connection', 'close', '/headers/Connection'],
  ['Expect', '100-continue', '/headers/Expect'],
  ['__proto__', 'x', '/headers/__proto__'],
];

describe('webhook headers at registration', () => {
  let hookd: TestDaemon;
  let receiver: WebhookReceiver;
  before(async () => {
    hookd = await startTestDaemon({ config: CONFIG });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await hookd.close();
    await receiver.close();
  });

  test('a header HTTP cannot carry, or one hookd sets, is refused at POST and PATCH with a 422 naming it', async () => {
    const good = await hookd.call('POST', '/webhooks', { url: `${receiver.url}/h`, events: ['media.added'] });
    assert.equal(good.status, 201, good.text);
    for (const [name, value, pointer] of UNSENDABLE) {
      const headers = { 'X-Fine': 'yes', [name]: value };
      const created = await hookd.call('POST', '/webhooks', { url: `${receiver.url}/h`, events: ['media.added'], headers });
      assert.equal(created.status, 422, `${JSON.stringify(name)}: ${created.text}`);
      assert.equal(created.body.error.code, 'UNPROCESSABLE');
      assert.equal(created.body.error.details.pointer, pointer);
      const patched = await hookd.call('PATCH', `/webhooks/${good.body.id}`, { headers });
      assert.equal(patched.status, 422, `${JSON.stringify(name)}: ${patched.text}`);
      assert.equal(patched.body.error.details.pointer, pointer);
    }
    const list = await hookd.call('GET', '/webhooks');
    assert.equal(list.body.items.length, 1, 'no refused webhook was stored');
    assert.deepEqual(list.body.items[0].headers, {}, 'no refused PATCH changed the stored headers');
  });

  test('too many headers, too many bytes, a name given twice and a non-object are refused', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`x-h${i}`, 'v']));
    const heavy = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`x-h${i}`, 'v'.repeat(4000)]));
    const cases: Array<[unknown, number, string]> = [
      [many, 422, '/headers'],
      [heavy, 422, '/headers'],
      [{ 'X-Twice': 'a', 'x-twice': 'b' }, 422, '/headers/x-twice'],
      [['X-A', 'b'], 422, '/headers'],
      ['X-A: b', 422, '/headers'],
    ];
    for (const [headers, status, pointer] of cases) {
      const res = await hookd.call('POST', '/webhooks', { url: `${receiver.url}/h`, events: ['media.added'], headers });
      assert.equal(res.status, status, res.text);
      assert.equal(res.body.error.details.pointer, pointer);
    }
  });

  test('an overlong url or one with another scheme is refused with a pointer to "url"', async () => {
    for (const url of [`${receiver.url}/${'a'.repeat(2100)}`, 'ftp://example.com/', 'javascript:alert(1)', 'file:///etc/passwd']) {
      const res = await hookd.call('POST', '/webhooks', { url, events: ['media.added'] });
      assert.ok(res.status === 400 || res.status === 422, res.text);
      assert.equal(res.body.error.details.pointer, '/url', res.text);
    }
  });

  test('visible ASCII, tabs and Latin-1 values are accepted and arrive as sent', async () => {
    const headers = { Authorization: 'Bearer abc.DEF-123_~+/=', 'X-Tab': 'a\tb', 'X-Latin': 'café', "X-Odd!#$%&'*+.^_`|~": 'ok' };
    const wh = await hookd.call('POST', '/webhooks', { url: `${receiver.url}/latin`, events: ['media.updated'], headers });
    assert.equal(wh.status, 201, wh.text);
    await hookd.call('POST', '/events', { type: 'media.updated', payload: { title: 'x' } });
    const got = (await receiver.waitFor((rs) => rs.some((x) => x.path === '/latin'))).find((x) => x.path === '/latin')!;
    assert.equal(got.headers.authorization, headers.Authorization);
    assert.equal(got.headers['x-tab'], 'a\tb');
    // Node's client writes the value's UTF-8 bytes (all obs-text); Node's server reads bytes as Latin-1.
    assert.equal(Buffer.from(String(got.headers['x-latin']), 'latin1').toString('utf8'), 'café');
    assert.equal(got.headers["x-odd!#$%&'*+.^_`|~"], 'ok');
  });
});

describe('webhook rows stored before headers were checked', () => {
  const temp = makeTempDir();
  let hookd: TestDaemon;
  let receiver: WebhookReceiver;
  const BAD = { 'wh_ctl': { 'X-Bad': '\x01' }, 'wh_euro': { 'X-Bad': '€' }, 'wh_surrogate': { 'X-Bad': '\ud800' } };

  before(async () => {
    receiver = await startWebhookReceiver();
    // The first start creates the schema; the rows are then written as an older version would have.
    await (await startTestDaemon({ dir: temp.dir, config: CONFIG })).stop();
    const config = loadConfig({ file: `${temp.dir}/hookd.yaml`, env: {} });
    const db = openDatabase({ file: config.storage.file, synchronous: 'normal' });
    const now = Date.now();
    await db('webhooks').insert(
      Object.entries(BAD).map(([id, headers]) => ({
        id,
        url: `${receiver.url}/${id}`,
        events: JSON.stringify(['media.added']),
        secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
        headers: JSON.stringify(headers),
        enabled: true,
        consecutive_failures: 0,
        version: 1,
        created_at: now,
        updated_at: now,
      })),
    );
    await db.destroy();
    hookd = await startTestDaemon({ dir: temp.dir, config: CONFIG });
  });
  after(async () => {
    await hookd.close();
    await receiver.close();
    temp.remove();
  });

  test('the test ping answers a clear failure, not a 500', async () => {
    for (const id of Object.keys(BAD)) {
      const res = await hookd.call('POST', `/webhooks/${id}/test`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.statusCode, null);
      assert.match(res.body.error, /header "X-Bad" holds U\+[0-9A-F]{4}.*PATCH \/webhooks\//);
    }
    assert.equal(receiver.requests.length, 0);
    assert.equal((await hookd.call('GET', '/webhooks/wh_ctl')).body.consecutiveFailures, 0, 'a ping never counts toward disabling');
  });

  test('each delivery fails its attempts on the retry schedule and the endpoints end disabled', async () => {
    for (const title of ['one', 'two']) assert.equal((await hookd.call('POST', '/events', { type: 'media.added', payload: { title } })).status, 202);
    for (const id of Object.keys(BAD)) {
      const wh = await waitFor(async () => {
        const w = (await hookd.call('GET', `/webhooks/${id}`)).body;
        return w.enabled === false ? w : undefined;
      }, `${id} disabled`);
      assert.match(wh.disabledReason, /2 consecutive failed deliveries/);
      const { items } = (await hookd.call('GET', `/webhooks/${id}/deliveries?status=failed`)).body;
      const real = items.filter((d: { eventType: string }) => d.eventType === 'media.added');
      assert.equal(real.length, 2, JSON.stringify(items));
      for (const d of real) {
        assert.equal(d.attempts.length, 3, 'one attempt and the two retries of the schedule');
        for (const a of d.attempts) assert.match(a.error, /header "X-Bad" holds U\+/);
      }
      assert.equal((await hookd.call('GET', `/webhooks/${id}/deliveries?status=pending`)).body.items.length, 0);
    }
    assert.equal(receiver.requests.length, 0);
  });
});
