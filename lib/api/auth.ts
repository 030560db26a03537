// Bearer-token authentication and scope checks. Presented tokens are digested and compared in
// constant time against every configured digest; tokens made by the CLI are looked up by digest.
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
  const known = deps.tokens.map((t) => ({ name: t.name, digest: digestToken(t.token), scopes: t.scopes }));

  async function identify(header: string): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw errors.unauthorized(
        header ? 'Authorization header must be "Bearer <token>"' : 'missing Authorization: Bearer <token> header',
      );
    }
    const digest = digestToken(match[1]!);
    let found: Principal | undefined;
    // No early exit: every configured digest is compared, so timing says nothing about which matched.
    for (const k of known) if (timingSafeEqual(k.digest, digest) && !found) found = k;
    found ??= await deps.store.findByHash(digest.toString('hex'));
    if (!found) throw errors.unauthorized('invalid token');
    return { name: found.name, scopes: found.scopes };
  }

  const authenticate: Middleware = async (ctx, next) => {
    ctx.state.principal = await identify(ctx.get('authorization'));
    await next();
  };

  return { authenticate, identify };
}

/** Route guard: admin may do everything; other scopes only what they name. */
export function requireScope(scope: Scope): Middleware {
  return async (ctx, next) => {
    const principal = ctx.state.principal as Principal | undefined;
    if (!principal) throw errors.unauthorized('missing Authorization: Bearer <token> header');
    if (!principal.scopes.includes('admin') && !principal.scopes.includes(scope)) throw errors.forbidden(scope);
    await next();
  };
}
