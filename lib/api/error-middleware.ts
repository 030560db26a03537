// The one place where errors become HTTP answers: HookdErrors as their status and code,
// storage failures from anywhere as STORAGE_FULL / STORAGE_UNAVAILABLE, everything unexpected
// logged with the request id and answered as a bare 500. details.retryAfter becomes Retry-After.
import type { Middleware } from 'koa';
import { toStorageError } from '../db/storage-errors.ts';
import { errors, isHookdError, type HookdError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** Any error as the HookdError it is answered as: itself, a typed storage failure, or INTERNAL. */
export function asHookdError(caught: unknown): HookdError {
  return isHookdError(caught) ? caught : (toStorageError(caught) ?? errors.internal(caught));
}

export function createErrorMiddleware(deps: { log: Logger }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw errors.routeNotFound(ctx.method, ctx.path);
    } catch (caught) {
      const error = asHookdError(caught);
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
      // A route that takes other credentials (HTTP Basic on /integrations) set its own challenge.
      if (error.status === 401 && !ctx.response.get('WWW-Authenticate')) ctx.set('WWW-Authenticate', 'Bearer realm="hookd"');
      const retryAfter = (error.details as { retryAfter?: unknown } | undefined)?.retryAfter;
      if (typeof retryAfter === 'number' && retryAfter > 0) ctx.set('Retry-After', String(Math.ceil(retryAfter)));
    }
  };
}
