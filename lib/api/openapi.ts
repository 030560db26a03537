// Turns the routes' declarations into the OpenAPI 3.1 document served at GET /openapi.json:
// the same schemas the API validates with, shared ones named once under components, and the
// error answers each route may give (its own, plus those its declaration implies).
import type { ErrorCode } from '../errors.ts';
import { ERROR_BODY } from './common-schemas.ts';
import { SESSION_COOKIE } from './sessions.ts';
import type { ParamsSchema, RouteSpec } from './route.ts';

export interface DocumentInput {
  routes: readonly RouteSpec[];
  /** Schemas named under components.schemas (besides Error); every use of the same object becomes a $ref. */
  schemas: Readonly<Record<string, object>>;
  version: string;
}

/**
 * Each code's status and when it is answered (the README's error table, in short). A route
 * declares codes; the document files them under these statuses, and the conformance test of
 * the e2e suite fails if a factory in errors.ts ever answers another.
 */
export const ERROR_DOCS: Readonly<Record<ErrorCode, { status: number; when: string }>> = {
  VALIDATION: { status: 400, when: 'a malformed request: a missing or unknown field, a bad value (`details.pointer` names a body field, `details.parameter` a query or path parameter)' },
  MALFORMED_JSON: { status: 400, when: 'the body (or an NDJSON line) does not parse' },
  MALFORMED_REQUEST: { status: 400, when: "HTTP that Node's parser refuses before any route (400, 408, 417, 431)" },
  COMPILE_ERROR: { status: 400, when: 'hook source that does not compile: `file:line:column: message`' },
  TARGET_REFUSED: { status: 400, when: 'a webhook URL hookd will not send to' },
  UNAUTHORIZED: { status: 401, when: 'the token is missing or wrong' },
  FORBIDDEN: { status: 403, when: 'the token lacks the scope' },
  NOT_FOUND: { status: 404, when: 'an unknown id, or an app /integrations does not know' },
  CONFLICT: { status: 409, when: 'a duplicate name, a delivery still pending or a ping, an endpoint disabled' },
  READ_ONLY: { status: 409, when: 'a file hook changed through the API' },
  LIMIT_REACHED: { status: 409, when: 'one more hook or webhook endpoint than hooks.maxHooks or webhooks.maxEndpoints allows' },
  PAYLOAD_TOO_LARGE: { status: 413, when: 'a body over server.bodyLimit; a progress payload over progress.maxEntrySize' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, when: 'neither JSON nor NDJSON' },
  UNKNOWN_EVENT_TYPE: { status: 422, when: 'a type that is not in the catalog' },
  SCHEMA_VIOLATION: { status: 422, when: "a payload that does not match its type's schema (`details.problems`)" },
  JSON_TOO_DEEP: { status: 422, when: 'JSON nested deeper than events.maxDepth (`details.pointer`)' },
  UNPROCESSABLE: { status: 422, when: 'well-formed but refused: a pattern matching no catalog type, a command that cannot run, an env name no hook may get, a header HTTP cannot carry' },
  RATE_LIMITED: { status: 429, when: 'a token posting progress faster than progress.rateLimit (Retry-After)' },
  TOO_MANY_STREAMS_FOR_TOKEN: { status: 429, when: 'this token holds stream.maxClientsPerToken streams (Retry-After)' },
  INTERNAL: { status: 500, when: 'an unexpected failure, logged with the request id' },
  CONFIG: { status: 500, when: 'a configuration error' },
  SHUTTING_DOWN: { status: 503, when: 'hookd is stopping' },
  TOO_MANY_STREAMS: { status: 503, when: 'stream.maxClients streams are open' },
  STORAGE_UNAVAILABLE: { status: 503, when: 'the database cannot be used now: nothing was stored, or, where the message says so (a connection lost under a commit), whether it was is not known (Retry-After)' },
  STORAGE_FULL: { status: 507, when: 'the database or its disk is full: nothing was stored (Retry-After)' },
};

