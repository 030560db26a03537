// Reads a request body with a size cap and parses it as JSON or NDJSON, turning every
// malformed input into a 4xx HookdError that says what and where.
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { errors } from '../errors.ts';

export type ParsedBody =
  | { format: 'json'; value: unknown }
  | { format: 'ndjson'; lines: Array<{ line: number; value?: unknown; error?: string }> };

// Bodies are parsed as JSON also when sent as curl's default form type or text/plain: what
// matters is that the text parses, and a wrong header should not trip up a first try.
const JSON_TYPES = new Set(['', 'application/json', 'application/x-www-form-urlencoded', 'text/plain']);

/** `allowEmpty`: an empty (or blank) JSON body is `{ format: 'json', value: undefined }`. */
export async function readBody(ctx: Context, limit: number, options: { allowEmpty?: boolean } = {}): Promise<ParsedBody> {
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
  const ndjson = type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl';
  if (!ndjson && !JSON_TYPES.has(type) && !type.endsWith('+json')) throw errors.unsupportedMediaType(type);
  if (ctx.get('content-encoding') && ctx.get('content-encoding') !== 'identity') {
    throw errors.unsupportedMediaType(`Content-Encoding: ${ctx.get('content-encoding')}`);
  }
  const text = await readText(ctx, limit);
  if (ndjson) return { format: 'ndjson', lines: parseNdjson(text) };
  if (text.trim() === '') {
    if (options.allowEmpty) return { format: 'json', value: undefined };
    throw errors.validation('request body is empty: send a JSON object');
  }
  try {
    return { format: 'json', value: JSON.parse(text) };
  } catch (cause) {
    throw errors.malformedJson('request body', cause);
  }
}

/**
 * The body of a route that takes one JSON object (a hook, a webhook, a dry run): anything else
 * (null, a number, a list, NDJSON) is a 400 that says what came instead. `what` names it.
 */
export async function readJsonObject(ctx: Context, limit: number, what: string): Promise<Record<string, unknown>> {
  return toObject(await readBody(ctx, limit), what)!;
}

/** The same for a route whose body may be left out (rotate-secret): undefined when empty. */
export async function readOptionalJsonObject(ctx: Context, limit: number, what: string): Promise<Record<string, unknown> | undefined> {
  return toObject(await readBody(ctx, limit, { allowEmpty: true }), what);
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

function parseNdjson(text: string): Array<{ line: number; value?: unknown; error?: string }> {
  const out: Array<{ line: number; value?: unknown; error?: string }> = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (cause) {
      out.push({ line: i + 1, error: `line ${i + 1} is not valid JSON: ${(cause as Error).message}` });
    }
  });
  return out;
}
