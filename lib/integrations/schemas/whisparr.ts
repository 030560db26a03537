// Whisparr's webhook bodies. v2 (Whisparr/Whisparr develop) is a Sonarr fork and v3 "Eros"
// (Whisparr/Whisparr-Eros eros-develop) a Radarr fork: each sends its fork's shapes, a subset
// of Sonarr's and Radarr's fields plus a few of its own (v3's movie.stashId and itemType), so
// their schemas are Sonarr's and Radarr's. An eventType both generations send takes either.
import { RADARR_SCHEMAS } from './radarr.ts';
import { SONARR_SCHEMAS } from './sonarr.ts';
import { body, type Schema } from './parts.ts';

function either(eventType: string): Schema {
  return {
    ...body(eventType, {}),
    description: 'Whisparr v2 sends the shape of Sonarr\'s body (series, episodes), v3 that of Radarr\'s (movie).',
    anyOf: [SONARR_SCHEMAS[eventType]!, RADARR_SCHEMAS[eventType]!],
  };
}

export const WHISPARR_SCHEMAS: Readonly<Record<string, Schema>> = {
  Test: either('Test'),
  Grab: either('Grab'),
  Download: either('Download'),
  Rename: either('Rename'),
  SeriesAdd: SONARR_SCHEMAS.SeriesAdd!,
  SeriesDelete: SONARR_SCHEMAS.SeriesDelete!,
  EpisodeFileDelete: SONARR_SCHEMAS.EpisodeFileDelete!,
  MovieAdded: RADARR_SCHEMAS.MovieAdded!,
  MovieDelete: RADARR_SCHEMAS.MovieDelete!,
  MovieFileDelete: RADARR_SCHEMAS.MovieFileDelete!,
  Health: SONARR_SCHEMAS.Health!,
  HealthRestored: SONARR_SCHEMAS.HealthRestored!,
  ApplicationUpdate: SONARR_SCHEMAS.ApplicationUpdate!,
  ManualInteractionRequired: either('ManualInteractionRequired'),
};