const DESCRIPTION = `A self-hosted hook runtime: applications post business events; hookd runs hooks for them and delivers signed webhooks.

**Authentication.** Every route but \`/healthz\`, \`/readyz\` and \`/openapi.json\` needs \`Authorization: Bearer <token>\`; \`/integrations\` also takes HTTP Basic with the token as the password. Scopes: \`events\` (post and read events, the catalog, streams, progress, stats), \`metrics\` (\`GET /metrics\` only, which config metrics.public opens to all) and \`admin\` (everything). \`/stream\` and \`/progress\` also take \`?access_token=\` (config stream.queryToken). A missing or wrong token is a 401, a missing scope a 403. The dashboard signs in with \`POST /session\` instead: its HttpOnly cookie authenticates every route with the token's scopes, and a POST, PUT, PATCH or DELETE sent with the cookie (and no Authorization header) must carry the session's CSRF token in \`X-CSRF-Token\` (403 otherwise).

**Errors.** Every error is \`{ "error": { "code", "message", "details"?, "requestId" } }\` with the status listed per route; every answer carries \`X-Request-Id\`. Requests Node's HTTP parser refuses before any route get the same body with code \`MALFORMED_REQUEST\`: 400 (a bad request line, header or Content-Length), 408 (too slow to arrive), 417 (an Expect other than 100-continue), 431 (headers over 16 KiB). A path or method no route serves is a 404 \`NOT_FOUND\` (a 401 first without a valid token: authentication comes before routing).

**Limits.** A body is at most server.bodyLimit bytes; every JSON document in it at most events.maxDepth levels deep (422 \`JSON_TOO_DEEP\`).

**Event payloads** are free-form here: each is checked at run time against its type's schema in the catalog, which \`GET /catalog\` lists.

Every GET also answers HEAD, without a body.`;

type Json = Record<string, unknown>;

export function buildOpenApiDocument(input: DocumentInput): Json {
  // The error body is every route's: named here, since describeErrors refers to it.
  const schemas: Record<string, object> = { Error: ERROR_BODY, ...input.schemas };
  const names = new Map<object, string>(Object.entries(schemas).map(([name, schema]) => [schema, name]));
  const ref = (schema: object) => withRefs(schema, names);
  const paths: Record<string, Json> = {};
  for (const route of input.routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const operation = describeOperation(route, ref);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
    if (route.head) paths[path]!.head = { ...operation, operationId: `${route.operationId}Head`, responses: withoutBodies(operation.responses as Json) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'hookd', version: input.version, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: '/', description: 'The daemon that serves this document.' }],
    tags: [
      { name: 'events', description: 'Post and read events; the event catalog.' },
      { name: 'hooks', description: 'Module and command hooks, their runs and dry runs (admin).' },
      { name: 'webhooks', description: 'Webhook endpoints, their secrets and deliveries (admin).' },
      { name: 'streams', description: 'Live progress and events (Server-Sent Events), latest progress values, counters.' },
      { name: 'integrations', description: "The *arr apps' webhooks in: Radarr, Sonarr, Lidarr, Readarr, Prowlarr (Settings → Connect → Webhook)." },
      { name: 'session', description: 'Dashboard sign-in: a token exchanged for an HttpOnly session cookie.' },
      { name: 'service', description: 'Health, readiness, metrics and this document.' },
    ],
    paths,
    components: {
      schemas: { ...Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, withRefs(schema, names, schema)])), Error: describeErrorBody() },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token: from the config (auth.tokens), HOOKD_TOKEN(_FILE), `hookd token create`, or the generated data/admin.token.' },
        accessToken: { type: 'apiKey', in: 'query', name: 'access_token', description: 'The same token in the query, for EventSource (GET /stream, GET /progress; stream.queryToken).' },
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'A dashboard session (POST /session); state changes also need X-CSRF-Token.' },
        basic: { type: 'http', scheme: 'basic', description: 'HTTP Basic with an API token as the password (any user name): what the *arr apps\' Webhook connection sends (/integrations).' },
      },
      headers: {
        'X-Request-Id': { description: "The request's id (the client's X-Request-Id when sane): in the log line and in error bodies.", required: true, schema: { type: 'string' } },
        'Retry-After': { description: 'Seconds to wait before retrying (the same as details.retryAfter).', schema: { type: 'integer', minimum: 0 } },
        'WWW-Authenticate': { description: 'Bearer realm="hookd"; Basic realm="hookd" on the routes that take HTTP Basic (/integrations).', required: true, schema: { type: 'string' } },
      },
    },
  };
}

