// Bearer-token authentication and scope checks. Presented tokens are digested and compared in
// constant time against every configured digest; tokens made by the CLI are looked up by digest.
// A keep-alive connection that authenticated with a configured token skips the digest while
// it keeps sending the same header (see remembered below). The configured tokens change only at
// a reload (setTokens, on SIGHUP), which forgets every remembered header.
import { timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Scope } from '../config/index.ts';
import type { TokensStore } from '../db/tokens-store.ts';
import { errors } from '../errors.ts';
import { digestToken } from '../tokens.ts';

export interface Principal {
  name: string;
  scopes: readonly string[];
}

export interface KnownToken {
  name: string;
  token: string;
  scopes: readonly string[];
}

export function createAuthenticator(deps: { tokens: readonly KnownToken[]; store: TokensStore }) {
  let configured = digestTokens(deps.tokens);

  // Per socket: the exact Authorization header that last authenticated on it with a configured
  // token, and the principal. Hashing the token was the costliest step of a small POST. Safe:
  // the header is compared in constant time (a proxy may carry several clients on one
  // upstream socket), a hit only means the client sent a header it already holds, setTokens
  // starts a new table (a removed token is refused on the connection's next request, a changed
  // scope applies to it), and CLI tokens (revocable at any time) are never cached.
  let remembered = new WeakMap<object, { header: Buffer; principal: Principal }>();

  function recall(socket: object, header: string): Principal | undefined {
    const entry = remembered.get(socket);
    if (!entry) return undefined;
    const presented = Buffer.alloc(entry.header.length);
    presented.write(header, 'utf8');
    // Both checks always run; the byte length depends only on what the client sent.
    const sameLength = Buffer.byteLength(header, 'utf8') === entry.header.length;
    const sameBytes = timingSafeEqual(presented, entry.header);
    return sameLength && sameBytes ? entry.principal : undefined;
  }

  async function identify(header: string, socket?: object): Promise<Principal> {
    const known = socket && recall(socket, header);
    if (known) return known;
    const { principal, configured } = await identifyByDigest(header);
    if (socket && configured) remembered.set(socket, { header: Buffer.from(header, 'utf8'), principal });
    return principal;
  }

  async function identifyByDigest(header: string): Promise<{ principal: Principal; configured: boolean }> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw errors.unauthorized(
        header ? 'Authorization header must be "Bearer <token>"' : 'missing Authorization: Bearer <token> header',
      );
    }
    const found = await findByDigest(digestToken(match[1]!));
    if (!found) throw errors.unauthorized('invalid token');
    return found;
  }

  /** The token with this digest, configured or made by the CLI, as it is now (sessions re-check theirs at each use). */
  async function findByDigest(digest: Buffer): Promise<{ principal: Principal; configured: boolean } | undefined> {
    let found: Principal | undefined;
    // No early exit: every configured digest is compared, so timing says nothing about which matched.
    for (const k of configured) if (timingSafeEqual(k.digest, digest) && !found) found = k;
    if (found) return { principal: { name: found.name, scopes: found.scopes }, configured: true };
    found = await deps.store.findByHash(digest.toString('hex'));
    return found && { principal: { name: found.name, scopes: found.scopes }, configured: false };
  }

  const authenticate: Middleware = async (ctx, next) => {
    ctx.state.principal = await identify(ctx.get('authorization'), ctx.req.socket);
    await next();
  };

  /** Replaces the configured tokens (a config reload): what a connection presented before is checked again. */
  function setTokens(tokens: readonly KnownToken[]): void {
    configured = digestTokens(tokens);
    remembered = new WeakMap();
  }

  return { authenticate, identify, findByDigest, setTokens };
}

function digestTokens(tokens: readonly KnownToken[]) {
  return tokens.map((t) => ({ name: t.name, digest: digestToken(t.token), scopes: t.scopes }));
}

/** Admin may do everything; other scopes only what they name. */
export function allowsScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

/** Route guard: allowsScope for the request's principal. */
export function requireScope(scope: Scope): Middleware {
  return async (ctx, next) => {
    const principal = ctx.state.principal as Principal | undefined;
    if (!principal) throw errors.unauthorized('missing Authorization: Bearer <token> header');
    if (!allowsScope(principal, scope)) throw errors.forbidden(scope);
    await next();
  };
}
