// Authentication as the *arr apps can send it: HTTP Basic (the apps' Webhook has only a user
// name and a password) with a hookd token as the password and any user name, or
// Authorization: Bearer through the apps' custom headers. A refusal challenges for Basic.
import type { Middleware } from 'koa';
import type { Principal } from '../api/auth.ts';
import { errors, isHookdError } from '../errors.ts';

export interface CredentialsDeps {
  /** The API's authenticator (api/auth.ts identify): a Bearer header to its principal, or a 401. */
  identify: (header: string, socket?: object) => Promise<Principal>;
  /** Told of every refusal, with the app named in the path (metrics). */
  onRefused?: (app: string) => void;
}

export const BASIC_CHALLENGE = 'Basic realm="hookd"';

export function createIntegrationAuth(deps: CredentialsDeps): Middleware {
  return async (ctx, next) => {
    try {
      ctx.state.principal = await deps.identify(asBearer(ctx.get('authorization')), ctx.req.socket);
    } catch (err) {
      if (isHookdError(err) && err.status === 401) {
        ctx.set('WWW-Authenticate', BASIC_CHALLENGE);
        deps.onRefused?.(String((ctx.params as Record<string, string> | undefined)?.app ?? ''));
      }
      throw err;
    }
    await next();
  };
}

/** The presented token as the Bearer header the API's authenticator reads. */
export function asBearer(header: string): string {
  if (header === '') {
    throw errors.unauthorized('missing credentials: set the connection\'s Password to a hookd token with the "events" scope (HTTP Basic), or send Authorization: Bearer <token>');
  }
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!basic) return header; // Bearer, or something the authenticator refuses with its own message
  // The apps encode user:password as ISO-8859-1; a token is ASCII either way.
  const decoded = Buffer.from(basic[1]!, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  if (password === '') throw errors.unauthorized('HTTP Basic without a password: the password must be a hookd token with the "events" scope (the user name is ignored)');
  if (!/^\S+$/.test(password)) throw errors.unauthorized('invalid token');
  return `Bearer ${password}`;
}
