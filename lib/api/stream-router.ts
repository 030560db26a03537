// GET /stream: Server-Sent Events of progress, business events and hook outcomes, filtered by
// ?types=, resuming business events after Last-Event-ID from the events table. Also the
// ?access_token= bridge, because a browser EventSource cannot send an Authorization header.
import type { Context, Middleware } from 'koa';
import type { Config } from '../config/index.ts';
import { PAGE_BYTES } from '../db/bounded-page.ts';
import type { EventsStore } from '../db/events-store.ts';
import { payloadAt } from '../events/index.ts';
import { frameControl, frameMessage } from '../progress/sse-frame.ts';
import type { StreamConnection, StreamHub } from '../progress/stream-hub.ts';
import { parseTypeFilter } from '../progress/type-filter.ts';
import { isHookdError } from '../errors.ts';
import { allowsScope, type Principal } from './auth.ts';
import { TYPES_PARAM } from './progress-router.ts';
import { MAX_ID_LENGTH } from './request-params.ts';
import { createRouteTable, defineRoute } from './route.ts';

export interface StreamRouterDeps {
  hub: StreamHub;
  events: EventsStore;
  /** Every catalog type's name: what a ?types= pattern can stand for in the replay query. */
  catalogTypes: readonly string[];
  config: Config['stream'];
  /** The app's authentication, run again on a stream's request when its access is rechecked (a reload). */
  authenticate: Middleware;
  /**
   * Several daemons: resolves once the others know this one has a stream client (they send it
   * their business events and hook outcomes only then); awaited before the headers go out.
   */
  announce?: () => Promise<void>;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // The connection ends with the stream, so a dropped or stopped stream frees its socket.
  connection: 'close',
  'x-accel-buffering': 'no', // nginx would otherwise buffer the stream
};

const STREAM_DOC = [
  'Server-Sent Events: progress, business events and hook outcomes (`event: hook.executed`). Each frame is `event: <type>` and one JSON line',
  '`{"channel":"progress"|"event"|"hook","type","id"?,"key"?,"payload","at"}`; business events carry `id:`. Reconnecting with',
  `Last-Event-ID (or ?lastEventId=) replays the stored events after it (up to stream.replayLimit, read in pages of at most 100 events and a quarter of stream.clientQueueBytes of their JSON, flushed one after the other), then goes on live; a \`gap\` event says when`,
  'that was not possible. `: ping` heartbeats every stream.heartbeat. A client that stops reading is sent an `error` event (SLOW_CLIENT) and dropped.',
].join(' ');

export const STREAM_ROUTES = {
  open: defineRoute({
    operationId: 'openStream',
    method: 'GET',
    path: '/stream',
    tag: 'streams',
    summary: 'A live stream of progress, events and hook outcomes (Server-Sent Events)',
    description: `${STREAM_DOC} Each token may hold stream.maxClientsPerToken streams of stream.maxClients in all.`,
    auth: { scope: 'events', queryToken: true },
    query: {
      type: 'object',
      properties: {
        types: TYPES_PARAM,
        lastEventId: { type: 'string', maxLength: MAX_ID_LENGTH, description: 'Resume after this event (for clients that cannot send Last-Event-ID).' },
      },
    },
    headers: {
      type: 'object',
      properties: { 'last-event-id': { type: 'string', description: 'Resume after this event id (what EventSource sends on reconnect).' } },
    },
    responses: {
      200: { description: 'The stream, for as long as it lasts.', contentType: 'text/event-stream', schema: { type: 'string', description: STREAM_DOC } },
    },
    errors: ['TOO_MANY_STREAMS_FOR_TOKEN', 'TOO_MANY_STREAMS', 'SHUTTING_DOWN'],
  }),
} as const;

