// Authentication: Bearer tokens from config, the CLI and the generated admin token file.
import assert from 'node:assert/strict';
import { statSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from '../helpers/http.ts';
import { runCli } from '../helpers/cli.ts';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

describe('with configured tokens', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon();
  });
  after(() => d.close());

  test('GET /healthz needs no token', async () => {
    const r = await d.call('GET', '/healthz', undefined, { token: null });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
  });

  const unauthorized: Array<[string, Record<string, string>, RegExp]> = [
    ['no Authorization header', {}, /missing Authorization/],
    ['a wrong token', { authorization: 'Bearer not-a-real-token-at-all' }, /invalid token/],
    ['a non-Bearer scheme', { authorization: 'Basic dXNlcjpwYXNz' }, /must be "Bearer <token>"/],
  ];
  for (const [name, headers, message] of unauthorized) {
    test(`${name} gets 401`, async () => {
      const r = await d.call('GET', '/events', undefined, { token: null, headers });
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 'UNAUTHORIZED');
      assert.match(r.body.error.message, message);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="hookd"');
    });
  }

  test('an events-scoped token may post and read events', async () => {
    const r = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'x' } }, { token: EVENTS_TOKEN });
    assert.equal(r.status, 202);
    assert.equal((await d.call('GET', `/events/${r.body.id}`, undefined, { token: EVENTS_TOKEN })).status, 200);
  });

  test('a token made by `hookd token create` works at once, and only its digest is stored', async () => {
    const made = await runCli(['token', 'create', '--name', 'sonarr', '--scope', 'events', '--config', d.configFile]);
    assert.equal(made.status, 0, made.stderr);
    const token = made.stdout.trim();
    assert.match(token, /^hkd_[\w-]{40,}$/);
    const r = await request(d.url, 'GET', '/events', undefined, { token });
    assert.equal(r.status, 200);
    const db = readFileSync(join(d.dataDir, 'hookd.sqlite')).toString('latin1') + readFileSync(join(d.dataDir, 'hookd.sqlite-wal')).toString('latin1');
    assert.ok(!db.includes(token), 'the token itself is not in the database');
    const dup = await runCli(['token', 'create', '--name', 'sonarr', '--config', d.configFile]);
    assert.equal(dup.status, 2);
    assert.match(dup.stderr, /exists already/);
  });
});

describe('with no token configured', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon({ config: { auth: { tokens: [] } } });
  });
  after(() => d.close());

  test('the first start writes an admin token to a 0600 file and logs the path, never the token', async () => {
    const file = join(d.dataDir, 'admin.token');
    assert.ok(existsSync(file));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const token = readFileSync(file, 'utf8').trim();
    const r = await request(d.url, 'GET', '/events', undefined, { token });
    assert.equal(r.status, 200);
    assert.ok(d.logs.text().includes(file), 'the path is logged');
    assert.ok(!d.logs.text().includes(token), 'the token is not logged');
  });

  test('the configured test tokens do not exist here', async () => {
    const r = await request(d.url, 'GET', '/events', undefined, { token: EVENTS_TOKEN });
    assert.equal(r.status, 401);
  });
});
