// Radarr's Custom Script variables (`radarr_*`) per webhook event, in the order
// src/NzbDrone.Core/Notifications/CustomScript/CustomScript.cs adds them (Radarr v5/v6 develop),
// computed from the webhook body WebhookBase.cs builds for the same event. Pure data.
import { audioChannels, combinePath, directoryName, dotnetDate, flags, join, joinDates, joinField, obj, pascal, text, type Json } from './format.ts';
import { RADARR_LANGUAGES, threeLetterCode } from './languages.ts';
import { deletedFilesVar, DOWNLOAD_CLIENT, GRAB_CUSTOM_FORMATS, DOWNLOAD_ITEM_VARS, healthVars, UPDATE_VARS } from './common.ts';
import { at, vars, type ArrScriptFacts, type Getter, type ScriptTable, type VarTable } from './table.ts';

const movie = (b: Json) => obj(b.movie) ?? {};
const file = (b: Json) => obj(b.movieFile) ?? {};
const mediaInfo = (b: Json) => obj(file(b).mediaInfo) ?? {};
const release = (b: Json) => obj(b.release) ?? {};
const customFormats = (b: Json) => obj(b.customFormatInfo) ?? {};
const m = (field: string): Getter => (b) => text(movie(b)[field]);

// Not in any webhook body: the API's value (GET /api/v3/movie/{id}) when hookd may ask, else
// empty. The body's releaseDate is physical *or* inCinemas + 90 days, so it cannot stand in.
const inCinemas: Getter = (_b, f: ArrScriptFacts) => dotnetDate(f.inCinemas);
const physicalRelease: Getter = (_b, f: ArrScriptFacts) => dotnetDate(f.physicalRelease);

const MOVIE_HEAD: VarTable = [
  ['movie_id', m('id')],
  ['movie_title', m('title')],
  ['movie_year', m('year')],
  ['movie_originallanguage', (b) => threeLetterCode(RADARR_LANGUAGES, movie(b).originalLanguage)],
  ['movie_genres', (b) => join(movie(b).genres, '|')],
  ['movie_tags', (b) => join(movie(b).tags, '|')],
];
const MOVIE_PATH: VarTable = [['movie_path', m('folderPath')]];
const MOVIE_IDS: VarTable = [
  ['movie_imdbid', m('imdbId')],
  ['movie_tmdbid', m('tmdbId')],
];
const MOVIE_DATES: VarTable = [
  ['movie_in_cinemas_date', inCinemas],
  ['movie_physical_release_date', physicalRelease],
];
const MOVIE_OVERVIEW: VarTable = [['movie_overview', m('overview')]];

const GRAB = vars(
  MOVIE_HEAD, MOVIE_IDS, MOVIE_DATES, MOVIE_OVERVIEW,
  ['release_title', at('release', 'releaseTitle')],
  ['release_indexer', at('release', 'indexer')],
  ['release_size', at('release', 'size')],
  ['release_releasegroup', at('release', 'releaseGroup')],
  ['release_quality', at('release', 'quality')],
  ['release_qualityversion', at('release', 'qualityVersion')],
  // No release_ prefix in Radarr's script; the flags enum's ToString ("0", "G_Freeleech, G_Internal").
  ['indexerflags', (b) => flags(release(b).indexerFlags)],
  DOWNLOAD_CLIENT,
  GRAB_CUSTOM_FORMATS,
);

// Script variables of an imported file's media info; Radarr lists the audio languages once
// distinct and once as they are, the webhook only distinct (so both are that here).
const MEDIA_INFO: VarTable = [
  ['moviefile_mediainfo_audiochannels', (b) => audioChannels(mediaInfo(b).audioChannels)],
  ['moviefile_mediainfo_audiocodec', (b) => text(mediaInfo(b).audioCodec)],
  ['moviefile_mediainfo_audiolanguages', (b) => join(mediaInfo(b).audioLanguages, ' / ')],
  ['moviefile_mediainfo_languages', (b) => join(mediaInfo(b).audioLanguages, ' / ')],
  ['moviefile_mediainfo_height', (b) => text(mediaInfo(b).height)],
  ['moviefile_mediainfo_width', (b) => text(mediaInfo(b).width)],
  ['moviefile_mediainfo_subtitles', (b) => join(mediaInfo(b).subtitles, ' / ')],
  ['moviefile_mediainfo_videocodec', (b) => text(mediaInfo(b).videoCodec)],
  ['moviefile_mediainfo_videodynamicrangetype', (b) => text(mediaInfo(b).videoDynamicRangeType)],
];

const filePath: Getter = (b) => text(file(b).path) || combinePath(movie(b).folderPath, file(b).relativePath);
const isUpgrade = (b: Json) => b.isUpgrade === true;
const deleted = (field: string): Getter => (b) => (isUpgrade(b) ? joinField(b.deletedFiles, field, '|') : undefined);
// A Download without grab history sends release { size: 0, indexerFlags }: the script's
// message.Release is null then, so its release_* are empty.
const grabbed = (b: Json) => typeof release(b).releaseTitle === 'string';

