// SIGHUP to `hookd serve` as a supervisor, logrotate or `systemctl reload` sends it: the daemon
// keeps running and reloads its config file; log.level and the API tokens change at once (on
// open keep-alive connections too), other changes wait for a restart, an invalid file changes nothing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from '../helpers/http.ts';
import { ADMIN_TOKEN, CLI, EVENTS_TOKEN, SERVE_NODE_FLAGS, spawnDaemon, spawnListening, writeTestConfig, type ChildDaemon } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { openStream } from '../lib/progress/sse-reader.ts';

const ADDED_TOKEN = 'test-added-token-0123456789';
const SECRET_VALUE = 'reload-secret-value-0123456789';

interface Hookd extends ChildDaemon {
  configFile: string;
  /** The log lines (JSON) so far. */
  lines(): Array<Record<string, any>>;
  /** Sends SIGHUP and waits for the nth reload to end with its 'configuration reloaded' or error line. */
  reload(): Promise<Record<string, any>>;
  rewrite(extra: Record<string, unknown>): void;
}

async function startHookd(t: { after: (fn: () => Promise<void>) => void }, extra: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<Hookd> {
  const temp = makeTempDir();
  const configFile = writeTestConfig(temp.dir, extra);
  const child = await spawnDaemon(configFile, env);
  t.after(async () => {
    child.child.kill('SIGKILL');
    await child.exited;
    temp.remove();
  });
  const lines = () =>
    child
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
  const ends = () => lines().filter((l) => l.msg === 'configuration reloaded' || String(l.msg).startsWith('configuration not reloaded'));
  return {
    ...child,
    configFile,
    lines,
    async reload() {
      const before = ends().length;
      child.child.kill('SIGHUP');
      return waitFor(async () => ends()[before], 'the reload to end');
    },
    rewrite: (more) => writeTestConfig(temp.dir, more),
  };
}

/** One request on `agent`; reused: whether it went over a connection opened before. */
function get(url: string, path: string, token: string, agent: Agent): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, url), { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('SIGHUP does not stop the daemon: same process, still answering, the reload logged', async (t) => {
  const hookd = await startHookd(t);
  const ended = await hookd.reload();
  assert.equal(ended.msg, 'configuration reloaded');
  assert.equal(ended.pid, hookd.child.pid);
  assert.deepEqual(ended.applied, []);
  assert.equal(hookd.child.exitCode, null);
  assert.equal((await fetch(new URL('/healthz', hookd.url))).status, 200);
});

test('a reload applies added, removed and re-scoped tokens at once, also on an open keep-alive connection', async (t) => {
  const hookd = await startHookd(t);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  assert.equal((await get(hookd.url, '/hooks', ADMIN_TOKEN, agent)).status, 200);
  assert.equal((await get(hookd.url, '/hooks', ADMIN_TOKEN, agent)).status, 200, 'remembered on this connection');
  assert.equal((await get(hookd.url, '/hooks', EVENTS_TOKEN, agent)).status, 403);
  const signedIn = await request(hookd.url, 'POST', '/session', { token: ADMIN_TOKEN });
  const cookie = /^hookd_session=[^;]+/.exec(signedIn.headers.get('set-cookie') ?? '')![0];
  assert.equal((await request(hookd.url, 'GET', '/hooks', undefined, { headers: { cookie } })).status, 200);

  hookd.rewrite({
    auth: {
      tokens: [
        { name: 'test-producer', token: EVENTS_TOKEN, scopes: ['admin'] },
        { name: 'added', token: ADDED_TOKEN, scopes: ['events'] },
      ],
    },
  });
  const ended = await hookd.reload();
  assert.deepEqual(ended.applied, ['auth.tokens']);

  const revoked = await get(hookd.url, '/hooks', ADMIN_TOKEN, agent);
  assert.deepEqual(revoked, { status: 401, reused: true }, 'the removed token on the connection that used it');
  assert.equal((await request(hookd.url, 'GET', '/hooks', undefined, { headers: { cookie } })).status, 401, 'a session made with it');
  assert.equal((await get(hookd.url, '/hooks', EVENTS_TOKEN, agent)).status, 200, 'its scopes changed');
  assert.equal((await get(hookd.url, '/catalog', ADDED_TOKEN, agent)).status, 200, 'the added token');
  assert.doesNotMatch(hookd.output(), new RegExp(ADDED_TOKEN));
});

test('a reload ends, cleanly, the streams its tokens no longer allow (removed, re-scoped, a session or ?access_token= made with one); a stream on a kept token stays open', { timeout: 60_000 }, async (t) => {
  const RESCOPED_TOKEN = 'test-rescoped-token-0123456789';
  const admin = { name: 'test-admin', token: ADMIN_TOKEN, scopes: ['admin'] };
  const producer = { name: 'test-producer', token: EVENTS_TOKEN, scopes: ['events'] };
  const hookd = await startHookd(t, {
    auth: { tokens: [admin, producer, { name: 'removed', token: ADDED_TOKEN, scopes: ['events'] }, { name: 'rescoped', token: RESCOPED_TOKEN, scopes: ['events'] }] },
    stream: { queryToken: true },
  });
  const signedIn = await request(hookd.url, 'POST', '/session', { token: ADDED_TOKEN });
  const cookie = /^hookd_session=[^;]+/.exec(signedIn.headers.get('set-cookie') ?? '')![0];
  const streams = {
    removed: await openStream(hookd.url, '/stream', { token: ADDED_TOKEN }),
    rescoped: await openStream(hookd.url, '/stream', { token: RESCOPED_TOKEN }),
    session: await openStream(hookd.url, '/stream', { token: null, headers: { cookie } }),
    query: await openStream(hookd.url, `/stream?access_token=${ADDED_TOKEN}`, { token: null }),
    kept: await openStream(hookd.url, '/stream', { token: EVENTS_TOKEN }),
  };
  t.after(() => Object.values(streams).forEach((s) => s.close()));
  for (const [name, s] of Object.entries(streams)) assert.equal(s.status, 200, name);

  hookd.rewrite({ auth: { tokens: [admin, producer, { name: 'rescoped', token: RESCOPED_TOKEN, scopes: ['metrics'] }] }, stream: { queryToken: true } });
  assert.deepEqual((await hookd.reload()).applied, ['auth.tokens']);
  for (const name of ['removed', 'rescoped', 'session', 'query'] as const) assert.equal(await streams[name].ended, true, `${name}: ended cleanly`);

  const posted = await request(hookd.url, 'POST', '/events', { type: 'media.added', payload: { title: 'after the reload' } }, { token: EVENTS_TOKEN });
  assert.equal(posted.status, 202);
  const seen = await streams.kept.waitFor((e) => e.json?.id === posted.body.id);
  assert.equal(seen.json.payload.title, 'after the reload', 'the kept token\'s stream is still live');
});

test('an invalid config file is one error line naming what is wrong, and the daemon keeps its configuration', async (t) => {
  const hookd = await startHookd(t);
  writeFileSync(hookd.configFile, 'auth: [\n');
  const syntax = await hookd.reload();
  assert.equal(syntax.level, 50);
  assert.match(syntax.msg, /^configuration not reloaded, still running on the previous one: .*hookd\.yaml:\d+:\d+: YAML syntax error/);

  hookd.rewrite({ log: { level: 'loud' }, auth: { tokens: [] } });
  const schema = await hookd.reload();
  assert.match(schema.msg, /^configuration not reloaded, still running on the previous one: invalid configuration:\n {2}log\.level: /);

  const agent = new Agent();
  t.after(() => agent.destroy());
  assert.equal((await get(hookd.url, '/hooks', ADMIN_TOKEN, agent)).status, 200, 'the tokens it started with');
  assert.equal(hookd.lines().filter((l) => l.level >= 50).length, 2, 'one line each');
  assert.equal(hookd.child.exitCode, null);
});

test('settings that need a restart are named in one warning, a secret by its name only', async (t) => {
  const hookd = await startHookd(t, { secrets: { API_KEY: 'before-0123456789' } });
  hookd.rewrite({ server: { port: 1 }, secrets: { API_KEY: SECRET_VALUE }, hooks: { watch: false } });
  const ended = await hookd.reload();
  assert.equal(ended.msg, 'configuration reloaded');
  const warned = hookd.lines().filter((l) => l.level === 40 && /takes effect at the next restart/.test(l.msg));
  assert.equal(warned.length, 1);
  assert.deepEqual([...warned[0]!.settings].sort(), ['hooks.watch', 'secrets.API_KEY', 'server.port']);
  assert.doesNotMatch(hookd.output(), new RegExp(SECRET_VALUE));
  assert.equal((await fetch(new URL('/healthz', hookd.url))).status, 200, 'still on its port');
});

test('a reload to log.level debug makes debug lines appear', async (t) => {
  const hookd = await startHookd(t, { log: { level: 'info' } });
  const agent = new Agent();
  t.after(() => agent.destroy());
  await get(hookd.url, '/catalog', ADMIN_TOKEN, agent); // at info: no request line
  hookd.rewrite({ log: { level: 'debug' } });
  assert.deepEqual((await hookd.reload()).applied, ['log.level']);
  await get(hookd.url, '/hooks', ADMIN_TOKEN, agent);
  await waitFor(async () => hookd.lines().some((l) => l.msg === 'request' && l.path === '/hooks'), 'a debug request line');
  // Lines arrive in order: the one for /catalog would have come before the reload's.
  assert.equal(hookd.lines().filter((l) => l.msg === 'request' && l.path === '/catalog').length, 0);
});

test('a reload re-syncs the hooks directory once', async (t) => {
  const hookd = await startHookd(t, { hooks: { watch: false } });
  const hooksDir = join(hookd.configFile, '..', 'hooks');
  writeFileSync(join(hooksDir, 'added.js'), 'export const config = { events: ["media.*"] };\nexport default async function () {}\n');
  const ended = await hookd.reload();
  assert.deepEqual(ended.hooksDir, { added: 1, updated: 0, removed: 0, failed: 0 });
});

test('a SIGHUP during the start is applied once the daemon has started', async (t) => {
  const temp = makeTempDir();
  const configFile = writeTestConfig(temp.dir, { log: { level: 'info' } });
  // The line logged once serve has its handlers, while the daemon is still starting.
  const hookd = await spawnListening([process.execPath, ...SERVE_NODE_FLAGS, CLI, 'serve', '--config', configFile], {
    env: { HOOKD_TOKEN: 'test-env-token-0123456789' },
    onSpawn: (child) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d;
        if (!out.includes('credentials erased')) return;
        child.stdout!.off('data', onData);
        writeTestConfig(temp.dir, { log: { level: 'debug' } });
        child.kill('SIGHUP');
      };
      child.stdout!.on('data', onData);
    },
  });
  t.after(async () => {
    hookd.child.kill('SIGKILL');
    await hookd.exited;
    temp.remove();
  });
  await waitFor(async () => hookd.output().includes('"msg":"configuration reloaded"'), 'the reload');
  assert.match(hookd.output(), /"applied":\["log.level"\]/);
  assert.equal(hookd.child.exitCode, null);
});