export function createStreamRouter(deps: StreamRouterDeps) {
  const routes = createRouteTable();
  // Replay pages never exceed the client queue, so replaying alone cannot get a client dropped:
  // in messages, and in bytes too. The store counts stored characters and a frame's UTF-8 may
  // be up to 3 bytes each plus its envelope, so a page holds at most a quarter of the queue's
  // bytes (one event always: it is written before anything queues); at most the store's bound.
  const pageSize = Math.min(100, deps.config.clientQueueLimit);
  const pageBytes = Math.min(PAGE_BYTES, Math.floor(deps.config.clientQueueBytes / 4));

  routes.add(STREAM_ROUTES.open, async (ctx, { query, headers }) => {
    const filter = parseTypeFilter(query.types, { parameter: 'types', catalogTypes: deps.catalogTypes });
    const lastEventId = headers['last-event-id'] || query.lastEventId || '';
    const owner = (ctx.state.principal as Principal).name;
    // Everything that can fail with a clean 4xx/5xx happens before the headers go out.
    // An id longer than any event id cannot be known: it is a gap, like any unknown id.
    const resumeFrom = lastEventId && lastEventId.length <= MAX_ID_LENGTH ? await deps.events.get(lastEventId) : undefined;
    if (ctx.method !== 'HEAD') await deps.announce?.();
    deps.hub.assertCanOpen(owner); // after the last wait: nothing between it and open() can fill the slots

    ctx.status = 200;
    // HEAD (koa-router serves it with GET) asks for the headers: never open a stream nobody reads.
    if (ctx.method === 'HEAD') {
      ctx.set(SSE_HEADERS);
      return;
    }
    ctx.respond = false; // the stream is written to ctx.res directly, for as long as it lasts
    ctx.req.socket.setNoDelay(true);
    ctx.res.writeHead(200, SSE_HEADERS);
    // Subscribed before the replay query: an event committed meanwhile is held and sent
    // after the replay (or skipped if the replay already had it), never lost.
    const conn = deps.hub.open(ctx.res, { matches: filter.matches, replaying: resumeFrom !== undefined, owner, allowed: () => stillAllowed(ctx) });
    if (lastEventId && !resumeFrom) {
      const shown = lastEventId.slice(0, MAX_ID_LENGTH);
      conn.send(frameControl('gap', { reason: 'unknown-last-event-id', lastEventId: shown, hint: 'read what you missed with GET /events' }));
    }
    if (resumeFrom) {
      try {
        await replay(conn, resumeFrom.seq, filter.types);
      } catch (error) {
        conn.send(frameControl('error', { code: 'INTERNAL', message: 'the replay failed; reconnect to retry' }));
        conn.close();
        throw error; // the error middleware logs it with the request id; the response is already out
      }
    }
  });

  /** Whether the request that opened a stream would open it now: same credential (token, query token or session), same scope. */
  async function stillAllowed(ctx: Context): Promise<boolean> {
    try {
      await deps.authenticate(ctx, async () => {});
    } catch (err) {
      // A refusal ends the stream; anything else (the database for a moment) is no answer: it stays.
      if (isHookdError(err) && (err.status === 401 || err.status === 403)) return false;
      return true;
    }
    return allowsScope(ctx.state.principal as Principal, STREAM_ROUTES.open.auth.scope);
  }

  async function replay(conn: StreamConnection, afterSeq: number, types: string[] | undefined): Promise<void> {
    const replayed = new Set<string>();
    let seq = afterSeq;
    let more = true;
    while (more && !conn.isClosed() && replayed.size < deps.config.replayLimit) {
      // 100 events near server.bodyLimit were read at once (~200 MB) and overflowed the queue.
      const page = await deps.events.listAfterSeq(seq, types, { limit: Math.min(pageSize, deps.config.replayLimit - replayed.size), maxBytes: pageBytes });
      for (const e of page.items) {
        // The same payload live SSE sends (the final one): a replayed event must not differ from the live one.
        conn.send(frameMessage({ channel: 'event', type: e.type, id: e.id, data: payloadAt(e, 'final'), at: e.occurredAt }));
        replayed.add(e.id);
      }
      more = page.more;
      if (!more) break;
      seq = page.items.at(-1)!.seq;
      await conn.whenFlushed();
    }
    if (more && !conn.isClosed()) {
      conn.send(
        frameControl('gap', {
          reason: 'replay-limit',
          replayed: replayed.size,
          hint: 'more events were missed than stream.replayLimit; read the rest with GET /events',
        }),
      );
    }
    conn.goLive(replayed);
  }

  return routes.router;
}

/**
 * Wraps authentication so GET on `paths` also accepts ?access_token=<token> when no
 * Authorization header is sent (config stream.queryToken). Tokens in URLs can reach proxy
 * logs; hookd's own request log records the path without the query.
 */
export function acceptQueryToken(authenticate: Middleware, paths: readonly string[]): Middleware {
  return (ctx, next) => {
    if (ctx.method === 'GET' && paths.includes(ctx.path) && !ctx.get('authorization')) {
      const token = ctx.query.access_token;
      if (typeof token === 'string' && token !== '') ctx.req.headers.authorization = `Bearer ${token}`;
    }
    return authenticate(ctx, next);
  };
}
