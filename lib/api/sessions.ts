// Dashboard sessions: a hookd token exchanged for an opaque session id in an HttpOnly,
// SameSite=Strict cookie. Only a digest of the id is stored; the token's digest is kept too and
// looked up again at each use, so a session has the token's current scopes and ends with it.
// A state-changing request authenticated by the cookie must carry the session's CSRF token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { SessionRecord, SessionsStore } from '../db/sessions-store.ts';
import { errors } from '../errors.ts';
import { digestToken } from '../tokens.ts';
import type { Principal } from './auth.ts';

export const SESSION_COOKIE = 'hookd_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionsConfig {
  ttlMs: number;
  /** 0: no idle timeout. */
  idleTimeoutMs: number;
  /** auto: Secure when the request came over TLS. */
  secureCookie: 'auto' | boolean;
}

export interface ActiveSession {
  principal: Principal;
  csrfToken: string;
  expiresAt: number;
  idHash: string;
}

export interface SessionsDeps {
  store: SessionsStore;
  /** The token with this digest as it is now (the authenticator's findByDigest). */
  findByDigest: (digest: Buffer) => Promise<{ principal: Principal } | undefined>;
  config: SessionsConfig;
  now?: () => number;
}

const hashId = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createSessions(deps: SessionsDeps) {
  const now = deps.now ?? Date.now;
  const { ttlMs, idleTimeoutMs } = deps.config;
  // last_seen_at is written at most this often: an idle timeout needs it, not a write per request.
  const touchEveryMs = idleTimeoutMs > 0 ? Math.min(60_000, Math.max(1, Math.floor(idleTimeoutMs / 4))) : Number.POSITIVE_INFINITY;

  function writeCookie(ctx: Context, value: string, maxAgeSeconds: number): void {
    const secure = deps.config.secureCookie === 'auto' ? ctx.secure : deps.config.secureCookie;
    const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
    if (secure) parts.push('Secure');
    ctx.append('Set-Cookie', parts.join('; '));
  }

  /** The live session the request's cookie names; undefined without a cookie; 401 for an ended one. */
  async function resolve(ctx: Context): Promise<ActiveSession | undefined> {
    const id = ctx.cookies.get(SESSION_COOKIE);
    if (!id) return undefined;
    const idHash = hashId(id);
    const record = await deps.store.find(idHash);
    if (!record) throw errors.sessionEnded('not found (signed out or expired)');
    const at = now();
    const ended = endReason(record, at);
    if (ended) {
      await deps.store.remove(idHash);
      throw errors.sessionEnded(ended);
    }
    const token = await deps.findByDigest(Buffer.from(record.tokenHash, 'hex'));
    if (!token) {
      await deps.store.remove(idHash);
      throw errors.sessionEnded('ended: the token it was opened with no longer exists');
    }
    if (at - record.lastSeenAt >= touchEveryMs) await deps.store.touch(idHash, at);
    return { principal: token.principal, csrfToken: record.csrf, expiresAt: record.expiresAt, idHash };
  }

  function endReason(record: SessionRecord, at: number): string | undefined {
    if (at >= record.expiresAt) return 'expired';
    if (idleTimeoutMs > 0 && at - record.lastSeenAt >= idleTimeoutMs) return 'expired after being idle';
    return undefined;
  }

  function checkCsrf(ctx: Context, session: ActiveSession): void {
    if (SAFE_METHODS.has(ctx.method)) return;
    const sent = ctx.get(CSRF_HEADER);
    if (!sent || !sameText(sent, session.csrfToken)) throw errors.csrf(ctx.method);
  }

  return {
    /** Opens a session for a token (401 when it is not one); sets the cookie. */
    async signIn(ctx: Context, token: string): Promise<ActiveSession> {
      const digest = digestToken(token);
      const found = await deps.findByDigest(digest);
      if (!found) throw errors.unauthorized('invalid token');
      const id = randomBytes(32).toString('base64url');
      const at = now();
      const record: SessionRecord = {
        idHash: hashId(id),
        tokenHash: digest.toString('hex'),
        csrf: randomBytes(24).toString('base64url'),
        createdAt: at,
        expiresAt: at + ttlMs,
        lastSeenAt: at,
      };
      await deps.store.insert(record);
      writeCookie(ctx, id, Math.floor(ttlMs / 1000));
      return { principal: found.principal, csrfToken: record.csrf, expiresAt: record.expiresAt, idHash: record.idHash };
    },

    /** The request's session (CSRF-checked for state changes), 401 when there is none. */
    async require(ctx: Context): Promise<ActiveSession> {
      const session = await resolve(ctx);
      if (!session) throw errors.unauthorized(`no session: sign in with POST /session (the ${SESSION_COOKIE} cookie is missing)`);
      checkCsrf(ctx, session);
      return session;
    },

    async signOut(ctx: Context, session: ActiveSession): Promise<void> {
      await deps.store.remove(session.idHash);
      writeCookie(ctx, '', 0);
    },

    /**
     * Authentication for every API route: a request with an Authorization header (or
     * ?access_token=) goes to `bearer` unchanged; otherwise the session cookie authenticates it
     * with its token's scopes, and a state change needs the CSRF header.
     */
    authenticate(bearer: Middleware): Middleware {
      return async (ctx, next) => {
        if (ctx.get('authorization') || !ctx.cookies.get(SESSION_COOKIE)) return bearer(ctx, next);
        const session = (await resolve(ctx))!;
        checkCsrf(ctx, session);
        ctx.state.principal = session.principal;
        ctx.state.session = session;
        await next();
      };
    },

    pruneExpired: (at: number) => deps.store.pruneExpired(at),
  };
}

export type Sessions = ReturnType<typeof createSessions>;