test('a token a reload adds is at once one of the daemon\'s credentials: redacted from the log, never granted to a hook', async (t) => {
  // The new token's value is also in the daemon's environment, as a deployment might hold it.
  const hookd = await startHookd(t, {}, { LATER_TOKEN: ADDED_TOKEN });
  const hook = (name: string) => ({ name, events: ['media.added'], mode: 'action', source: 'export default () => {};', env: ['LATER_TOKEN'] });
  assert.equal((await request(hookd.url, 'POST', '/hooks', hook('before'), { token: ADMIN_TOKEN })).status, 201, 'not a credential yet');

  hookd.rewrite({ auth: { tokens: [{ name: 'test-admin', token: ADMIN_TOKEN, scopes: ['admin'] }, { name: 'added', token: ADDED_TOKEN, scopes: ['events'] }] } });
  assert.deepEqual((await hookd.reload()).applied, ['auth.tokens']);

  const refused = await request(hookd.url, 'POST', '/hooks', hook('after'), { token: ADMIN_TOKEN });
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.match(JSON.stringify(refused.body), /one of hookd's own credentials/);
  // A request line (debug) whose path holds the token.
  assert.equal((await request(hookd.url, 'GET', `/nothing-${ADDED_TOKEN}`, undefined, { token: ADMIN_TOKEN })).status, 404);
  const line = await waitFor(async () => hookd.lines().find((l) => l.msg === 'request' && String(l.path).startsWith('/nothing-')), 'the request line');
  assert.equal(line.path, '/nothing-[redacted]');
  assert.ok(!hookd.output().includes(ADDED_TOKEN), 'the token appears nowhere in the output');
});
