// Lidarr's Custom Script variables (`lidarr_*`) per webhook event, in the order
// src/NzbDrone.Core/Notifications/CustomScript/CustomScript.cs adds them (Lidarr, branch develop),
// computed from the webhook body Notifications/Webhook/WebhookBase.cs builds for the same event.
// The script's event types are not the webhook's (`Download` -> `AlbumDownload`, `Retag` ->
// `TrackRetag`, `ArtistDelete` -> `ArtistDeleted`, `AlbumDelete` -> `AlbumDeleted`), and Lidarr
// never runs its script for DownloadFailure and ImportFailure. Pure data.
import { deletedFilesVar, DOWNLOAD_CLIENT, GRAB_CUSTOM_FORMATS, GRABBED_RELEASE, healthVars, importedPaths, UPDATE_VARS } from './common.ts';
import { dotnetDate, join, joinDates, joinField, list, obj, text, type Json } from './format.ts';
import { vars, type Getter, type ScriptTable, type VarTable } from './table.ts';

const artist = (b: Json) => obj(b.artist) ?? {};
const album = (b: Json) => obj(b.album) ?? {};
const trackFile = (b: Json) => obj(b.trackFile) ?? {};
const a = (field: string): Getter => (b) => text(artist(b)[field]);
const al = (field: string): Getter => (b) => text(album(b)[field]);
const tf = (field: string): Getter => (b) => text(trackFile(b)[field]);

/**
 * The artist block (WebhookArtist: name, path, mbId, type, genres, tags). Grab leaves the path
 * out; ArtistAdd and ArtistDeleted call the name `artist_title`, every other event `artist_name`.
 */
function artistBlock(nameVar: 'artist_name' | 'artist_title', withPath: boolean): VarTable {
  return [
    ['artist_id', a('id')],
    [nameVar, a('name')],
    ...(withPath ? ([['artist_path', a('path')]] as const) : []),
    ['artist_mbid', a('mbId')],
    ['artist_type', a('type')],
    ['artist_genres', (b) => join(artist(b).genres, '|')],
    ['artist_tags', (b) => join(artist(b).tags, '|')],
  ];
}
const ARTIST = artistBlock('artist_name', true);

// Not in any webhook body (WebhookAlbum has no release): the MusicBrainz id of the album release
// that was imported or retagged. Empty.
const albumReleaseMbId: Getter = () => '';

/** The album block (WebhookAlbum); Download and TrackRetag add the release's MusicBrainz id. */
function albumBlock(withRelease: boolean): VarTable {
  return [
    ['album_id', al('id')],
    ['album_title', al('title')],
    ['album_overview', al('overview')],
    ['album_mbid', al('mbId')],
    ...(withRelease ? ([['albumrelease_mbid', albumReleaseMbId]] as const) : []),
    ['album_releasedate', (b) => dotnetDate(album(b).releaseDate)],
  ];
}

const albums = (field: string): Getter => (b) => joinField(b.albums, field, '|');

const GRAB = vars(
  artistBlock('artist_name', false),
  ['release_albumcount', (b) => String(list(b.albums).length)],
  ['release_albumreleasedates', (b) => joinDates(b.albums, 'releaseDate', ',')],
  ['release_albumtitles', albums('title')],
  ['release_albumoverviews', albums('overview')],
  ['release_albummbids', albums('mbId')],
  // Lidarr's WebhookRelease has no indexer flags: "0".
  GRABBED_RELEASE,
  DOWNLOAD_CLIENT,
  GRAB_CUSTOM_FORMATS,
);

const ALBUM_DOWNLOAD = vars(ARTIST, albumBlock(true), DOWNLOAD_CLIENT, importedPaths('trackFiles', 'addedtrackpaths'));

const renamed = (field: string, separator = '|'): Getter => (b) => joinField(b.renamedTrackFiles, field, separator);

const RENAME = vars(
  ARTIST,
  ['trackfile_ids', renamed('id', ',')],
  ['trackfile_paths', renamed('path')],
  ['trackfile_previouspaths', renamed('previousPath')],
);

// The Retag body carries the artist and the track file only (WebhookRetagPayload): the album,
// the file's tracks and the tag changes are empty.
const none: Getter = () => '';
const TRACK_RETAG = vars(
  ARTIST,
  albumBlock(true),
  ['trackfile_id', tf('id')],
  ['trackfile_trackcount', none],
  ['trackfile_path', tf('path')],
  ['trackfile_trackids', none],
  ['trackfile_tracknumbers', none],
  ['trackfile_tracktitles', none],
  ['trackfile_quality', tf('quality')],
  ['trackfile_qualityversion', tf('qualityVersion')],
  ['trackfile_releasegroup', tf('releaseGroup')],
  ['trackfile_scenename', tf('sceneName')],
  ['tags_diff', none],
  ['tags_scrubbed', none],
);

const ARTIST_ADD = artistBlock('artist_title', true);
const ARTIST_DELETED = vars(ARTIST_ADD, deletedFilesVar('artist_deletedfiles'));
// "Artist_DeletedFiles", not "Album_": as Lidarr names it.
const ALBUM_DELETED = vars(ARTIST, albumBlock(false), deletedFilesVar('artist_deletedfiles'));

export const LIDARR_SCRIPT: ScriptTable = {
  app: 'lidarr',
  events: {
    Test: { eventType: 'Test', vars: [] },
    Grab: { eventType: 'Grab', vars: GRAB },
    Download: { eventType: 'AlbumDownload', vars: ALBUM_DOWNLOAD },
    Rename: { eventType: 'Rename', vars: RENAME },
    Retag: { eventType: 'TrackRetag', vars: TRACK_RETAG },
    ArtistAdd: { eventType: 'ArtistAdd', vars: ARTIST_ADD },
    ArtistDelete: { eventType: 'ArtistDeleted', vars: ARTIST_DELETED },
    AlbumDelete: { eventType: 'AlbumDeleted', vars: ALBUM_DELETED },
    Health: { eventType: 'HealthIssue', vars: healthVars('issue') },
    HealthRestored: { eventType: 'HealthRestored', vars: healthVars('restored') },
    ApplicationUpdate: { eventType: 'ApplicationUpdate', vars: UPDATE_VARS },
    // CustomScript.cs does not override OnDownloadFailure/OnImportFailure: the script never runs.
    DownloadFailure: null,
    ImportFailure: null,
  },
};
