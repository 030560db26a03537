// Gives every request an id (the client's X-Request-Id when sane) and logs one line per
// request when it ends: method, path, status, duration. Never headers or bodies.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../log.ts';

const SANE_ID = /^[\w.:-]{1,100}$/;

export function createRequestLog(deps: { log: Logger }): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('x-request-id');
    const requestId = SANE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      // Built only when it is logged: at info, the line would be made and dropped per request.
      if (deps.log.isLevelEnabled('debug')) {
        const durationMs = Math.round((performance.now() - started) * 100) / 100;
        deps.log.debug({ requestId, method: ctx.method, path: ctx.path, status: ctx.status, durationMs }, 'request');
      }
    }
  };
}
