// Lidarr's bodies as media events: the artist is the library item (an album for AlbumDelete);
// albums and tracks say which part of it.
import {
  compact,
  downloadOf,
  fileOf,
  grabbed,
  integer,
  normalizeHealth,
  normalizeUpdate,
  objectAt,
  objectsAt,
  origin,
  text,
  texts,
  withIds,
  type Json,
  type Normalize,
  type Source,
} from './parts.ts';

function artistOf(body: Json, source: Source): Json {
  const artist = objectAt(body.artist);
  return compact({
    ...origin(body, source),
    mediaType: 'artist',
    title: text(artist.name),
    ...withIds({ lidarr: artist.id, musicBrainz: artist.mbId }),
    genres: texts(artist.genres),
    tags: texts(artist.tags),
    path: text(artist.path),
    overview: text(artist.overview),
  });
}

const albumOf = (album: Json): Json =>
  compact({ id: integer(album.id), title: text(album.title), musicBrainzId: text(album.mbId), releaseDate: text(album.releaseDate), albumType: text(album.albumType) });

function imported(body: Json, source: Source): Json {
  const files = objectsAt(body.trackFiles).map(fileOf);
  return compact({
    ...artistOf(body, source),
    album: body.album === undefined ? undefined : albumOf(objectAt(body.album)),
    quality: files[0]?.quality,
    isUpgrade: body.isUpgrade === true,
    importComplete: true,
    files,
    replacedFiles: objectsAt(body.deletedFiles).map(fileOf),
    ...downloadOf(body),
    raw: body,
  });
}

export const LIDARR_NORMALIZERS: Readonly<Record<string, Normalize>> = {
  Grab: (body, source) => grabbed({ ...artistOf(body, source), albums: objectsAt(body.albums).map(albumOf) }, body),
  Download: imported,
  DownloadFailure: (body, source) =>
    compact({
      ...origin(body, source),
      mediaType: 'album',
      title: text(body.releaseTitle) ?? '',
      quality: text(body.quality),
      reason: 'download failed',
      ...downloadOf(body),
      raw: body,
    }),
  // Lidarr builds ImportFailure from a message that carries only text (NotificationService's
  // Handle(AlbumImportIncompleteEvent)): no artist, album, files or download, so the title falls
  // back as DownloadFailure's does, else download.failed (title required) is never raised.
  ImportFailure: (body, source) => {
    const failed = imported(body, source);
    return { ...failed, title: failed.title ?? text(objectAt(body.album).title) ?? '', reason: 'import failed' };
  },
  Rename: (body, source) => compact({ ...artistOf(body, source), files: objectsAt(body.renamedTrackFiles).map(fileOf), raw: body }),
  ArtistAdd: (body, source) => compact({ ...artistOf(body, source), raw: body }),
  ArtistDelete: (body, source) => compact({ ...artistOf(body, source), deleteFiles: body.deletedFiles === true, raw: body }),
  AlbumDelete: (body, source) => {
    const album = objectAt(body.album);
    const artist = artistOf(body, source);
    return compact({
      ...artist,
      mediaType: 'album',
      title: text(album.title),
      artist: artist.title,
      ...withIds({ lidarr: album.id, musicBrainz: album.mbId }),
      deleteFiles: body.deletedFiles === true,
      raw: body,
    });
  },
  Health: normalizeHealth,
  HealthRestored: normalizeHealth,
  ApplicationUpdate: normalizeUpdate,
};
