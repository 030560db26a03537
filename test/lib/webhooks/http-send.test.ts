import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { createGuardedLookup } from '../../../lib/webhooks/address-guard.ts';
import { createHttpSender, type HttpSender } from '../../../lib/webhooks/http-send.ts';
import { startWebhookReceiver, type Answer, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';

let receiver: WebhookReceiver;
let sender: HttpSender;
const CAP = 1024;

before(async () => {
  receiver = await startWebhookReceiver((r): Answer => {
    if (r.path === '/slow') return { delayMs: 5_000 };
    if (r.path === '/huge') return { body: Buffer.alloc(8 * 1024 * 1024, 'x') };
    if (r.path === '/redirect') return { status: 302, headers: { location: `${receiver.url}/elsewhere` } };
    if (r.path === '/once') return { status: 200, headers: { connection: 'close' } };
    if (r.path === '/busy') return { status: 429, headers: { 'retry-after': '7' }, body: 'later' };
    return { status: 200, body: 'ok' };
  });
  sender = createHttpSender({ allowPrivateNetworks: true, maxResponseBodyBytes: CAP });
});
after(async () => {
  sender.close();
  await receiver.close();
});

const post = (s: HttpSender, url: string, timeoutMs = 2_000) => s.send({ url, headers: { 'x-a': '1' }, body: '{"a":1}', timeoutMs });

test('a POST carries the body and headers and reports status and response', async () => {
  const r = await post(sender, `${receiver.url}/ok`);
  assert.equal(r.statusCode, 200);
  assert.equal(r.responseBody, 'ok');
  assert.equal(r.error, undefined);
  const got = receiver.requests.find((q) => q.path === '/ok')!;
  assert.equal(got.body, '{"a":1}');
  assert.equal(got.headers['x-a'], '1');
  assert.equal(got.headers['content-type'], 'application/json');
});

test('headers Node refuses to send are a failed local attempt, never a rejection', async () => {
  const before = receiver.requests.length;
  const cases: Array<Record<string, string>> = [{ 'x-a': '\x01' }, { 'x-a': '€' }, { 'x-a': '\ud800' }, { 'bad name': 'v' }, { 'x-a': undefined as unknown as string }];
  for (const headers of cases) {
    const r = await sender.send({ url: `${receiver.url}/ok`, headers, body: '{}', timeoutMs: 2_000 });
    assert.equal(r.errorKind, 'local', JSON.stringify(headers));
    assert.equal(r.statusCode, undefined);
    assert.match(r.error!, /hookd could not make the request/);
  }
  assert.equal(receiver.requests.length, before);
});

test('a receiver that does not answer in time is a timeout', async () => {
  const r = await post(sender, `${receiver.url}/slow`, 200);
  assert.equal(r.errorKind, 'timeout');
  assert.equal(r.statusCode, undefined);
  assert.match(r.error!, /no answer within 200 ms/);
});

test('an oversized response body is read only up to the cap', async () => {
  const r = await post(sender, `${receiver.url}/huge`);
  assert.equal(r.statusCode, 200);
  assert.equal(r.responseBody.length, CAP);
  assert.equal(r.error, undefined);
});

test('redirects are not followed', async () => {
  const before = receiver.requests.length;
  const r = await post(sender, `${receiver.url}/redirect`);
  assert.equal(r.statusCode, 302);
  assert.equal(receiver.requests.length, before + 1);
  assert.ok(!receiver.requests.some((q) => q.path === '/elsewhere'));
});

test('Retry-After is passed on', async () => {
  const r = await post(sender, `${receiver.url}/busy`);
  assert.equal(r.statusCode, 429);
  assert.equal(r.retryAfter, '7');
  assert.equal(r.responseBody, 'later');
});

test('a closed port is a network error', async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  const r = await post(sender, `http://127.0.0.1:${port}/`);
  assert.equal(r.errorKind, 'network');
  assert.match(r.error!, /ECONNREFUSED/);
});

test('a name resolving to a metadata address is refused before connecting', async () => {
  const lookup = createGuardedLookup({ allowPrivateNetworks: true, resolve: (_h, _o, cb) => cb(null, [{ address: '169.254.169.254', family: 4 }]) });
  const guarded = createHttpSender({ allowPrivateNetworks: true, maxResponseBodyBytes: CAP, lookup });
  try {
    const r = await post(guarded, 'http://metadata.test/latest');
    assert.equal(r.errorKind, 'refused');
    assert.match(r.error!, /link-local or cloud metadata/);
  } finally {
    guarded.close();
  }
});

test('each new connection resolves again: an answer that turns to a refused address after a first send is refused', async () => {
  // DNS as a rebinding attacker plays it: loopback (allowed here) first, the metadata address next.
  const answers = new Map([['rebind.test', ['127.0.0.1', '169.254.169.254']], ['other.test', ['169.254.169.254']]]);
  const asked: string[] = [];
  const lookup = createGuardedLookup({
    allowPrivateNetworks: true,
    resolve: (host, _o, cb) => {
      asked.push(host);
      const list = answers.get(host)!;
      cb(null, [{ address: list.length > 1 ? list.shift()! : list[0]!, family: 4 }]);
    },
  });
  const guarded = createHttpSender({ allowPrivateNetworks: true, maxResponseBodyBytes: CAP, lookup });
  try {
    const port = new URL(receiver.url).port;
    const before = receiver.requests.length;
    assert.equal((await post(guarded, `http://rebind.test:${port}/ok`)).statusCode, 200);
    // A kept-alive socket to 127.0.0.1 exists now; another name is judged on its own answer.
    const other = await post(guarded, `http://other.test:${port}/ok`);
    assert.equal(other.errorKind, 'refused');
    // The receiver closes this one, so the next send to the same name connects (and resolves) anew.
    assert.equal((await post(guarded, `http://rebind.test:${port}/once`)).statusCode, 200);
    const rebound = await post(guarded, `http://rebind.test:${port}/ok`);
    assert.equal(rebound.errorKind, 'refused', 'the second answer is judged, not the first one trusted');
    assert.match(rebound.error!, /169\.254\.169\.254/);
    assert.deepEqual(asked, ['rebind.test', 'other.test', 'rebind.test']);
    assert.equal(receiver.requests.length, before + 2);
  } finally {
    guarded.close();
  }
});

test('with private networks locked out, loopback is refused by literal and by name', async () => {
  const locked = createHttpSender({ allowPrivateNetworks: false, maxResponseBodyBytes: CAP });
  try {
    const before = receiver.requests.length;
    const port = new URL(receiver.url).port;
    for (const url of [`http://127.0.0.1:${port}/ok`, `http://localhost:${port}/ok`]) {
      const r = await post(locked, url);
      assert.equal(r.errorKind, 'refused', url);
    }
    assert.equal(receiver.requests.length, before);
  } finally {
    locked.close();
  }
});

test('an aborted send reports itself as aborted, not as an attempt', async () => {
  const controller = new AbortController();
  const pending = sender.send({ url: `${receiver.url}/slow`, headers: {}, body: '{}', timeoutMs: 5_000, signal: controller.signal });
  await receiver.waitFor((rs) => rs.filter((q) => q.path === '/slow').length >= 2);
  controller.abort();
  const r = await pending;
  assert.equal(r.aborted, true);
});
