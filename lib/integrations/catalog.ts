// The catalog types of the apps' own events: `<app>.<event>` for every eventType of the
// registry, with the body's schema, and `<app>.unknown` for whatever else an app sends. The
// config merges them under the user's catalog, so a user's entry of the same name wins.
import type { CatalogEntryConfig } from '../config/catalog-entry.ts';
import { ARR_APPS } from './arr-apps.ts';
import { APP_EVENTS, unknownTypeOf } from './event-types.ts';
import { APP_SCHEMAS } from './schemas/index.ts';

const TITLES: Readonly<Record<string, string>> = { radarr: 'Radarr', sonarr: 'Sonarr', lidarr: 'Lidarr', readarr: 'Readarr', prowlarr: 'Prowlarr', whisparr: 'Whisparr' };

function buildCatalog(): Record<string, CatalogEntryConfig> {
  const entries: Record<string, CatalogEntryConfig> = {};
  for (const app of ARR_APPS) {
    for (const e of APP_EVENTS[app]) {
      entries[e.type] = {
        kind: 'business',
        description:
          `${TITLES[app]}'s webhook "${e.eventType}": ${e.description} The payload is the body as the app sent it ` +
          `(POST /integrations/${app}).${e.normalized ? ` Raises ${e.normalized}.` : ''}`,
        schema: APP_SCHEMAS[app][e.eventType]!,
      };
    }
    entries[unknownTypeOf(app)] = {
      kind: 'business',
      description:
        `A body ${TITLES[app]} sent to POST /integrations/${app} whose eventType hookd does not know (a newer version), ` +
        'or that has none (not a JSON object, no eventType): stored as it came, so nothing is lost.',
    };
  }
  return entries;
}

export const INTEGRATION_CATALOG: Readonly<Record<string, CatalogEntryConfig>> = buildCatalog();
