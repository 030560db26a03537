// Sonarr's webhook bodies (Sonarr v4 develop; the v5 additions are listed too):
// src/NzbDrone.Core/Notifications/Webhook/*.cs, one schema per eventType.
import {
  body,
  bool,
  camelEnum,
  customFormatInfo,
  dateTime,
  downloadClientFields,
  downloadInfo,
  downloadStatusMessages,
  grabRelease,
  healthAndUpdates,
  image,
  int,
  intList,
  language,
  list,
  mediaInfo,
  obj,
  str,
  strList,
  type Schema,
} from './parts.ts';

// WebhookSeries; there is no overview. malIds, aniListIds and originalCountry: Sonarr v5.
const series = obj(
  {
    id: int,
    title: str,
    titleSlug: str,
    path: str,
    tvdbId: int,
    tvMazeId: int,
    tmdbId: int,
    imdbId: str,
    malIds: intList,
    aniListIds: intList,
    type: camelEnum(['standard', 'daily', 'anime']),
    year: int,
    genres: strList,
    images: list(image),
    tags: strList,
    originalLanguage: language,
    originalCountry: str,
  },
  ['id', 'title'],
);
// WebhookEpisode; no absoluteEpisodeNumber. finaleType: Sonarr v5.
const episodes = list(
  obj({
    id: int,
    episodeNumber: int,
    seasonNumber: int,
    title: str,
    overview: str,
    airDate: { ...str, description: '"yyyy-MM-dd", local to the network.' },
    airDateUtc: dateTime,
    seriesId: int,
    tvdbId: int,
    finaleType: str,
  }),
);
const episodeFileFields = {
  id: int,
  relativePath: str,
  path: str,
  quality: str,
  qualityVersion: int,
  releaseGroup: str,
  sceneName: str,
  size: int,
  dateAdded: dateTime,
  languages: list(language),
  mediaInfo,
  sourcePath: str,
  recycleBinPath: str,
};
const episodeFile = obj(episodeFileFields);
// WebhookGrabbedRelease: size is left out when unknown; indexerFlags: Sonarr v5.
const grabbedRelease = obj({
  releaseTitle: str,
  indexer: str,
  size: int,
  releaseType: camelEnum(['unknown', 'singleEpisode', 'multiEpisode', 'seasonPack']),
  indexerFlags: strList,
});

// Download comes in two shapes: one imported file (On File Import), or every file of a
// download once it is all imported (On Import Complete: episodeFiles, fileCount, sourcePath,
// destinationPath). One schema takes both; it needs one of episodeFile and episodeFiles.
const download: Schema = {
  ...body(
    'Download',
    {
      series,
      episodes,
      episodeFile,
      isUpgrade: bool,
      ...downloadClientFields,
      deletedFiles: { ...list(episodeFile), description: 'The files the upgrade replaced (only when isUpgrade).' },
      customFormatInfo,
      release: grabbedRelease,
      episodeFiles: { ...list(episodeFile), description: 'Import complete: every file imported from the download.' },
      fileCount: int,
      sourcePath: { ...str, description: "Import complete: the download's output path." },
      destinationPath: { ...str, description: 'Import complete: the deepest folder that holds every imported file.' },
    },
    ['series'],
  ),
  anyOf: [{ required: ['episodeFile'] }, { required: ['episodeFiles'] }],
};

export const SONARR_SCHEMAS: Readonly<Record<string, Schema>> = {
  Test: body('Test', { series, episodes }),
  Grab: body('Grab', { series, episodes, release: obj(grabRelease), ...downloadClientFields, customFormatInfo }, ['series']),
  Download: download,
  Rename: body('Rename', { series, renamedEpisodeFiles: list(obj({ ...episodeFileFields, previousRelativePath: str, previousPath: str })) }, ['series']),
  SeriesAdd: body('SeriesAdd', { series }, ['series']),
  SeriesDelete: body('SeriesDelete', { series, deletedFiles: bool }, ['series']),
  EpisodeFileDelete: body(
    'EpisodeFileDelete',
    { series, episodes, episodeFile, deleteReason: camelEnum(['missingFromDisk', 'manual', 'upgrade', 'noLinkedEpisodes', 'manualOverride']) },
    ['series', 'episodeFile'],
  ),
  ...healthAndUpdates({ healthRestored: true }),
  ManualInteractionRequired: body('ManualInteractionRequired', {
    series,
    episodes,
    downloadInfo,
    ...downloadClientFields,
    downloadStatus: { ...str, description: '"Ok", "Warning" or "Error" (PascalCase: written with ToString()).' },
    downloadStatusMessages,
    customFormatInfo,
    release: grabbedRelease,
  }),
};
