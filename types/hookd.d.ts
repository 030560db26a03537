// Types for hook authors: the event a hook receives, its `ctx`, its `config` export and the
// payloads of the default catalog (config/hookd.yaml). Use them from `// @ts-check` JavaScript
// (`@param {import('../../types/hookd').HookEvent<'media.added'>} event`) or TypeScript
// (`import type { HookEvent, HookContext } from '../../types/hookd.ts'`). Types only: no runtime.

// ---------------------------------------------------------------------------------------------
// Payloads of the default catalog. Every payload may carry more fields than its schema names
// (the schemas do not forbid them), hence the index signatures.

/** `media.added`: a movie, series or album was added to the library. */
export interface MediaAddedPayload {
  title: string;
  mediaType?: 'movie' | 'series' | 'episode' | 'album' | 'book' | 'other';
  year?: number;
  tmdbId?: number;
  tvdbId?: number;
  genres?: string[];
  tags?: string[];
  qualityProfile?: string;
  path?: string;
  [field: string]: unknown;
}

/** `media.updated`: a library item's metadata or settings changed. */
export interface MediaUpdatedPayload {
  title: string;
  [field: string]: unknown;
}

/** `media.removed`: a library item was removed. */
export interface MediaRemovedPayload {
  title: string;
  deleteFiles?: boolean;
  [field: string]: unknown;
}

/** `media.imported`: a downloaded file was imported into the library. */
export interface MediaImportedPayload {
  title: string;
  path?: string;
  quality?: string;
  [field: string]: unknown;
}

/** `download.grabbed`: a release was sent to the download client. */
export interface DownloadGrabbedPayload {
  title: string;
  downloadId?: string;
  indexer?: string;
  /** Bytes. */
  size?: number;
  [field: string]: unknown;
}

/** `download.completed`: a download finished. */
export interface DownloadCompletedPayload {
  title: string;
  downloadId?: string;
  path?: string;
  /** Bytes. */
  size?: number;
  [field: string]: unknown;
}

/** `download.failed`: a download failed. */
export interface DownloadFailedPayload {
  title: string;
  downloadId?: string;
  reason?: string;
  [field: string]: unknown;
}

/** `search.completed`: a search for releases finished. */
export interface SearchCompletedPayload {
  query?: string;
  results?: number;
  [field: string]: unknown;
}

/** `library.scan.completed`: a library scan finished. */
export interface LibraryScanCompletedPayload {
  path?: string;
  files?: number;
  durationMs?: number;
  [field: string]: unknown;
}

/** `health.issue`: the application reports a health problem. */
export interface HealthIssuePayload {
  message: string;
  level?: 'info' | 'warning' | 'error';
  source?: string;
  [field: string]: unknown;
}

/** `config.updated`: the application's configuration changed (no schema). */
export type ConfigUpdatedPayload = Record<string, unknown>;

/**
 * Event type -> payload, for the business events of the default catalog (the ones hooks get).
 * A catalog of your own can add its types by declaration merging:
 * ```ts
 * declare module '../../types/hookd.ts' {
 *   interface EventPayloads { 'backup.finished': { path: string; bytes: number } }
 * }
 * ```
 */
export interface EventPayloads {
  'media.added': MediaAddedPayload;
  'media.updated': MediaUpdatedPayload;
  'media.removed': MediaRemovedPayload;
  'media.imported': MediaImportedPayload;
  'download.grabbed': DownloadGrabbedPayload;
  'download.completed': DownloadCompletedPayload;
  'download.failed': DownloadFailedPayload;
  'search.completed': SearchCompletedPayload;
  'library.scan.completed': LibraryScanCompletedPayload;
  'health.issue': HealthIssuePayload;
  'config.updated': ConfigUpdatedPayload;
}

/** An event type hooks can subscribe to. */
export type EventType = keyof EventPayloads;

/** The payload of event type `T` (`unknown` for a type the catalog types do not know). */
export type PayloadOf<T extends string> = T extends EventType ? EventPayloads[T] : unknown;

// ---------------------------------------------------------------------------------------------
// The event and the context.

/**
 * What a hook receives as its first argument. Read-only: the event is hardened, so a filter
 * returns a change instead of editing `event.payload`.
 * ```js
 * /** @param {import('../../types/hookd').HookEvent<'media.added'>} event *\/
 * export default function (event) { return event.payload.title; }
 * ```
 * Without a type argument it is a union discriminated by `type`: `if (event.type ===
 * 'media.added') event.payload.genres` narrows.
 */
