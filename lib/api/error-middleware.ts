// The one place where errors become HTTP answers: HookdErrors as their status and code,
// storage failures from anywhere as STORAGE_FULL / STORAGE_UNAVAILABLE, everything unexpected
// logged with the request id and answered as a bare 500. details.retryAfter becomes Retry-After.
// JSON bodies are serialized here too, so a body that cannot be is one of those errors.
import { Stream } from 'node:stream';
import type { Context, Middleware } from 'koa';
import { isUniqueViolation, toStorageError } from '../db/storage-errors.ts';
import { errors, isHookdError, type HookdError } from '../errors.ts';
import type { Logger } from '../log.ts';

// PostgreSQL refusing a text value's characters: U+0000 (22021) or one its encoding lacks (22P05).
// The request's own text is checked before (nul-text.ts); this answers any text that still
// reaches the database as the client's problem it is, not a 500.
const PG_REFUSED_TEXT = new Set(['22021', '22P05']);

function refusedText(caught: unknown): HookdError | undefined {
  const code = (caught as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !PG_REFUSED_TEXT.has(code)) return undefined;
  return errors.validation('the request holds text the database cannot store (the NUL character U+0000, or an invalid character)');
}

// A unique key refusing a row that a route checked for beforehand: a concurrent request stored
// the same key between the check and the write. The routes that know the key say which (a hook's
// name); any other is still the client's conflict, not a 500.
function uniqueConflict(caught: unknown): HookdError | undefined {
  if (!isUniqueViolation(caught)) return undefined;
  return errors.conflict('a concurrent request stored a record with the same unique key first; read it, then retry if still needed');
}

/** Any error as the HookdError it is answered as: itself, a typed storage failure, refused text, a unique-key conflict, or INTERNAL. */
export function asHookdError(caught: unknown): HookdError {
  return isHookdError(caught) ? caught : (toStorageError(caught) ?? refusedText(caught) ?? uniqueConflict(caught) ?? errors.internal(caught));
}

/**
 * Turns a JSON body (an object koa would JSON.stringify) into its text. koa serializes after every
 * middleware has returned, where a failure (a BigInt, a cycle, text past V8's longest string) is a
 * bare text 500 that nothing logs; here it is caught like any other error.
 */
function serializeJsonBody(ctx: Context): void {
  const body: unknown = ctx.body;
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body) || body instanceof Stream) return;
  if (body instanceof ReadableStream || body instanceof Blob || body instanceof Response) return;
  ctx.body = JSON.stringify(body); // the Content-Type koa set for the object (JSON) stays
}

export function createErrorMiddleware(deps: { log: Logger }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw errors.routeNotFound(ctx.method, ctx.path);
      serializeJsonBody(ctx);
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
