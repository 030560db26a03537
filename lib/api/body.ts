// Reads a request body with a size cap and parses it as JSON or NDJSON, turning every
// malformed input into a 4xx HookdError that says what and where. Every JSON document (the
// body, an NDJSON line, an item of a JSON-array batch) is depth-checked as it is parsed.
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { errors, type HookdError } from '../errors.ts';
import { findTooDeep } from '../json-bounds.ts';

/** One document of a batch: `at` is "/3" (JSON array) or "line 4" (NDJSON). */
export interface BodyItem {
  at: string;
  value?: unknown;
  error?: HookdError;
}

export type ParsedBody =
  | { format: 'json'; value: unknown }
  /** A JSON array (when `batch` was asked for) or NDJSON: each item parsed and checked on its own. */
  | { format: 'batch'; ndjson: boolean; items: BodyItem[] };

export interface BodyOptions {
  /** Bytes (config server.bodyLimit). */
  limit: number;
  /** Nesting depth of one document (config events.maxDepth). */
  maxDepth: number;
  /** A top-level JSON array is a batch of documents, each checked alone (POST /events). */
  batch?: boolean;
  /** An empty (or blank) body is `{ format: 'json', value: undefined }` instead of a 400. */
  allowEmpty?: boolean;
}

// Bodies are parsed as JSON also when sent as curl's default form type or text/plain: what
// matters is that the text parses, and a wrong header should not trip up a first try.
const JSON_TYPES = new Set(['', 'application/json', 'application/x-www-form-urlencoded', 'text/plain']);

export async function readBody(ctx: Context, options: BodyOptions): Promise<ParsedBody> {
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
  const ndjson = type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl';
  if (!ndjson && !JSON_TYPES.has(type) && !type.endsWith('+json')) throw errors.unsupportedMediaType(type);
  if (ctx.get('content-encoding') && ctx.get('content-encoding') !== 'identity') {
    throw errors.unsupportedMediaType(`Content-Encoding: ${ctx.get('content-encoding')}`);
  }
  const text = await readText(ctx, options.limit);
  if (ndjson) return { format: 'batch', ndjson: true, items: parseNdjson(text, options.maxDepth) };
  if (text.trim() === '') {
    if (options.allowEmpty) return { format: 'json', value: undefined };
    throw errors.validation('request body is empty: send a JSON object');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw errors.malformedJson('request body', cause);
  }
  if (options.batch && Array.isArray(value)) {
    // Each item is one event: its depth counts from the item, as it would posted alone.
    const items = value.map((item: unknown, i): BodyItem => {
      const deep = findTooDeep(item, options.maxDepth);
      return deep === undefined ? { at: `/${i}`, value: item } : { at: `/${i}`, error: errors.jsonTooDeep(`/${i}${deep}`, options.maxDepth) };
    });
    return { format: 'batch', ndjson: false, items };
  }
  const deep = findTooDeep(value, options.maxDepth);
  if (deep !== undefined) throw errors.jsonTooDeep(deep, options.maxDepth);
  return { format: 'json', value };
}

/**
 * The body of a route that takes one JSON object (a hook, a webhook, a dry run): anything else
 * (null, a number, a list, NDJSON) is a 400 that says what came instead. `what` names it.
 */
export async function readJsonObject(ctx: Context, options: BodyOptions, what: string): Promise<Record<string, unknown>> {
  return toObject(await readBody(ctx, { ...options, batch: false, allowEmpty: false }), what)!;
}

/** The same for a route whose body may be left out (rotate-secret): undefined when empty. */
export async function readOptionalJsonObject(ctx: Context, options: BodyOptions, what: string): Promise<Record<string, unknown> | undefined> {
  return toObject(await readBody(ctx, { ...options, batch: false, allowEmpty: true }), what);
}

function toObject(body: ParsedBody, what: string): Record<string, unknown> | undefined {
  if (body.format !== 'json') throw errors.validation(`send ${what} as one JSON object, not NDJSON`);
  const value = body.value;
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw errors.validation(`the body must be a JSON object (${what}), not ${got}`, { pointer: '' });
  }
  return value as Record<string, unknown>;
}

async function readText(ctx: Context, limit: number): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf8', length: ctx.get('content-length') || undefined });
  } catch (cause) {
    const type = (cause as { type?: string }).type;
    if (type === 'entity.too.large') throw errors.payloadTooLarge(limit);
    if (type === 'request.size.invalid') throw errors.validation('request body is shorter than its Content-Length');
    if (type === 'encoding.unsupported') throw errors.unsupportedMediaType(ctx.get('content-type'));
    throw errors.validation(`could not read the request body: ${(cause as Error).message}`);
  }
}

function parseNdjson(text: string, maxDepth: number): BodyItem[] {
  const out: BodyItem[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      out.push({ at: `line ${line}`, error: errors.malformedJson(`line ${line}`, cause) });
      return;
    }
    const deep = findTooDeep(value, maxDepth);
    out.push(deep === undefined ? { at: `line ${line}`, value } : { at: `line ${line}`, error: errors.jsonTooDeep(deep, maxDepth, { line }) });
  });
  return out;
}
