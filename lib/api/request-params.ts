// Query and path parameters as routes read them: each bounded in length before any parsing,
// a repeated single-valued parameter refused (koa hands it over as an array), and every
// problem a 400 whose details name the parameter.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { errors } from '../errors.ts';

// Ids are UUIDs, "file-…", "wh_…", "msg_…" or a client's event id (at most 200 characters).
export const MAX_ID_LENGTH = 200;
const MAX_QUERY_VALUE = 1024;

function invalid(name: string, message: string) {
  return errors.validation(`query parameter "${name}" ${message}`, { parameter: name });
}

/** One value of `name`, or undefined when absent; at most `maxLength` characters. */
export function queryString(ctx: Context, name: string, maxLength = MAX_QUERY_VALUE): string | undefined {
  const value = ctx.query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw invalid(name, `is given ${value.length} times; give it once`);
  if (value.length > maxLength) throw invalid(name, `is ${value.length} characters long; the limit is ${maxLength}`);
  return value;
}

/** An integer from `min` to `max`; `fallback` when absent. */
export function queryInteger(ctx: Context, name: string, range: { min: number; max: number; fallback?: number }): number | undefined {
  const text = queryString(ctx, name, 32);
  if (text === undefined) return range.fallback;
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw invalid(name, `must be an integer from ${range.min} to ${range.max}, not ${JSON.stringify(text)}`);
  }
  return value;
}

/** One of `values`, or undefined when absent. */
export function queryChoice<T extends string>(ctx: Context, name: string, values: readonly T[]): T | undefined {
  const text = queryString(ctx, name, 64);
  if (text === undefined) return undefined;
  if (!(values as readonly string[]).includes(text)) throw invalid(name, `must be one of ${values.join(', ')}, not ${JSON.stringify(text)}`);
  return text as T;
}

/** true for `?name`, `?name=true` or `=1`; false when absent, `false` or `0`. */
export function queryFlag(ctx: Context, name: string): boolean {
  const text = queryString(ctx, name, 16);
  if (text === undefined || text === 'false' || text === '0') return false;
  if (text === '' || text === 'true' || text === '1') return true;
  throw invalid(name, `must be true or false, not ${JSON.stringify(text)}`);
}

/** A parameter that may repeat (`?types=a&types=b`): every value, each bounded. */
export function queryList(ctx: Context, name: string, maxLength = MAX_QUERY_VALUE * 8): string[] | undefined {
  const value = ctx.query[name];
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  const total = list.reduce((n, v) => n + v.length, 0);
  if (total > maxLength) throw invalid(name, `is ${total} characters long; the limit is ${maxLength}`);
  return list;
}

/** Refuses an overlong `:id` with a 400 before any route looks it up. */
export function checkIdParam(router: Router): void {
  router.param('id', (id, ctx, next) => {
    if (id.length > MAX_ID_LENGTH) {
      throw errors.validation(`path parameter "id" is ${id.length} characters long; ids are at most ${MAX_ID_LENGTH}`, { parameter: 'id' });
    }
    return next();
  });
}