const DOWNLOAD = vars(
  ['isupgrade', (b) => (isUpgrade(b) ? 'True' : 'False')],
  MOVIE_HEAD, MOVIE_PATH, MOVIE_IDS, MOVIE_DATES, MOVIE_OVERVIEW,
  ['moviefile_id', (b) => text(file(b).id)],
  ['moviefile_relativepath', (b) => text(file(b).relativePath)],
  ['moviefile_path', filePath],
  ['moviefile_quality', (b) => text(file(b).quality)],
  ['moviefile_qualityversion', (b) => text(file(b).qualityVersion)],
  ['moviefile_releasegroup', (b) => text(file(b).releaseGroup)],
  ['moviefile_scenename', (b) => text(file(b).sceneName)],
  ['moviefile_sourcepath', (b) => text(file(b).sourcePath)],
  ['moviefile_sourcefolder', (b) => directoryName(file(b).sourcePath)],
  DOWNLOAD_CLIENT,
  MEDIA_INFO,
  ['moviefile_customformat', (b) => joinField(customFormats(b).customFormats, 'name', '|')],
  ['moviefile_customformatscore', (b) => text(customFormats(b).customFormatScore)],
  ['release_indexer', at('release', 'indexer')],
  ['release_size', (b) => (grabbed(b) ? text(release(b).size) : '')],
  ['release_title', at('release', 'releaseTitle')],
  ['deletedrelativepaths', deleted('relativePath')],
  ['deletedpaths', deleted('path')],
  ['deleteddateadded', (b) => (isUpgrade(b) ? joinDates(b.deletedFiles, 'dateAdded', '|') : undefined)],
  ['deletedrecyclebinpaths', deleted('recycleBinPath')],
);

const renamed = (field: string, separator = '|'): Getter => (b) => joinField(b.renamedMovieFiles, field, separator);

const RENAME = vars(
  MOVIE_HEAD, MOVIE_PATH, MOVIE_IDS, MOVIE_DATES,
  ['moviefile_ids', renamed('id', ',')],
  ['moviefile_relativepaths', renamed('relativePath')],
  ['moviefile_paths', renamed('path')],
  ['moviefile_previousrelativepaths', renamed('previousRelativePath')],
  ['moviefile_previouspaths', renamed('previousPath')],
);

const MOVIE_ADDED = vars(MOVIE_HEAD, MOVIE_PATH, MOVIE_IDS, ['movie_addmethod', (b) => pascal(b.addMethod)]);

const MOVIE_FILE_DELETE = vars(
  ['moviefile_deletereason', (b) => pascal(b.deleteReason)],
  MOVIE_HEAD, MOVIE_PATH, MOVIE_IDS, MOVIE_OVERVIEW,
  ['moviefile_id', (b) => text(file(b).id)],
  ['moviefile_relativepath', (b) => text(file(b).relativePath)],
  ['moviefile_path', filePath],
  ['moviefile_size', (b) => text(file(b).size)],
  ['moviefile_quality', (b) => text(file(b).quality)],
  ['moviefile_qualityversion', (b) => text(file(b).qualityVersion)],
  ['moviefile_releasegroup', (b) => text(file(b).releaseGroup)],
  ['moviefile_scenename', (b) => text(file(b).sceneName)],
);

const MOVIE_DELETE = vars(
  MOVIE_HEAD, MOVIE_PATH, MOVIE_IDS,
  deletedFilesVar('movie_deletedfiles'),
  MOVIE_OVERVIEW,
  // Set only when files were deleted and the movie had one; the body always carries the number
  // (0 otherwise).
  ['movie_folder_size', (b) => (b.deletedFiles === true && typeof b.movieFolderSize === 'number' && b.movieFolderSize > 0 ? text(b.movieFolderSize) : undefined)],
);

const MANUAL_INTERACTION = vars(MOVIE_HEAD, MOVIE_PATH, MOVIE_IDS, MOVIE_OVERVIEW, DOWNLOAD_CLIENT, DOWNLOAD_ITEM_VARS);

export const RADARR_SCRIPT: ScriptTable = {
  app: 'radarr',
  events: {
    Test: { eventType: 'Test', vars: [] },
    Grab: { eventType: 'Grab', vars: GRAB },
    Download: { eventType: 'Download', vars: DOWNLOAD },
    Rename: { eventType: 'Rename', vars: RENAME },
    MovieAdded: { eventType: 'MovieAdded', vars: MOVIE_ADDED },
    MovieFileDelete: { eventType: 'MovieFileDelete', vars: MOVIE_FILE_DELETE },
    MovieDelete: { eventType: 'MovieDelete', vars: MOVIE_DELETE },
    Health: { eventType: 'HealthIssue', vars: healthVars('issue') },
    HealthRestored: { eventType: 'HealthRestored', vars: healthVars('restored') },
    ApplicationUpdate: { eventType: 'ApplicationUpdate', vars: UPDATE_VARS },
    ManualInteractionRequired: { eventType: 'ManualInteractionRequired', vars: MANUAL_INTERACTION },
  },
};
