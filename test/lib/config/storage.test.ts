// The storage keys: sqlite by default; postgres needs a postgres:// URL, which HOOKD_DATABASE_URL
// sets; a URL is refused with sqlite; the URL's password never appears in an error or a log line.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../../lib/config/index.ts';
import { describeStorage } from '../../../lib/db/connect.ts';
import { isHookdError } from '../../../lib/errors.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
const SECRET = 's3cr3t-pw';

function yaml(text: string): string {
  const file = join(temp.dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isHookdError(e) && e.code === 'CONFIG', String(e));
    const text = `${e.message} ${JSON.stringify(e.details)}`;
    assert.ok(!text.includes(SECRET), `the password is not echoed: ${text}`);
    return e.message;
  }
  assert.fail('expected a config error');
}

test('storage defaults to sqlite with a pool of 10 and a 30 s statement timeout for postgres', () => {
  const c = loadConfig({ env: {} });
  assert.deepEqual([c.storage.client, c.storage.url, c.storage.pool, c.storage.statementTimeoutMs], ['sqlite', undefined, 10, 30_000]);
});

test('postgres takes its URL from the file or from HOOKD_DATABASE_URL, which wins', () => {
  const file = yaml('storage:\n  client: postgres\n  url: postgres://a@db1/x\n  pool: 4\n  statementTimeout: 5s\n');
  const c = loadConfig({ file, env: {} });
  assert.deepEqual([c.storage.client, c.storage.url, c.storage.pool, c.storage.statementTimeoutMs], ['postgres', 'postgres://a@db1/x', 4, 5000]);
  assert.equal(loadConfig({ file, env: { HOOKD_DATABASE_URL: 'postgresql://b@db2/y' } }).storage.url, 'postgresql://b@db2/y');
});

test('leases default to 30 s and a random instance id per start; storage.instance names this daemon in its leases', () => {
  const d = loadConfig({ env: {} });
  assert.deepEqual([d.storage.leaseTtlMs, d.storage.instance], [30_000, null]);
  const c = loadConfig({ file: yaml('storage:\n  instance: node-1\n  leaseTtl: 5s\n'), env: {} });
  assert.deepEqual([c.storage.leaseTtlMs, c.storage.instance], [5000, 'node-1']);
});

const refused: Array<[string, string, Record<string, string>, RegExp]> = [
  ['postgres without a URL', 'storage:\n  client: postgres\n', {}, /storage\.url: is required when storage\.client is postgres/],
  ['a URL that is not one', 'storage:\n  client: postgres\n', { HOOKD_DATABASE_URL: `not a url ${SECRET}` }, /storage\.url: is not a URL/],
  ['a URL of another scheme', 'storage:\n  client: postgres\n', { HOOKD_DATABASE_URL: `mysql://u:${SECRET}@h/d` }, /must start with postgres:\/\/ or postgresql:\/\/, not mysql:/],
  ['a URL with sqlite', 'storage:\n  client: sqlite\n', { HOOKD_DATABASE_URL: `postgres://u:${SECRET}@h/d` }, /storage\.url: is set .* but storage\.client is sqlite/],
  ['an unknown client', 'storage:\n  client: mysql\n', {}, /storage\.client/],
  ['a pool of 0', 'storage:\n  pool: 0\n', {}, /storage\.pool/],
  ['a pool of 1 with postgres (its one connection would be held by LISTEN)', 'storage:\n  client: postgres\n  url: postgres://a@db1/x\n  pool: 1\n', {}, /storage\.pool: must be at least 2 with postgres, not 1/],
  ['a lease under a second', 'storage:\n  leaseTtl: 500ms\n', {}, /storage\.leaseTtl: must be at least 1s/],
  ['an instance name with a space', 'storage:\n  instance: node 1\n', {}, /storage\.instance/],
];
for (const [name, text, env, pattern] of refused) {
  test(`refused: ${name}, naming the key and never the password`, () => {
    assert.match(configError(() => loadConfig({ file: yaml(text), env })), pattern);
  });
}

test('logs show where the data lives without the password', () => {
  assert.equal(describeStorage({ client: 'postgres', url: `postgres://hookd:${SECRET}@db:5432/hookd?options=-c%20x%3D${SECRET}`, file: '' }), 'postgres://hookd:***@db:5432/hookd');
  assert.equal(describeStorage({ client: 'postgres', url: `::${SECRET}`, file: '' }), 'postgres (URL not shown)');
  assert.equal(describeStorage({ client: 'sqlite', file: '/var/lib/hookd/hookd.sqlite' }), '/var/lib/hookd/hookd.sqlite');
});

test("a setting only the other storage client reads is a notice with its file and line, not an error; defaults and the embedded file make none", () => {
  assert.deepEqual(loadConfig({ env: {} }).notices, [], 'defaults only');
  assert.deepEqual(loadConfig({ file: yaml('storage:\n  instance: node-1\n'), env: {} }).notices, [], 'storage.instance also labels a lone SQLite daemon\'s metrics');
  const sqlite = yaml('dataDir: /tmp/x\nstorage:\n  statementTimeout: 5s\n  synchronous: normal\nwebhooks:\n  safetyPoll: 10s\n  pollInterval: 2s\n');
  const onSqlite = loadConfig({ file: sqlite, env: {} }).notices!;
  assert.deepEqual(onSqlite.map((n) => [n.key, n.file, n.line]), [
    ['storage.statementTimeout', sqlite, 3],
    ['webhooks.safetyPoll', sqlite, 6],
  ]);
  assert.match(onSqlite[0]!.message, /^has no effect with storage\.client sqlite: only postgres reads it$/);
  const pg = yaml('storage:\n  client: postgres\n  synchronous: normal\nwebhooks:\n  pollInterval: 2s\n');
  const notices = loadConfig({ file: pg, env: { HOOKD_DATABASE_URL: `postgres://u:${SECRET}@h/d` } }).notices!;
  assert.deepEqual(notices.map((n) => [n.key, n.line]), [['storage.synchronous', 3], ['webhooks.pollInterval', 5]]);
  assert.match(notices[1]!.message, /only sqlite reads it; on PostgreSQL senders are woken by notifications, and webhooks\.safetyPoll bounds/);
  assert.ok(!JSON.stringify(notices).includes(SECRET));
});
