// The one place where errors become HTTP answers: HookdErrors as their status and code,
// everything unexpected logged with the request id and answered as a bare 500.
import type { Middleware } from 'koa';
import { errors, isHookdError } from '../errors.ts';
import type { Logger } from '../log.ts';

export function createErrorMiddleware(deps: { log: Logger }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw errors.routeNotFound(ctx.method, ctx.path);
    } catch (caught) {
      const error = isHookdError(caught) ? caught : errors.internal(caught);
      if (!error.expose || error.status >= 500) {
        deps.log.error({ err: caught, requestId: ctx.state.requestId }, 'request failed');
      }
      ctx.status = error.status;
      ctx.body = {
        error: {
          code: error.code,
          message: error.expose ? error.message : 'internal error; see the daemon log',
          ...(error.expose && error.details !== undefined ? { details: error.details } : {}),
          requestId: ctx.state.requestId,
        },
      };
      if (error.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="hookd"');
      const retryAfter = (error.details as { retryAfter?: unknown } | undefined)?.retryAfter;
      if (error.status === 429 && typeof retryAfter === 'number') ctx.set('Retry-After', String(retryAfter));
    }
  };
}
