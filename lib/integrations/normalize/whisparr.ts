// Whisparr's bodies as media events, read by Sonarr's normalizers (v2) or Radarr's (v3): the
// eventTypes both generations send are read by whichever fits the body.
import { normalizeHealth, normalizeUpdate, type Json, type Normalize } from './parts.ts';
import { RADARR_NORMALIZERS } from './radarr.ts';
import { createSeriesNormalizers } from './sonarr.ts';

// v2's "tvdbId" is not TheTVDB's: it is the id of Whisparr's own metadata server
// (MetadataSource/SkyHook/SkyHookProxy.cs: TvdbId = show.ForeignId).
const V2 = createSeriesNormalizers({ foreignIds: (series) => ({ whisparrMetadata: series.tvdbId }) });
const V3 = RADARR_NORMALIZERS;

/** v2 sends `series` with every media event (WebhookBase.cs builds it unconditionally); v3 never does, and may leave out `movie`. */
const isV2 = (body: Json) => Object.hasOwn(body, 'series') || Object.hasOwn(body, 'episodes');
const either = (eventType: string): Normalize => (body, source) => (isV2(body) ? V2 : V3)[eventType]!(body, source);

export const WHISPARR_NORMALIZERS: Readonly<Record<string, Normalize>> = {
  Grab: either('Grab'),
  Download: either('Download'),
  Rename: either('Rename'),
  SeriesAdd: V2.SeriesAdd!,
  SeriesDelete: V2.SeriesDelete!,
  EpisodeFileDelete: V2.EpisodeFileDelete!,
  MovieAdded: V3.MovieAdded!,
  MovieDelete: V3.MovieDelete!,
  MovieFileDelete: V3.MovieFileDelete!,
  Health: normalizeHealth,
  HealthRestored: normalizeHealth,
  ApplicationUpdate: normalizeUpdate,
  ManualInteractionRequired: either('ManualInteractionRequired'),
};
