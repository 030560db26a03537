// Radarr's webhook bodies (Radarr develop, src/NzbDrone.Core/Notifications/Webhook/*.cs):
// one schema per eventType, keyed like the registry (event-types.ts).
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
  language,
  list,
  mediaInfo,
  obj,
  str,
  strList,
  type Schema,
} from './parts.ts';

// WebhookMovie. tags are labels, sorted; releaseDate is "yyyy-MM-dd" (physical, else in cinemas + 90 days).
const movie = obj(
  {
    id: int,
    title: str,
    year: int,
    filePath: str,
    releaseDate: str,
    folderPath: str,
    tmdbId: int,
    imdbId: str,
    overview: str,
    genres: strList,
    images: list(image),
    tags: strList,
    originalLanguage: language,
  },
  ['id', 'title'],
);
const remoteMovie = obj({ tmdbId: int, imdbId: str, title: str, year: int });
const movieFileFields = {
  id: int,
  relativePath: str,
  path: str,
  quality: str,
  qualityVersion: int,
  releaseGroup: str,
  sceneName: str,
  indexerFlags: { ...str, description: 'Flag names joined with ", ", or "0".' },
  size: int,
  dateAdded: dateTime,
  languages: list(language),
  mediaInfo,
  sourcePath: str,
  recycleBinPath: str,
};
const movieFile = obj(movieFileFields);
// WebhookGrabbedRelease: from the grab history; {"size": 0, ...} when there is none (a manual import).
const grabbedRelease = obj({ releaseTitle: str, indexer: str, size: int, indexerFlags: strList });

export const RADARR_SCHEMAS: Readonly<Record<string, Schema>> = {
  Test: body('Test', { movie, remoteMovie, release: obj(grabRelease) }),
  Grab: body('Grab', { movie, remoteMovie, release: obj(grabRelease), ...downloadClientFields, customFormatInfo }, ['movie']),
  Download: body(
    'Download',
    {
      movie,
      remoteMovie,
      movieFile,
      isUpgrade: bool,
      ...downloadClientFields,
      deletedFiles: { ...list(movieFile), description: 'The files the upgrade replaced (only when isUpgrade).' },
      customFormatInfo,
      release: grabbedRelease,
    },
    ['movie', 'movieFile'],
  ),
  Rename: body('Rename', { movie, renamedMovieFiles: list(obj({ ...movieFileFields, previousRelativePath: str, previousPath: str })) }, ['movie']),
  MovieAdded: body('MovieAdded', { movie, addMethod: camelEnum(['manual', 'list', 'collection']) }, ['movie']),
  MovieDelete: body('MovieDelete', { movie, deletedFiles: bool, movieFolderSize: { ...int, description: "The movie file's size when files were deleted, else 0." } }, ['movie']),
  MovieFileDelete: body(
    'MovieFileDelete',
    { movie, movieFile, deleteReason: camelEnum(['missingFromDisk', 'manual', 'upgrade', 'noLinkedEpisodes', 'manualOverride']) },
    ['movie', 'movieFile'],
  ),
  ...healthAndUpdates({ healthRestored: true }),
  ManualInteractionRequired: body('ManualInteractionRequired', {
    movie,
    downloadInfo,
    ...downloadClientFields,
    downloadStatus: { ...str, description: '"Ok", "Warning" or "Error" (PascalCase: written with ToString()).' },
    downloadStatusMessages,
    customFormatInfo,
    release: grabbedRelease,
  }),
};
