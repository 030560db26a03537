// Lidarr's webhook bodies (Lidarr develop, src/NzbDrone.Core/Notifications/Webhook/*.cs).
import { body, bool, dateTime, downloadClientFields, basicRelease, healthAndUpdates, image, int, list, obj, plainFile, str, strList, type Schema } from './parts.ts';

const artist = obj(
  { id: int, name: str, disambiguation: str, path: str, mbId: { ...str, description: 'MusicBrainz artist id.' }, type: str, overview: str, genres: strList, images: list(image), tags: strList },
  ['id', 'name'],
);
const album = obj({
  id: int,
  mbId: { ...str, description: 'MusicBrainz release group id.' },
  title: str,
  disambiguation: str,
  overview: str,
  albumType: str,
  secondaryAlbumTypes: strList,
  releaseDate: dateTime,
  genres: strList,
  images: list(image),
});
const tracks = list(obj({ id: int, title: str, trackNumber: str, quality: str, qualityVersion: int, releaseGroup: str }));
const trackFile = obj(plainFile);
const release = obj(basicRelease);
const imported = { artist, album, tracks, trackFiles: list(trackFile), deletedFiles: list(trackFile), isUpgrade: bool, ...downloadClientFields };

export const LIDARR_SCHEMAS: Readonly<Record<string, Schema>> = {
  Test: body('Test', { artist, albums: list(album) }),
  Grab: body('Grab', { artist, albums: list(album), release, ...downloadClientFields }, ['artist']),
  Download: body('Download', imported, ['artist']),
  DownloadFailure: body('DownloadFailure', { quality: str, qualityVersion: int, releaseTitle: str, downloadClient: str, downloadId: str }),
  ImportFailure: body('ImportFailure', imported),
  Rename: body('Rename', { artist, renamedTrackFiles: list(obj({ ...plainFile, previousPath: str })) }, ['artist']),
  ArtistAdd: body('ArtistAdd', { artist }, ['artist']),
  ArtistDelete: body('ArtistDelete', { artist, deletedFiles: bool }, ['artist']),
  AlbumDelete: body('AlbumDelete', { artist, album, deletedFiles: bool }, ['album']),
  Retag: body('Retag', { artist, trackFile }, ['artist']),
  ...healthAndUpdates({ healthRestored: true }),
};
