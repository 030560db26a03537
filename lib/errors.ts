// HookdError: the one error type of the daemon, with a stable code, an HTTP status and an
// `expose` flag. Made only by the factories below so that every message lives here.
// Recognised by a brand property, not instanceof: errors cross realms and threads.

/** Every code an error can carry (the OpenAPI document lists them; the README says when). */
export const ERROR_CODES = [
  'VALIDATION',
  'MALFORMED_JSON',
  'MALFORMED_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNKNOWN_EVENT_TYPE',
  'SCHEMA_VIOLATION',
  'NOT_FOUND',
  'CONFLICT',
  'READ_ONLY',
  'LIMIT_REACHED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'COMPILE_ERROR',
  'UNPROCESSABLE',
  'CONFIG',
  'SHUTTING_DOWN',
  'RATE_LIMITED',
  'TOO_MANY_STREAMS',
  'TOO_MANY_STREAMS_FOR_TOKEN',
  'TARGET_REFUSED',
  'JSON_TOO_DEEP',
  'STORAGE_FULL',
  'STORAGE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const BRAND = Symbol.for('hookd.error');

// Why the HTTP server cannot listen, and what to change, by the system's error code.
const LISTEN_FAILURES: Record<string, [string, string]> = {
  EADDRINUSE: ['the port is in use', 'stop what holds it, or set server.port to another port'],
  EACCES: ['permission denied', 'a port below 1024 needs privileges: set server.port to 1024 or above, or grant the daemon CAP_NET_BIND_SERVICE'],
  EADDRNOTAVAIL: ['no such address on this machine', 'set server.host to one of its addresses (127.0.0.1; 0.0.0.0 for all)'],
  ENOTFOUND: ['the host name does not resolve (getaddrinfo ENOTFOUND)', 'set server.host to an address of this machine, or a name that resolves to one'],
  EAI_AGAIN: ['the host name does not resolve (getaddrinfo EAI_AGAIN)', 'set server.host to an address of this machine, or check this machine\'s DNS'],
};

export interface HookdError extends Error {
  readonly [BRAND]: true;
  readonly code: ErrorCode;
  readonly status: number;
  /** Whether the message may be shown to an API client. */
  readonly expose: boolean;
  readonly details?: unknown;
}

interface ErrorInit {
  code: ErrorCode;
  status: number;
  message: string;
  details?: unknown;
  expose?: boolean;
  cause?: unknown;
}

function createError(init: ErrorInit): HookdError {
  const error = new Error(init.message, init.cause === undefined ? undefined : { cause: init.cause });
  return Object.assign(error, {
    [BRAND]: true as const,
    name: 'HookdError',
    code: init.code,
    status: init.status,
    expose: init.expose ?? init.status < 500,
    details: init.details,
  });
}

export function isHookdError(value: unknown): value is HookdError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

export const errors = {
  validation: (message: string, details?: unknown) =>
    createError({ code: 'VALIDATION', status: 400, message, details }),
  malformedJson: (where: string, cause: unknown) =>
    createError({
      code: 'MALFORMED_JSON',
      status: 400,
      message: `${where} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    }),
  /** What Node's HTTP parser refused (`parserCode` is its error code), before any route ran. */
  malformedRequest: (parserCode: string | undefined) => {
    const [status, message] =
      parserCode === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : parserCode === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'the request took too long to arrive']
          : parserCode === 'EXPECTATION_FAILED'
            ? [417, 'unsupported Expect header: only "Expect: 100-continue" is understood']
            : [400, `malformed HTTP request (${parserCode ?? 'parse error'}): check the request line, the headers and Content-Length`];
    return createError({ code: 'MALFORMED_REQUEST', status, message });
  },
  payloadTooLarge: (limit: number) =>
    createError({
      code: 'PAYLOAD_TOO_LARGE',
      status: 413,
      message: `request body is larger than the limit of ${limit} bytes (config server.bodyLimit)`,
      details: { limit },
    }),
  unsupportedMediaType: (type: string | undefined) =>
    createError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      status: 415,
      message: `unsupported Content-Type ${JSON.stringify(type ?? '')}: send application/json or application/x-ndjson`,
    }),
  unknownEventType: (type: string, pointer = '/type') =>
    createError({
      code: 'UNKNOWN_EVENT_TYPE',
      status: 422,
      message: `unknown event type "${type}": it is not in the catalog (GET /catalog lists the known types)`,
      details: { type, pointer },
    }),
  schemaViolation: (type: string, problems: Array<{ pointer: string; message: string }>) =>
    createError({
      code: 'SCHEMA_VIOLATION',
      status: 422,
      message: `payload does not match the schema of "${type}": ${problems
        .map((p) => `${p.pointer || '/'} ${p.message}`)
        .join('; ')}`,
      details: { type, problems },
    }),
  notFound: (what: string, id: string) =>
    createError({ code: 'NOT_FOUND', status: 404, message: `${what} "${id}" not found` }),
  unknownIntegration: (app: string, apps: readonly string[]) =>
    createError({ code: 'NOT_FOUND', status: 404, message: `no integration "${app}": hookd takes webhooks from ${apps.join(', ')} (POST /integrations/<app>)` }),
  routeNotFound: (method: string, path: string) =>
    createError({ code: 'NOT_FOUND', status: 404, message: `no route for ${method} ${path}` }),
  conflict: (message: string, details?: unknown) =>
    createError({ code: 'CONFLICT', status: 409, message, details }),
  /** One more of `what` would pass a count the config `key` caps at `limit`. */
  limitReached: (what: string, limit: number, key: string) =>
    createError({
      code: 'LIMIT_REACHED',
      status: 409,
      message: `${limit} ${what} exist already, the most ${key} allows: delete one, or raise ${key} in the config`,
      details: { limit, key },
    }),
  readOnly: (what: string, id: string, why: string) =>
    createError({ code: 'READ_ONLY', status: 409, message: `${what} "${id}" is read-only: ${why}` }),
  unauthorized: (why: string) =>
    createError({ code: 'UNAUTHORIZED', status: 401, message: why }),
  forbidden: (scope: string) =>
    createError({
      code: 'FORBIDDEN',
      status: 403,
      message: `this token lacks the "${scope}" scope needed for this call`,
      details: { required: scope },
    }),
  /** A state-changing request authenticated by the session cookie without the session's CSRF token. */
  csrf: (method: string) =>
    createError({
      code: 'FORBIDDEN',
      status: 403,
      message: `${method} with the session cookie needs the X-CSRF-Token header: send the csrfToken that POST /session (or GET /session) answered`,
      details: { header: 'X-CSRF-Token' },
    }),
  /** The session cookie names no live session: signed out, expired, idle too long, or its token was removed. */
  sessionEnded: (why: string) =>
    createError({ code: 'UNAUTHORIZED', status: 401, message: `session ${why}: sign in again (POST /session with a token)` }),
  compile: (filename: string, message: string, line?: number, column?: number) =>
    createError({
      code: 'COMPILE_ERROR',
      status: 400,
      // The compiler's own message may repeat the file name and Babel's "(line:col)".
      message: `${filename}${line === undefined ? '' : `:${line}:${column ?? 0}`}: ${message
        .replace(`${filename}: `, '')
        .replace(/ \(\d+:\d+\)$/, '')}`,
      details: { filename, line, column },
    }),
  unprocessable: (message: string, details?: unknown) =>
    createError({ code: 'UNPROCESSABLE', status: 422, message, details }),
  config: (message: string, details?: unknown) =>
    createError({ code: 'CONFIG', status: 500, message, details, expose: true }),
  targetRefused: (target: string, reason: string, pointer?: string) =>
    createError({
      code: 'TARGET_REFUSED',
      status: 400,
      message: `webhook target ${target} refused: ${reason}`,
      details: { target, reason, ...(pointer === undefined ? {} : { pointer }) },
    }),
  webhookDisabled: (id: string) =>
    createError({
      code: 'CONFLICT',
      status: 409,
      message: `webhook "${id}" is disabled: enable it first (PATCH /webhooks/${id} {"enabled": true})`,
    }),
  deliveryPending: (id: string) =>
    createError({
      code: 'CONFLICT',
      status: 409,
      message: `delivery "${id}" is still pending: it is retried on its schedule; redeliver it once it has failed or succeeded`,
    }),
  deliveryBeingSent: (id: string) =>
    createError({
      code: 'CONFLICT',
      status: 409,
      message: `delivery "${id}" is being sent (an attempt started before its endpoint was disabled): redeliver it once that attempt is recorded`,
    }),
  /** `settings` names the keys that chose host and port, and the variables when the environment did. */
  listen: (host: string, port: number, settings: string, cause: unknown) => {
    const code = (cause as { code?: string }).code;
    const [why, hint] = LISTEN_FAILURES[code ?? ''] ?? [(cause as Error).message, 'choose another with server.host and server.port'];
    return createError({ code: 'CONFIG', status: 500, message: `cannot listen on ${host}:${port} (${settings}): ${why}; ${hint}`, cause, expose: true });
  },
  dataDirLocked: (dataDir: string, pid: number | undefined) =>
    createError({
      code: 'CONFIG',
      status: 500,
      message: `the data directory ${dataDir} is in use by another hookd${pid ? ` (pid ${pid})` : ''}: stop it, or give this one its own dataDir (HOOKD_DATA_DIR)`,
      expose: true,
    }),
  shuttingDown: () =>
    createError({ code: 'SHUTTING_DOWN', status: 503, message: 'hookd is shutting down; retry shortly' }),
  rateLimited: (what: string, retryAfterSeconds: number) =>
    createError({
      code: 'RATE_LIMITED',
      status: 429,
      message: `${what}: slow down and retry after ${retryAfterSeconds} s`,
      details: { retryAfter: retryAfterSeconds },
    }),
  tooManyStreams: (max: number) =>
    createError({
      code: 'TOO_MANY_STREAMS',
      status: 503,
      message: `${max} streams are open, the limit (config stream.maxClients): close one or retry later`,
      details: { max },
    }),
  jsonTooDeep: (pointer: string, limit: number, where: { line?: number } = {}) =>
    createError({
      code: 'JSON_TOO_DEEP',
      status: 422,
      message: `${where.line === undefined ? '' : `line ${where.line}: `}JSON nested more than ${limit} levels deep at "${pointer || '/'}": flatten it, or raise the limit (config events.maxDepth, now ${limit})`,
      details: { pointer, limit, ...where },
    }),
  progressTooLarge: (bytes: number, limit: number, pointer: string) =>
    createError({
      code: 'PAYLOAD_TOO_LARGE',
      status: 413,
      message: `the progress payload is ${bytes} bytes as JSON, over the limit of ${limit} (config progress.maxEntrySize): send a summary`,
      details: { pointer, size: bytes, limit },
    }),
  /** The database (or its disk) is full: nothing was stored. */
  storageFull: (retryAfterSeconds: number, cause: unknown) =>
    createError({
      code: 'STORAGE_FULL',
      status: 507,
      message: `hookd's storage is full, so nothing was stored: retry after ${retryAfterSeconds} s (the operator must free space in the data directory)`,
      details: { retryAfter: retryAfterSeconds },
      expose: true,
      cause,
    }),
  /**
   * The database cannot be used right now (busy, locked, read-only, I/O error, corrupt, out of
   * reach). `outcomeUnknown`: the connection went away under a statement that may have committed.
   */
  storageUnavailable: (why: string, retryAfterSeconds: number, cause: unknown, outcomeUnknown = false) =>
    createError({
      code: 'STORAGE_UNAVAILABLE',
      status: 503,
      message: outcomeUnknown
        ? `hookd's storage is unavailable (${why}), so whether this was stored is not known: retry after ${retryAfterSeconds} s (an event posted with its own id is stored once however often it is retried)`
        : `hookd's storage is unavailable (${why}), so nothing was stored: retry after ${retryAfterSeconds} s`,
      details: { retryAfter: retryAfterSeconds },
      expose: true,
      cause,
    }),
  /** The database cannot be reached or opened at all (db/open-failure.ts): `what` names it and its setting. */
  storageOpen: (what: string, reason: string, hint: string, cause: unknown) =>
    createError({ code: 'STORAGE_UNAVAILABLE', status: 503, message: `cannot ${what}: ${reason}; ${hint}`, cause, expose: false }),
  /**
   * A directory or file the daemon makes at start cannot be (path-failure.ts): `what` names it and
   * its setting. A config error (exit 2) unless the disk itself failed (full, I/O errors: exit 1).
   */
  unusablePath: (what: string, reason: string, hint: string, cause: unknown, diskFailed: boolean) =>
    createError({ code: diskFailed ? 'STORAGE_UNAVAILABLE' : 'CONFIG', status: 500, message: `cannot ${what}: ${reason}; ${hint}`, cause, expose: false }),
  /** One item that cannot be written (the others of its batch are): says why without internals. */
  unstorable: (why: string) =>
    createError({ code: 'UNPROCESSABLE', status: 422, message: `this item cannot be stored: ${why}` }),
  // 429, not 503: the daemon has room, this token has used its own share.
  tooManyStreamsForToken: (owner: string, max: number, retryAfterSeconds: number) =>
    createError({
      code: 'TOO_MANY_STREAMS_FOR_TOKEN',
      status: 429,
      message: `token "${owner}" has ${max} streams open, its share (config stream.maxClientsPerToken): close one or retry after ${retryAfterSeconds} s`,
      details: { max, retryAfter: retryAfterSeconds },
    }),
  internal: (cause: unknown) =>
    createError({ code: 'INTERNAL', status: 500, message: 'internal error', cause, expose: false }),
};
