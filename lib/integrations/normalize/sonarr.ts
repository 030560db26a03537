// Sonarr's bodies as media events: the series is the library item, the episodes say which
// part of it; Download is normalized from both of its shapes (one file, or import complete).
// Whisparr v2 sends the same shapes: its normalizers are these, with its own foreign ids.
import {
  compact,
  downloadOf,
  fileOf,
  grabbed,
  integer,
  manualInteraction,
  normalizeHealth,
  normalizeUpdate,
  objectAt,
  objectsAt,
  origin,
  releaseOf,
  text,
  texts,
  withIds,
  type Json,
  type Normalize,
  type Source,
} from './parts.ts';

/** The ids of a series other than the app's own, by source (withIds's names). */
export type SeriesIds = (series: Json) => Record<string, unknown>;

// malIds, aniListIds: Sonarr v5.
const sonarrIds: SeriesIds = (series) => ({
  tvdb: series.tvdbId,
  tvMaze: series.tvMazeId,
  tmdb: series.tmdbId,
  imdb: series.imdbId,
  mal: Array.isArray(series.malIds) ? series.malIds.filter(Number.isSafeInteger) : undefined,
  aniList: Array.isArray(series.aniListIds) ? series.aniListIds.filter(Number.isSafeInteger) : undefined,
});

function seriesOf(body: Json, source: Source, foreignIds: SeriesIds): Json {
  const series = objectAt(body.series);
  return compact({
    ...origin(body, source),
    mediaType: 'series',
    title: text(series.title),
    year: integer(series.year) || undefined,
    ...withIds({ [source.app]: series.id, ...foreignIds(series) }),
    genres: texts(series.genres),
    tags: texts(series.tags),
    path: text(series.path),
    seriesType: text(series.type),
    originalLanguage: text(objectAt(series.originalLanguage).name),
    originalCountry: text(series.originalCountry),
    episodes: Array.isArray(body.episodes) ? objectsAt(body.episodes).map(episodeOf) : undefined,
  });
}

// finaleType (the metadata's, e.g. "season"): Sonarr v5.
function episodeOf(e: Json): Json {
  return compact({
    id: integer(e.id),
    seasonNumber: integer(e.seasonNumber),
    episodeNumber: integer(e.episodeNumber),
    title: text(e.title),
    airDate: text(e.airDate),
    airDateUtc: text(e.airDateUtc),
    finaleType: text(e.finaleType),
  });
}

/** The normalizers of a Sonarr-shaped app, whose series carry `foreignIds`. */
export function createSeriesNormalizers(deps: { foreignIds: SeriesIds }): Readonly<Record<string, Normalize>> {
  const seriesOfBody = (body: Json, source: Source) => seriesOf(body, source, deps.foreignIds);
  return {
    Grab: (body, source) => grabbed(seriesOfBody(body, source), body),
    Download: (body, source) => {
      // Import complete lists every file of the download and has no isUpgrade.
      const complete = Array.isArray(body.episodeFiles);
      const files = complete ? objectsAt(body.episodeFiles).map(fileOf) : [fileOf(objectAt(body.episodeFile))];
      return compact({
        ...seriesOfBody(body, source),
        quality: files[0]?.quality,
        isUpgrade: body.isUpgrade === true,
        importComplete: complete,
        files,
        replacedFiles: objectsAt(body.deletedFiles).map(fileOf),
        release: releaseOf(objectAt(body.release)),
        ...downloadOf(body),
        sourcePath: complete ? text(body.sourcePath) : undefined,
        destinationPath: complete ? text(body.destinationPath) : undefined,
        raw: body,
      });
    },
    Rename: (body, source) => compact({ ...seriesOfBody(body, source), files: objectsAt(body.renamedEpisodeFiles).map(fileOf), raw: body }),
    SeriesAdd: (body, source) => compact({ ...seriesOfBody(body, source), raw: body }),
    SeriesDelete: (body, source) => compact({ ...seriesOfBody(body, source), deleteFiles: body.deletedFiles === true, raw: body }),
    EpisodeFileDelete: (body, source) => {
      const file = fileOf(objectAt(body.episodeFile));
      return compact({ ...seriesOfBody(body, source), quality: file.quality, reason: text(body.deleteReason), files: [file], raw: body });
    },
    Health: normalizeHealth,
    HealthRestored: normalizeHealth,
    ApplicationUpdate: normalizeUpdate,
    ManualInteractionRequired: (body, source) => manualInteraction(seriesOfBody(body, source), body),
  };
}

export const SONARR_NORMALIZERS = createSeriesNormalizers({ foreignIds: sonarrIds });
