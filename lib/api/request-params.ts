// Query and path parameters as routes declare them, read by their schemas: each bounded in
// length before any parsing, a repeated single-valued parameter refused (koa hands it over as
// an array), and every problem a 400 whose details name the parameter.
import type { Context } from 'koa';
import { errors } from '../errors.ts';
import { hasNul } from './nul-text.ts';

// Ids are UUIDs, "file-…", "wh_…", "msg_…" or a client's event id (at most 200 characters).
export const MAX_ID_LENGTH = 200;
const MAX_QUERY_VALUE = 1024;
// No id, name or filter hookd stores holds U+0000 (nul-text.ts): say so rather than look one up.
const NUL_MESSAGE = 'holds the NUL character (U+0000), which no id or name hookd stores may hold';

function invalid(name: string, message: string) {
  return errors.validation(`query parameter "${name}" ${message}`, { parameter: name });
}

/** One value of `name`, or undefined when absent; at most `maxLength` characters. */
function queryString(ctx: Context, name: string, maxLength = MAX_QUERY_VALUE): string | undefined {
  const value = ctx.query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw invalid(name, `is given ${value.length} times; give it once`);
  if (value.length > maxLength) throw invalid(name, `is ${value.length} characters long; the limit is ${maxLength}`);
  if (hasNul(value)) throw invalid(name, NUL_MESSAGE);
  return value;
}

/** An integer from `min` to `max`; `fallback` when absent. */
function queryInteger(ctx: Context, name: string, range: { min: number; max: number; fallback?: number }): number | undefined {
  const text = queryString(ctx, name, 32);
  if (text === undefined) return range.fallback;
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw invalid(name, `must be an integer from ${range.min} to ${range.max}, not ${JSON.stringify(text)}`);
  }
  return value;
}

/** One of `values`, or undefined when absent. */
function queryChoice<T extends string>(ctx: Context, name: string, values: readonly T[]): T | undefined {
  const text = queryString(ctx, name, 64);
  if (text === undefined) return undefined;
  if (!(values as readonly string[]).includes(text)) throw invalid(name, `must be one of ${values.join(', ')}, not ${JSON.stringify(text)}`);
  return text as T;
}

/** true for `?name`, `?name=true` or `=1`; false when absent, `false` or `0`. */
function queryFlag(ctx: Context, name: string): boolean {
  const text = queryString(ctx, name, 16);
  if (text === undefined || text === 'false' || text === '0') return false;
  if (text === '' || text === 'true' || text === '1') return true;
  throw invalid(name, `must be true or false, not ${JSON.stringify(text)}`);
}

/** A parameter that may repeat (`?types=a&types=b`): every value, each bounded. */
function queryList(ctx: Context, name: string, maxLength = MAX_QUERY_VALUE * 8): string[] | undefined {
  const value = ctx.query[name];
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  const total = list.reduce((n, v) => n + v.length, 0);
  if (total > maxLength) throw invalid(name, `is ${total} characters long; the limit is ${maxLength}`);
  if (list.some(hasNul)) throw invalid(name, NUL_MESSAGE);
  return list;
}

/** The parameters of one kind a route declares: an object schema, one property per parameter. */
export interface ParamsSchema {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, ParamSchema>>;
  readonly required?: readonly string[];
  readonly description?: string;
}

/** The parameter schemas the readers below understand. */
export interface ParamSchema {
  readonly type?: 'string' | 'integer' | 'boolean' | 'array';
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
  readonly items?: object;
  readonly description?: string;
  readonly default?: unknown;
  readonly format?: string;
  readonly pattern?: string;
}

type Reader = (ctx: Context) => unknown;

/**
 * Reads a route's declared parameters with the bounded readers above, each chosen once from its
 * schema: an integer's range, a string's length, an enum's values. Undeclared query parameters
 * are ignored, as they always were. Absent parameters are left out (the route applies defaults).
 */
export function compileParamsReader(schema: ParamsSchema | undefined, where: 'path' | 'query' | 'header'): (ctx: Context) => Record<string, unknown> {
  if (!schema) return () => ({});
  const readers = Object.entries(schema.properties).map(([name, p]): [string, Reader] => [name, paramReader(name, p, where)]);
  return (ctx) => {
    const out: Record<string, unknown> = {};
    for (const [name, read] of readers) {
      const value = read(ctx);
      if (value !== undefined) out[name] = value;
    }
    return out;
  };
}

function paramReader(name: string, p: ParamSchema, where: 'path' | 'query' | 'header'): Reader {
  if (where === 'header') return (ctx) => ctx.get(name) || undefined;
  if (where === 'path') {
    const max = p.maxLength ?? MAX_ID_LENGTH;
    return (ctx) => {
      const value = (ctx.params as Record<string, string>)[name]!;
      if (value.length > max) {
        throw errors.validation(`path parameter "${name}" is ${value.length} characters long; the limit is ${max}`, { parameter: name });
      }
      if (hasNul(value)) throw errors.validation(`path parameter "${name}" ${NUL_MESSAGE}`, { parameter: name });
      return value;
    };
  }
  if (p.enum) return (ctx) => queryChoice(ctx, name, p.enum!);
  switch (p.type) {
    case 'integer': {
      const range = { min: p.minimum ?? Number.MIN_SAFE_INTEGER, max: p.maximum ?? Number.MAX_SAFE_INTEGER };
      return (ctx) => queryInteger(ctx, name, range);
    }
    case 'boolean':
      return (ctx) => (ctx.query[name] === undefined ? undefined : queryFlag(ctx, name));
    case 'array':
      return (ctx) => queryList(ctx, name);
    case 'string':
      return (ctx) => queryString(ctx, name, p.maxLength);
    default:
      throw new Error(`query parameter "${name}": no reader for its schema`);
  }
}
