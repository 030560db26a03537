// What a hook may use, decided from its permissions (deny by default): a table of permissions
// and the grants each leads to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCatalog } from '../../../lib/catalog.ts';
import type { HookPermissions } from '../../../lib/db/hooks-store.ts';
import { createGrants } from '../../../lib/dispatch/hook-grants.ts';

const catalog = createCatalog({
  'media.added': { kind: 'business' },
  'download.progress': { kind: 'progress' },
  'hook.executed': { kind: 'business', meta: true },
});
const ENV: Record<string, string> = { TMDB: 'tmdb-key', RADARR_KEY: 'radarr-key' };
const grantsFor = createGrants({
  catalog,
  maxResponseBytes: 1000,
  maxJsonDepth: 32,
  // Stands in for EnvGrants.resolve: a name it does not grant is absent.
  resolveEnv: (names) => Object.fromEntries(names.filter((n) => n in ENV).map((n) => [n, ENV[n]!])),
  integrations: { radarr: { url: 'http://radarr:7878', apiKey: { secret: 'RADARR_KEY' } }, sonarr: { url: 'http://sonarr:8989', apiKey: 'inline' } },
});

const cases: Array<[string, HookPermissions, Record<string, unknown>]> = [
  ['no permissions: progress and emit of business types only', {}, {}],
  ['net: the allowlist with the response bound', { net: ['api.example'] }, { net: { allow: ['api.example'], maxResponseBytes: 1000 } }],
  ['env: only the names that resolve', { env: ['TMDB', 'MISSING'] }, { env: { TMDB: 'tmdb-key' } }],
  ['empty lists grant nothing', { net: [], env: [], apps: [] }, {}],
  [
    'apps: each endpoint, its key from secrets or inline, an unknown app as a problem',
    { apps: ['radarr', 'sonarr', 'lidarr'] },
    {
      apps: {
        names: ['radarr', 'sonarr', 'lidarr'],
        maxResponseBytes: 1000,
        endpoints: {
          radarr: { url: 'http://radarr:7878', apiKey: 'radarr-key' },
          sonarr: { url: 'http://sonarr:8989', apiKey: 'inline' },
          lidarr: { problem: 'integrations.lidarr is not in the config: add { url, apiKey } for it (see the README, "integrations")' },
        },
      },
    },
  ],
];
for (const [what, permissions, extra] of cases) {
  test(what, () => {
    // Never progress types nor hookd's own meta events to emit.
    assert.deepEqual(grantsFor({ permissions }), { progress: true, emit: { types: ['media.added'] }, maxJsonDepth: 32, ...extra });
  });
}
