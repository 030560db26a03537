// The Koa application: request ids and logging, the error mapping, the routes answered without
// a token (/healthz, /openapi.json), then authentication and every resource router. Builds,
// never listens (daemon.ts does).
import type Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../log.ts';
import { createErrorMiddleware } from './error-middleware.ts';
import { createRequestLog } from './request-log.ts';
import { buildApiDocument } from './routes.ts';
import { createServiceRouter } from './service-router.ts';

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
  // Built on first request, not at start: most daemons never serve it.
  let document: string | undefined;
  const service = createServiceRouter({ isHealthy: deps.isHealthy, document: () => (document ??= JSON.stringify(buildApiDocument())) });
  app.use(service.routes());
  app.use(deps.authenticate);
  for (const router of deps.routers) app.use(router.routes());
  return app;
}
