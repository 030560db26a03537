// What a hook may use besides plain JavaScript, decided per call from its permissions (deny
// by default): progress always; emit of the catalog's business types; fetch to the hosts of
// permissions.net; the variables named in permissions.env, as lib/env-grants.ts resolves them;
// the *arr apps of permissions.apps, with the endpoints (and keys) only the sandbox host reads.
import type { Catalog } from '../catalog.ts';
import { resolveAppEndpoint, type IntegrationConfig } from '../config/integrations.ts';
import type { HookRecord } from '../db/hooks-store.ts';

export interface GrantsDeps {
  catalog: Catalog;
  maxResponseBytes: number;
  /** config events.maxDepth: how deep emitted payloads and progress data may nest. */
  maxJsonDepth: number;
  /** Values of the named variables that may be granted (EnvGrants.resolve); others are absent. */
  resolveEnv: (names: readonly string[]) => Record<string, string>;
  /** config `integrations`: what permissions.apps names; keys named as secrets come through resolveEnv. */
  integrations: Readonly<Record<string, IntegrationConfig>>;
}

/** What ctx.emit may raise: the catalog's business events, but never hookd's own meta events. */
export function emittableTypes(catalog: Catalog): string[] {
  return catalog
    .list()
    .filter((t) => t.kind === 'business' && !t.meta)
    .map((t) => t.name);
}

export function createGrants(deps: GrantsDeps) {
  const emittable = emittableTypes(deps.catalog);

  return function grantsFor(hook: Pick<HookRecord, 'permissions'>): Record<string, unknown> {
    const grants: Record<string, unknown> = { progress: true, emit: { types: emittable }, maxJsonDepth: deps.maxJsonDepth };
    const net = hook.permissions.net ?? [];
    if (net.length > 0) grants.net = { allow: net, maxResponseBytes: deps.maxResponseBytes };
    const env = hook.permissions.env ?? [];
    if (env.length > 0) grants.env = deps.resolveEnv(env);
    const apps = hook.permissions.apps ?? [];
    if (apps.length > 0) {
      const lookUpSecret = (secret: string) => deps.resolveEnv([secret])[secret];
      const endpoints = Object.fromEntries(apps.map((name) => [name, resolveAppEndpoint(deps.integrations, name, lookUpSecret)]));
      grants.apps = { names: apps, maxResponseBytes: deps.maxResponseBytes, endpoints };
    }
    return grants;
  };
}