export type HookEvent<T extends string = EventType> = T extends string
  ? {
      /** The event's id, as returned by `POST /events`. */
      readonly id: string;
      /** Its type, such as `media.added`. */
      readonly type: T;
      /** When the application says it happened (ISO 8601). */
      readonly occurredAt: string;
      /** The data, as the previous filter left it (filters run in priority order). */
      readonly payload: Readonly<PayloadOf<T>>;
    }
  : never;

/** Log levels of `ctx.log`, as stored with each invocation. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * `ctx.log.info('copied', n, 'files')`: lines in this call's invocation log
 * (`GET /hooks/:id/invocations`, `hookd run-hook`). Arguments are formatted as `console.log`
 * does; a call keeps `runtime.maxLogSize` (64 KiB) of output. `console.*` writes there too.
 */
export type HookLog = Record<LogLevel, (...args: unknown[]) => void>;

/** The AbortSignal a hook sees: it aborts when the call reaches its deadline. */
export interface HookSignal {
  readonly aborted: boolean;
  /** A `TimeoutError` once aborted. */
  readonly reason: unknown;
  /** Throws the `TimeoutError` once the deadline has passed: call it between steps of long work. */
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: (event: { type: 'abort' }) => void): void;
  removeEventListener(type: 'abort', listener: (event: { type: 'abort' }) => void): void;
}

/** One `ctx.progress` update. */
export interface ProgressUpdate {
  /** One progress bar among several; absent = the call's main one. At most 128 characters. */
  key?: string;
  /** 0 to 100. */
  pct?: number;
  /** Cut to 1 KiB. */
  message?: string;
  /** JSON data, at most 4 KiB, nested at most `events.maxDepth` - 1 (63) levels. */
  data?: unknown;
}

/**
 * `ctx.progress({ pct: 40, message: 'copying' })`: live progress on `GET /stream` (as
 * `hook.progress`) and in `hookd run-hook`'s output. Batched per ~50 ms (latest wins per key),
 * at most 1000 updates per call. Throws a TypeError only for a malformed update.
 */
export type HookProgress = (update: ProgressUpdate) => void;

/**
 * `ctx.emit('media.matched', { id })`: raises a business event of the catalog once this call
 * ends (`ok` or a thrown error; lost on timeout or crash). JSON payload up to 64 KiB, nested
 * at most `events.maxDepth` (64) levels (deeper throws a RangeError), at most 100 per call.
 * The event is dispatched like a posted one, never to the hook that raised it.
 */
export type HookEmit = (type: EventType | (string & {}), payload?: unknown) => void;

