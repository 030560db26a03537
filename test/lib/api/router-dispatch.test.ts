// The app's router dispatch: only routers with a route for the request are entered, in their
// order and stages, and the answers are koa-router's own (parameters, case, trailing slash,
// a route that passes the request on, a path no route takes).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { createRouterDispatch } from '../../../lib/api/router-dispatch.ts';

async function serve(stages: Router[][]) {
  const app = new Koa();
  const [before, after] = createRouterDispatch(stages);
  app.use(before!);
  app.use(async (ctx, next) => {
    ctx.state.between = true; // stands for authentication
    await next();
  });
  app.use(after!);
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = 'no route';
  });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: async (path: string, method = 'GET') => {
      const res = await fetch(`${url}${path}`, { method });
      return { status: res.status, text: await res.text() };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('each request reaches the router that has its route, in its stage, as koa-router answers it', async (t) => {
  const entered: string[] = [];
  const open = new Router();
  open.get('/healthz', (ctx) => void (entered.push('open'), (ctx.body = `open ${ctx.state.between === true}`)));
  const first = new Router();
  first.post('/events', (ctx) => void (entered.push('first'), (ctx.body = `first ${ctx.state.between === true}`)));
  first.get('/events/:id', (ctx) => void (entered.push('first'), (ctx.body = `event ${ctx.params.id}`)));
  // Passes the request on: the next router that has a route for it answers.
  first.get('/shared', async (_ctx, next) => void (entered.push('first'), await next()));
  const second = new Router();
  second.get('/shared', (ctx) => void (entered.push('second'), (ctx.body = 'second')));
  second.get('/hooks', (ctx) => void (entered.push('second'), (ctx.body = 'hooks')));
  const app = await serve([[open], [first, second]]);
  t.after(app.close);

  // Twice each: the second answer comes from the remembered table, and must be the same.
  for (let round = 0; round < 2; round++) {
    entered.length = 0;
    assert.deepEqual(await app.get('/healthz'), { status: 200, text: 'open false' });
    assert.deepEqual(await app.get('/events', 'POST'), { status: 200, text: 'first true' });
    assert.deepEqual(await app.get('/EVENTS/', 'POST'), { status: 200, text: 'first true' });
    assert.deepEqual(await app.get(`/events/e-${round}`), { status: 200, text: `event e-${round}` });
    assert.deepEqual(await app.get('/shared'), { status: 200, text: 'second' });
    assert.deepEqual(await app.get('/hooks'), { status: 200, text: 'hooks' });
    assert.deepEqual(entered, ['open', 'first', 'first', 'first', 'first', 'second', 'second']);
    entered.length = 0;
    assert.deepEqual(await app.get('/events', 'DELETE'), { status: 404, text: 'no route' });
    assert.deepEqual(await app.get(`/nowhere-${round}`), { status: 404, text: 'no route' });
    assert.deepEqual(entered, []);
  }
});

test('a remembered fixed route sees on ctx what koa-router sets when it dispatches itself', async (t) => {
  function build(seen: unknown[]) {
    const router = new Router();
    const snapshot = (ctx: Koa.Context) => ({
      matched: (ctx.matched as Array<{ path: unknown }>).map((layer) => layer.path),
      router: ctx.router === router,
      routeMatched: ctx.routeMatched,
      matchedRoute: ctx._matchedRoute,
      matchedRouteName: ctx._matchedRouteName,
      routerPath: ctx.routerPath,
      routerName: ctx.routerName,
      params: { ...ctx.params },
      captures: ctx.captures,
    });
    router.use(async (ctx, next) => void (seen.push(['use', snapshot(ctx)]), await next()));
    router.post('submit', '/events', (ctx) => void (seen.push(['route', snapshot(ctx)]), (ctx.body = 'ok')));
    router.get('/events', (ctx) => void (ctx.body = 'list'));
    return router;
  }
  const own: unknown[] = [];
  const ownApp = new Koa().use(build(own).routes());
  const ownServer = createServer(ownApp.callback()).listen(0, '127.0.0.1');
  await once(ownServer, 'listening');
  t.after(() => new Promise<void>((resolve) => ownServer.close(() => resolve())));
  await fetch(`http://127.0.0.1:${(ownServer.address() as AddressInfo).port}/events`, { method: 'POST' });

  const viaDispatch: unknown[] = [];
  const app = await serve([[], [build(viaDispatch)]]);
  t.after(app.close);
  for (let round = 0; round < 2; round++) {
    viaDispatch.length = 0;
    assert.deepEqual(await app.get('/events', 'POST'), { status: 200, text: 'ok' });
    assert.deepEqual(viaDispatch, own);
  }
  assert.equal((own[1] as [string, { matchedRouteName: string }])[1].matchedRouteName, 'submit');
});
