// Radarr's bodies as media events: the movie (with remoteMovie as a fallback) is the library
// item; files, releases and the download client come from the event's own fields. Whisparr v3
// sends the same shapes (and movie.stashId, its StashDB id): its normalizers are these.
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

function movieOf(body: Json, source: Source): Json {
  const movie = objectAt(body.movie);
  const remote = objectAt(body.remoteMovie);
  return compact({
    ...origin(body, source),
    mediaType: 'movie',
    title: text(movie.title) ?? text(remote.title),
    year: integer(movie.year) || integer(remote.year) || undefined,
    ...withIds({ [source.app]: movie.id, tmdb: integer(movie.tmdbId) || remote.tmdbId, imdb: text(movie.imdbId) ?? remote.imdbId, stash: movie.stashId }),
    genres: texts(movie.genres),
    tags: texts(movie.tags),
    path: text(movie.folderPath),
    overview: text(movie.overview),
    originalLanguage: text(objectAt(movie.originalLanguage).name),
    releaseDate: text(movie.releaseDate),
  });
}

export const RADARR_NORMALIZERS: Readonly<Record<string, Normalize>> = {
  Grab: (body, source) => grabbed(movieOf(body, source), body),
  Download: (body, source) => {
    const file = fileOf(objectAt(body.movieFile));
    return compact({
      ...movieOf(body, source),
      quality: file.quality,
      isUpgrade: body.isUpgrade === true,
      importComplete: false,
      files: [file],
      replacedFiles: objectsAt(body.deletedFiles).map(fileOf),
      release: releaseOf(objectAt(body.release)),
      ...downloadOf(body),
      raw: body,
    });
  },
  Rename: (body, source) => compact({ ...movieOf(body, source), files: objectsAt(body.renamedMovieFiles).map(fileOf), raw: body }),
  MovieAdded: (body, source) => compact({ ...movieOf(body, source), addMethod: text(body.addMethod), raw: body }),
  MovieDelete: (body, source) =>
    compact({
      ...movieOf(body, source),
      deleteFiles: body.deletedFiles === true,
      deletedSize: body.deletedFiles === true ? integer(body.movieFolderSize) : undefined,
      raw: body,
    }),
  MovieFileDelete: (body, source) => {
    const file = fileOf(objectAt(body.movieFile));
    return compact({ ...movieOf(body, source), quality: file.quality, reason: text(body.deleteReason), files: [file], raw: body });
  },
  Health: normalizeHealth,
  HealthRestored: normalizeHealth,
  ApplicationUpdate: normalizeUpdate,
  ManualInteractionRequired: (body, source) => manualInteraction(movieOf(body, source), body),
};