/** Response headers: read-only, names case-insensitive. */
export interface HookHeaders {
  get(name: string): string | null;
  has(name: string): boolean;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  forEach(callback: (value: string, name: string) => void): void;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

/** A web-like Response whose body is already read (up to `runtime.maxFetchResponse`, 1 MiB). */
export interface HookResponse {
  readonly status: number;
  readonly statusText: string;
  /** `status` is 200..299. */
  readonly ok: boolean;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: HookHeaders;
  text(): Promise<string>;
  json(): Promise<any>;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
}

/** `ctx.fetch`'s options: a subset of the web's RequestInit. */
export interface HookRequestInit {
  /** GET by default. CONNECT, TRACE and TRACK are refused. */
  method?: string;
  headers?: Record<string, string> | Array<[string, string]>;
  /** A string (content-type text/plain unless set: send JSON with `JSON.stringify` and a content-type), bytes, or URLSearchParams (a form). */
  body?: string | Uint8Array | ArrayBuffer | URLSearchParams;
  redirect?: 'follow' | 'manual' | 'error';
}

/**
 * `await ctx.fetch(url, init)`: HTTP(S) to the hosts in the hook's `permissions.net` only
 * (checked at every redirect hop, on the resolved address). Ends at the call's deadline.
 * A refused host throws `net access to "x:443" not granted: add it to permissions.net`.
 */
export type HookFetch = (input: string | URL, init?: HookRequestInit) => Promise<HookResponse>;

/**
 * `ctx.env.NAME`: the values of the names in `permissions.env` that are set (the config's
 * `secrets:` first, then the daemon's environment). Reading an UPPER_CASE name that is not
 * granted (or not set) throws; test with `'NAME' in ctx.env`. Values are replaced by
 * `[redacted]` in everything the call leaves behind (logs, errors, its result, emitted
 * payloads, progress); only `ctx.fetch` sends them as they are. `HOOKD_*` names and hookd's
 * own tokens are never granted.
 */
export type HookEnv = Readonly<Record<string, string>>;

/**
 * An answer of an *arr app outside 2xx, thrown by `ctx.apps.<app>` methods (3xx too: redirects
 * are not followed). The message quotes the method, the path and the start of the body.
 * ```js
 * try {
 *   await ctx.apps.radarr.get('/api/v3/movie/999');
 * } catch (err) {
 *   if (err.name === 'AppResponseError' && err.status === 404) return; // gone meanwhile
 *   throw err;
 * }
 * ```
 */
export interface AppResponseError extends Error {
  readonly name: 'AppResponseError';
  readonly code: 'APP_RESPONSE';
  /** The HTTP status, e.g. 400, 401, 404. */
  readonly status: number;
  /** The answer's body: parsed JSON (Radarr's validation errors are an array), its text, or null. */
  readonly body: unknown;
}

/**
 * One *arr app's REST API (`ctx.apps.radarr`), relative to its base URL in the config's
 * `integrations.<app>.url`. hookd adds the `X-Api-Key` header; the hook never sees the key, and
 * the key is replaced by `[redacted]` in anything the app answers.
 *
 * Every method resolves to the answer's body parsed as JSON (`null` when empty, the text when it
 * is not JSON). It throws:
 * - an {@link AppResponseError} (`status`, `body`) for an answer outside 2xx;
 * - a `PermissionDeniedError` (recorded with the invocation) for a path that is not a plain
 *   relative path under the base URL: it must start with one `/`, with no scheme, host, `\`, `#`,
 *   `.`/`..` segment (also percent-encoded) or encoded `/`;
 * - an error with `code: 'APP_NOT_CONFIGURED'` when `integrations.<app>` is missing (or its
 *   secret is not set);
 * - a `TimeoutError` at the call's deadline, a `RangeError` for an answer or a body over
 *   `runtime.maxFetchResponse` (1 MiB), a `TypeError` when the app cannot be reached.
 *
 * ```js
 * // Radarr wants the whole movie back: GET it, change it, PUT it.
 * const movie = await ctx.apps.radarr.get(`/api/v3/movie/${event.payload.ids.radarr}`);
 * movie.qualityProfileId = 7;
 * await ctx.apps.radarr.put(`/api/v3/movie/${movie.id}`, movie);
 * const tag = await ctx.apps.sonarr.post('/api/v3/tag', { label: 'anime' });
 * await ctx.apps.radarr.delete('/api/v3/movie/12?deleteFiles=false');
 * ```
 */
export interface HookAppClient {
  /** `GET path`, e.g. `/api/v3/movie/42`, `/api/v3/qualityprofile`, `/api/v3/series?tvdbId=1`. */
  get<T = any>(path: string): Promise<T>;
  /** `POST path` with `body` sent as JSON. */
  post<T = any>(path: string, body?: unknown): Promise<T>;
  /** `PUT path` with `body` sent as JSON: the apps want the whole resource, not the changed fields. */
  put<T = any>(path: string, body?: unknown): Promise<T>;
  /** `DELETE path`. */
  delete<T = any>(path: string): Promise<T>;
}

/**
 * `ctx.apps.<name>`: one {@link HookAppClient} per entry of `permissions.apps` (`radarr`,
 * `sonarr`, `lidarr`, `readarr`, `prowlarr`, `whisparr`, or an instance such as `ctx.apps['radarr/4k']`).
 * Reading an app that is not granted throws `apps access to "sonarr" not granted: add it to
 * permissions.apps`.
 */
export type HookApps = Readonly<Record<string, HookAppClient>>;

/**
 * A hook's second argument.
 * ```js
 * export default async function (event, ctx) {
 *   ctx.log.info('got', event.type, 'in', ctx.hook.name);
 *   ctx.progress({ pct: 50 });
 *   if (ctx.fetch && ctx.env && 'NOTIFY_URL' in ctx.env) {
 *     await ctx.fetch(ctx.env.NOTIFY_URL, { method: 'POST', body: JSON.stringify({ title: 'hi' }) });
 *   }
 * }
 * ```
 */
export interface HookContext {
  /** Lines in this call's invocation log. */
  readonly log: HookLog;
  /** The running hook: `id` as in `GET /hooks`, `name` from the file name or `config.name`. */
  readonly hook: { readonly id: string; readonly name: string };
  /** Aborts at the call's deadline (`timeoutMs`, 5 s by default). */
  readonly signal: HookSignal;
  /** Live progress; every hook has it. */
  readonly progress: HookProgress;
  /** Raise catalog business events; every hook has it. */
  readonly emit: HookEmit;
  /** Present only when `permissions.net` names at least one host. */
  readonly fetch?: HookFetch;
  /** Present only when `permissions.env` names at least one variable. */
  readonly env?: HookEnv;
  /** Present only when `permissions.apps` names at least one *arr app. */
  readonly apps?: HookApps;
}

// ---------------------------------------------------------------------------------------------
// What a hook exports.

/** Deny by default: a hook gets only what these name. */
export interface Permissions {
  /**
   * Hosts `ctx.fetch` may reach: `host`, `host:port`, `*.domain[:port]`, IP literals
   * (`192.168.1.10:8123`, `[::1]:8080`). No port = any port. Loopback and private addresses
   * only when an entry names that IP or `localhost`.
   */
  net?: string[];
  /** Names readable as `ctx.env.NAME` (from the config's `secrets:` or the daemon's environment). */
  env?: string[];
  /**
   * *arr apps callable as `ctx.apps.<app>`: `radarr`, `sonarr`, `lidarr`, `readarr`, `prowlarr`, `whisparr`,
   * or one instance (`radarr/4k`), each set up in the config's `integrations` (`url`, `apiKey`).
   */
  apps?: Array<'radarr' | 'sonarr' | 'lidarr' | 'readarr' | 'prowlarr' | 'whisparr' | `${'radarr' | 'sonarr' | 'lidarr' | 'readarr' | 'prowlarr' | 'whisparr'}/${string}`>;
}

/**
 * `export const config = { ... }`: literal values only (it is read without running the file).
 * In `hooks/<event-type>/NN-name.js` the folder gives `events` and `NN` the `priority`; a file
 * at the top of the hooks directory must give `events` and `mode` here.
 */
export interface HookConfig {
  /** Defaults to the file name without `NN-` and extension. Letters, digits, `.`, `_`, `-`. */
  name?: string;
  /** Event types or patterns (`download.*`); each must match a catalog type. */
  events?: string[];
  /** `action` (default for files): runs after the event is stored. `filter`: may change the payload. */
  mode?: 'filter' | 'action';
  /** Lower runs first; default 100 (or `NN` from the file name). */
  priority?: number;
  /** The call's deadline in ms (default `runtime.timeout`, 5 s; at most `runtime.maxTimeout`). */
  timeoutMs?: number;
  /** A memory profile of `runtime.profiles`: `default` (64 MiB heap) or `large` (256 MiB). */
  limits?: string;
  /** `false` keeps the file loaded but not run. */
  enabled?: boolean;
  permissions?: Permissions;
  description?: string;
}

/** A JSON merge patch (RFC 7396) of `T`: fields to set, `null` to delete one; arrays are replaced whole. */
export type MergePatch<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: MergePatch<T[K]> | null }
    : T;

/**
 * What a filter returns: nothing (`undefined`/`null`: no change), `{ patch }` (a merge patch of
 * the payload: the usual way), or a whole new payload. The result must still match the event
 * type's schema, or it is discarded (`invalid-output`).
 */
export type FilterResult<T extends string = EventType> =
  | void
  | null
  | undefined
  | { patch: MergePatch<PayloadOf<T>> }
  | PayloadOf<T>;

/** A filter hook's default export. */
export type FilterHook<T extends string = EventType> = (
  event: HookEvent<T>,
  ctx: HookContext,
) => FilterResult<T> | Promise<FilterResult<T>>;

/** An action hook's default export: its result (JSON data) is kept in the invocation log. */
export type ActionHook<T extends string = EventType> = (event: HookEvent<T>, ctx: HookContext) => unknown;
