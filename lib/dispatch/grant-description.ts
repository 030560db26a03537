// A hook's permissions spelled out as what they reach now (GET /hooks answers, the dashboard's
// grant text): the hosts ctx.fetch may ask, where each ctx.env name's value comes from (never
// the value), whether each ctx.apps app is configured, and the types ctx.emit may raise.
import type { Catalog } from '../catalog.ts';
import { resolveAppEndpoint, type IntegrationConfig } from '../config/integrations.ts';
import type { HookRecord } from '../db/hooks-store.ts';
import type { EnvGrants } from '../env-grants.ts';
import { emittableTypes } from './hook-grants.ts';

export interface GrantDescription {
  progress: true;
  emit: string[];
  fetch: { hosts: string[]; maxResponseBytes: number };
  env: Array<{ name: string; from: 'secrets' | 'environment' | 'unset' | 'refused' }>;
  apps: Array<{ name: string; ready: boolean; problem?: string }>;
}

export interface GrantDescriberDeps {
  catalog: Catalog;
  envGrants: Pick<EnvGrants, 'sourceOf' | 'resolve'>;
  integrations: Readonly<Record<string, IntegrationConfig>>;
  maxResponseBytes: number;
}

export function createGrantDescriber(deps: GrantDescriberDeps) {
  const emit = emittableTypes(deps.catalog);
  const lookUpSecret = (secret: string) => deps.envGrants.resolve([secret])[secret];
  return function describeGrant(permissions: HookRecord['permissions']): GrantDescription {
    return {
      progress: true,
      emit,
      fetch: { hosts: permissions.net ?? [], maxResponseBytes: deps.maxResponseBytes },
      env: (permissions.env ?? []).map((name) => ({ name, from: deps.envGrants.sourceOf(name) })),
      apps: (permissions.apps ?? []).map((name) => {
        const endpoint = resolveAppEndpoint(deps.integrations, name, lookUpSecret);
        return 'problem' in endpoint ? { name, ready: false, problem: endpoint.problem } : { name, ready: true };
      }),
    };
  };
}

export type DescribeGrant = ReturnType<typeof createGrantDescriber>;
