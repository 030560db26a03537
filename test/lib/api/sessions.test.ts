// Session expiry by lifetime and by idleness, on a clock the test moves: the session router in
// the daemon's Koa app with the real authenticator and a migrated SQLite database.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../../lib/api/app.ts';
import { createAuthenticator } from '../../../lib/api/auth.ts';
import { createSessionRouter } from '../../../lib/api/session-router.ts';
import { createSessions, type SessionsConfig } from '../../../lib/api/sessions.ts';
import { createSessionsStore } from '../../../lib/db/sessions-store.ts';
import { createTokensStore } from '../../../lib/db/tokens-store.ts';
import { request } from '../../helpers/http.ts';
import { createLogSink } from '../../helpers/log-sink.ts';
import { openTestDb, type TestDb } from '../../helpers/unit-parts.ts';
import { createLogger } from '../../../lib/log.ts';

const TOKEN = 'unit-session-token-0123456789';

describe('session expiry', () => {
  let t: TestDb;
  let server: Server;
  let url: string;
  let clock = 1_000_000;
  const config: SessionsConfig = { ttlMs: 10_000, idleTimeoutMs: 1_000, secureCookie: 'auto' };
  let sessions: ReturnType<typeof createSessions>;

  before(async () => {
    t = await openTestDb();
    const auth = createAuthenticator({ tokens: [{ name: 'unit', token: TOKEN, scopes: ['events'] }], store: createTokensStore(t.db) });
    sessions = createSessions({ store: createSessionsStore(t.db), findByDigest: auth.findByDigest, config, now: () => clock });
    const log = createLogger({ level: 'silent', pretty: false, destination: createLogSink().stream });
    const app = createApp({ log, authenticate: sessions.authenticate(auth.authenticate), publicRouters: [createSessionRouter({ sessions, settings: { replayMaxEvents: 200 }, bodyLimit: 1 << 16, maxDepth: 32 })], routers: [] });
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  async function signIn(): Promise<string> {
    const r = await request(url, 'POST', '/session', { token: TOKEN });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.expiresAt, new Date(clock + config.ttlMs).toISOString());
    return /^(hookd_session=[^;]+)/.exec(r.headers.get('set-cookie')!)![1]!;
  }
  const whoAmI = (cookie: string) => request(url, 'GET', '/session', undefined, { headers: { cookie } });

  test('a session in use lives until its lifetime ends, then is 401 and gone', async () => {
    const cookie = await signIn();
    const start = clock;
    for (let at = start + 900; at < start + config.ttlMs; at += 900) {
      clock = at;
      assert.equal((await whoAmI(cookie)).status, 200, `alive at +${at - start} ms`);
    }
    clock = start + config.ttlMs;
    const r = await whoAmI(cookie);
    assert.equal(r.status, 401);
    assert.match(r.body.error.message, /session expired/);
    clock = start;
    assert.match((await whoAmI(cookie)).body.error.message, /not found/, 'the ended session was removed');
  });

  test('a session unused for the idle timeout ends', async () => {
    const cookie = await signIn();
    clock += config.idleTimeoutMs - 1;
    assert.equal((await whoAmI(cookie)).status, 200);
    clock += config.idleTimeoutMs;
    const r = await whoAmI(cookie);
    assert.equal(r.status, 401);
    assert.match(r.body.error.message, /idle/);
  });

  test('pruning removes expired sessions only', async () => {
    const old = await signIn();
    clock += config.ttlMs / 2;
    const fresh = await signIn();
    assert.equal(await sessions.pruneExpired(clock + config.ttlMs / 2), 1);
    clock += 1;
    assert.match((await whoAmI(old)).body.error.message, /not found/);
    assert.equal((await whoAmI(fresh)).status, 200);
  });
});
