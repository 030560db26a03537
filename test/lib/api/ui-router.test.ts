// The dashboard's static files (lib/api/ui-router.ts) in the daemon's own Koa app: content
// types, cache headers, the security headers, the index.html fallback for client routes and
// no way out of the build directory.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../../lib/api/app.ts';
import { createUiRouter, UI_CSP } from '../../../lib/api/ui-router.ts';
import { createLogger } from '../../../lib/log.ts';
import { createLogSink } from '../../helpers/log-sink.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

describe('GET /ui/', () => {
  const temp = makeTempDir();
  let server: Server;
  let url: string;
  const get = (path: string, init?: RequestInit) => fetch(url + path, { redirect: 'manual', ...init });

  before(async () => {
    temp.write('ui/index.html', '<!doctype html><title>hookd</title>');
    temp.write('ui/assets/index-AbC123.js', 'console.log(1)');
    temp.write('ui/assets/index-AbC123.css', 'body{}');
    temp.write('ui/robots.txt', 'User-agent: *');
    temp.write('secret.txt', 'not for the web');
    symlinkSync(temp.write('outside/leak.js', 'leak'), `${temp.dir}/ui/assets/leak.js`);
    const log = createLogger({ level: 'silent', pretty: false, destination: createLogSink().stream });
    const app = createApp({
      log,
      authenticate: async (ctx) => {
        ctx.status = 401;
        ctx.body = { error: { code: 'UNAUTHORIZED', message: 'authentication reached' } };
      },
      publicRouters: [createUiRouter({ dir: `${temp.dir}/ui` })],
      routers: [],
    });
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.remove();
  });

  test('/ui redirects to /ui/, which is index.html, never cached, with the strict headers', async () => {
    const r = await get('/ui');
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/ui/');
    const page = await get('/ui/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.equal(page.headers.get('content-security-policy'), UI_CSP);
    assert.match(UI_CSP, /default-src 'self'/);
    assert.match(UI_CSP, /frame-ancestors 'none'/);
    assert.doesNotMatch(UI_CSP, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(await page.text(), /<title>hookd<\/title>/);
  });

  test('hashed assets have their content type and are cached for good; other files are revalidated', async () => {
    const js = await get('/ui/assets/index-AbC123.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await js.text(), 'console.log(1)');
    const css = await get('/ui/assets/index-AbC123.css');
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const txt = await get('/ui/robots.txt');
    assert.equal(txt.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(txt.headers.get('cache-control'), 'no-cache');
  });

  test('a client route is index.html; a missing asset is a 404, not the page', async () => {
    for (const path of ['/ui/events', '/ui/events/evt_123', '/ui/hooks/new']) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.match(await r.text(), /<title>hookd<\/title>/, path);
    }
    for (const path of ['/ui/assets/gone-123.js', '/ui/favicon.ico']) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'NOT_FOUND', path);
    }
  });

  test('no path leads out of the build directory', async () => {
    for (const path of ['/ui/../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/ui/..%5csecret.txt', '/ui/assets/leak.js', '/ui/%00']) {
      const r = await get(path);
      const text = await r.text();
      assert.doesNotMatch(text, /not for the web/, path);
      assert.notEqual(text, 'leak', path);
      // fetch itself folds a literal "/ui/../x" into "/x", which then reaches authentication.
      assert.ok(r.status === 404 || r.status === 401 || /<title>hookd/.test(text), `${path}: ${r.status}`);
    }
  });

  test('other paths are not its business', async () => {
    const r = await get('/uix');
    assert.equal(r.status, 401);
  });
});