function describeOperation(route: RouteSpec, ref: (schema: object) => unknown): Json {
  const parameters = [
    ...describeParams(route.params, 'path', ref),
    ...describeParams(route.query, 'query', ref),
    ...describeParams(route.headers, 'header', ref),
  ];
  const scope = route.auth === 'none' ? undefined : route.auth.scope;
  const security = route.auth === 'none' ? [] : [{ bearer: [] }, ...(route.auth.basic ? [] : [{ session: [] }]), ...(route.auth.queryToken ? [{ accessToken: [] }] : []), ...(route.auth.basic ? [{ basic: [] }] : [])];
  const responses: Json = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
      ...(r.schema === undefined ? {} : { content: { [r.contentType ?? 'application/json']: { schema: ref(r.schema) } } }),
    };
  }
  for (const [status, codes] of errorCodesOf(route)) responses[status] = describeErrors(status, codes);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [scope ? `Token scope: \`${scope}\` (or \`admin\`).` : 'No token needed.', route.description].filter(Boolean).join(' '),
    tags: [route.tag],
    security,
    ...(scope ? { 'x-hookd-scope': scope } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: describeBody(route.body, ref) } : {}),
    responses,
  };
}

function describeParams(schema: ParamsSchema | undefined, where: 'path' | 'query' | 'header', ref: (schema: object) => unknown): Json[] {
  if (!schema) return [];
  return Object.entries(schema.properties).map(([name, p]) => ({
    name: where === 'header' ? headerName(name) : name,
    in: where,
    required: where === 'path' || (schema.required ?? []).includes(name),
    ...(p.description ? { description: p.description } : {}),
    ...(p.type === 'array' ? { style: 'form', explode: true } : {}),
    schema: ref(p),
  }));
}

function describeBody(body: NonNullable<RouteSpec['body']>, ref: (schema: object) => unknown): Json {
  return {
    required: body.read !== 'optional',
    ...(body.description ? { description: body.description } : {}),
    content: {
      'application/json': { schema: ref(body.schema) },
      ...Object.fromEntries(Object.entries(body.alternatives ?? {}).map(([type, schema]) => [type, { schema: ref(schema) }])),
    },
  };
}

/** The route's own error codes and those its declaration implies, by status. */
export function errorCodesOf(route: RouteSpec): Map<number, ErrorCode[]> {
  const out = new Map<number, Set<ErrorCode>>();
  const add = (...codes: ErrorCode[]) => {
    for (const code of codes) {
      const { status } = ERROR_DOCS[code];
      out.set(status, (out.get(status) ?? new Set<ErrorCode>()).add(code));
    }
  };
  if (route.params || route.query) add('VALIDATION');
  if (route.body) add('VALIDATION', 'MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'JSON_TOO_DEEP');
  if (route.body?.unprocessable) add('UNPROCESSABLE');
  // CLI-made tokens are looked up in the database; writes can find it full.
  if (route.auth !== 'none') add('UNAUTHORIZED', 'FORBIDDEN', 'STORAGE_UNAVAILABLE');
  if (route.auth !== 'none' && route.method !== 'GET') add('STORAGE_FULL');
  add(...(route.errors ?? []), 'INTERNAL');
  return new Map([...out].sort(([a], [b]) => a - b).map(([status, codes]) => [status, [...codes]]));
}

function describeErrors(status: number, codes: ErrorCode[]): Json {
  const headers: Json = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
  if (status === 401) headers['WWW-Authenticate'] = { $ref: '#/components/headers/WWW-Authenticate' };
  if (status === 429 || status === 503 || status === 507) headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
  return {
    // What each code means is said once, on the Error schema's `code`.
    description: codes.map((c) => `\`${c}\``).join(', '),
    headers,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/Error', type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } },
      },
    },
  };
}

/** The error body, its `code` listing every code with its status and when it is answered. */
function describeErrorBody(): Json {
  const body = structuredClone(ERROR_BODY) as unknown as { properties: { error: { properties: { code: Json } } } };
  body.properties.error.properties.code.description = Object.entries(ERROR_DOCS)
    .map(([code, d]) => `- \`${code}\` (${d.status}): ${d.when}`)
    .join('\n');
  return body as unknown as Json;
}

function withoutBodies(responses: Json): Json {
  return Object.fromEntries(Object.entries(responses).map(([status, r]) => {
    const { content: _content, ...rest } = r as Json;
    return [status, rest];
  }));
}

/** HTTP spells header names in capitals; the declarations use koa's lower case. */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase()).replace(/-Id$/, '-ID');
}

/** A deep copy of `schema` where every named schema but `self` is a $ref to its component. */
function withRefs(schema: unknown, names: ReadonlyMap<object, string>, self?: object): unknown {
  if (Array.isArray(schema)) return schema.map((s) => withRefs(s, names, self));
  if (typeof schema !== 'object' || schema === null) return schema;
  const name = schema === self ? undefined : names.get(schema);
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withRefs(v, names, self)]));
}

