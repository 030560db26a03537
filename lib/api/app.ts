// The Koa application: request ids and logging, the error mapping, /healthz without auth,
// then authentication and every resource router. Builds, never listens (daemon.ts does).
import type Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../log.ts';
import { createErrorMiddleware } from './error-middleware.ts';
import { createRequestLog } from './request-log.ts';

export interface AppDeps {
  log: Logger;
  authenticate: Koa.Middleware;
  routers: Router[];
  /** Answers /healthz; false while shutting down. */
  isHealthy: () => boolean;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by the error middleware, with the request id
  app.use(createRequestLog({ log: deps.log }));
  app.use(createErrorMiddleware({ log: deps.log }));
  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz' && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      const healthy = deps.isHealthy();
      ctx.status = healthy ? 200 : 503;
      ctx.body = { status: healthy ? 'ok' : 'stopping' };
      return;
    }
    await next();
  });
  app.use(deps.authenticate);
  for (const router of deps.routers) app.use(router.routes());
  return app;
}
