// ctx.env: the environment values the daemon granted this hook, by name, and nothing else.
// Reading an ungranted variable-like name is a recorded denial, not a silent undefined.
// Worker-only (needs lockdown()'s `harden`).
import { denyCapability } from './capability-errors.ts';
import type { CapabilityDeps } from './call.ts';

// Names that look like environment variables: reading one that is not granted is a denial.
// Anything else (then, toJSON, constructor: probes by tools and by await) is just undefined.
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * `ctx.env.NAME`: a granted environment value (a string). Granted by `grants.env`, which maps
 * names to values the daemon resolved (from its environment or config secrets); a hook never
 * sees the daemon's own environment.
 *
 * ```js
 * export default async function (event, ctx) {
 *   const res = await ctx.fetch(`https://api.themoviedb.org/3/movie/${event.payload.tmdbId}`, {
 *     headers: { authorization: `Bearer ${ctx.env.TMDB_API_KEY}` },
 *   });
 *   return res.json();
 * }
 * ```
 * - Read-only. `Object.keys(ctx.env)` lists the granted names; `'NAME' in ctx.env` tests one.
 * - Reading an UPPER_CASE name that is not granted throws
 *   `env access to "NAME" not granted: add it to permissions.env` (and is recorded).
 * - Granted values of 4 characters or more (and their JSON-escaped and URL-encoded forms) are
 *   replaced by `[redacted]` in everything the call leaves behind: logs, error messages and
 *   stacks, denials, the result, emitted payloads and progress. Only what it sends with
 *   `ctx.fetch` keeps them: that is what they are for.
 */
export type HookEnv = Readonly<Record<string, string>>;

export function buildEnv(deps: CapabilityDeps): HookEnv | undefined {
  const grant = deps.grants.env;
  if (!grant || typeof grant !== 'object') return undefined;
  const values: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(grant)) {
    if (typeof value === 'string') values[name] = value;
  }
  Object.freeze(values);
  const { call } = deps;
  return new Proxy(values, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      if (Object.hasOwn(target, name)) return target[name];
      if (ENV_NAME.test(name)) {
        throw denyCapability(call, 'env', name, `env access to "${name.slice(0, 200)}" not granted: add it to permissions.env`);
      }
      return undefined;
    },
  });
}
