// The Koa application: request ids and logging, the error mapping, the routers that decide
// about tokens themselves (/healthz, /readyz, /openapi.json, /metrics), then authentication
// and every resource router (entered only when one of its routes matches: router-dispatch.ts).
// Builds, never listens (the composition root does: lib/daemon/http-listen.ts).
import type Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../log.ts';
import { createErrorMiddleware } from './error-middleware.ts';
import { createRequestLog } from './request-log.ts';
import { createRouterDispatch } from './router-dispatch.ts';

export interface AppDeps {
  log: Logger;
  authenticate: Koa.Middleware;
  /** Mounted before authentication: each route decides for itself whether it needs a token. */
  publicRouters: Router[];
  routers: Router[];
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by the error middleware, with the request id
  app.use(createRequestLog({ log: deps.log }));
  app.use(createErrorMiddleware({ log: deps.log }));
  const [publicRoutes, routes] = createRouterDispatch([deps.publicRouters, deps.routers]);
  app.use(publicRoutes!);
  app.use(deps.authenticate);
  app.use(routes!);
  return app;
}
