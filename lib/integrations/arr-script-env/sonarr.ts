// Sonarr's Custom Script variables (`sonarr_*`) per webhook event, in the order
// src/NzbDrone.Core/Notifications/CustomScript/CustomScript.cs adds them (Sonarr v4, branch
// develop), computed from the webhook body WebhookBase.cs builds for the same event. Its
// `Download` comes in two shapes (one per imported file; one per finished download, "On Import
// Complete"), told apart by `episodeFile` versus `episodeFiles`. Pure data.
import { deletedFilesVar, DOWNLOAD_CLIENT, GRAB_CUSTOM_FORMATS, GRABBED_RELEASE, DOWNLOAD_ITEM_VARS, healthVars, UPDATE_VARS } from './common.ts';
import { audioChannels, directoryName, join, joinDates, joinField, list, obj, pascal, text, type Json } from './format.ts';
import { SONARR_LANGUAGES, threeLetterCode } from './languages.ts';
import { at, vars, type Getter, type ScriptEvent, type ScriptTable, type VarTable } from './table.ts';

const series = (b: Json) => obj(b.series) ?? {};
const episodes = (b: Json) => list(b.episodes);
const file = (b: Json) => obj(b.episodeFile) ?? {};
const mediaInfo = (b: Json) => obj(file(b).mediaInfo) ?? {};
const release = (b: Json) => obj(b.release) ?? {};
const s = (field: string): Getter => (b) => text(series(b)[field]);

function seriesBlock(withPath: boolean): VarTable {
  return [
    ['series_id', s('id')],
    ['series_title', s('title')],
    ['series_titleslug', s('titleSlug')],
    ...(withPath ? ([['series_path', s('path')]] as const) : []),
    ['series_tvdbid', s('tvdbId')],
    ['series_tvmazeid', s('tvMazeId')],
    ['series_tmdbid', s('tmdbId')],
    ['series_imdbid', s('imdbId')],
    ['series_type', (b) => pascal(series(b).type)],
    ['series_year', s('year')],
    ['series_originallanguage', (b) => threeLetterCode(SONARR_LANGUAGES, series(b).originalLanguage)],
    ['series_genres', (b) => join(series(b).genres, '|')],
    ['series_tags', (b) => join(series(b).tags, '|')],
  ];
}
const SERIES = seriesBlock(true);

const episode = (field: string, separator: string): Getter => (b) => joinField(b.episodes, field, separator);
const firstSeason: Getter = (b) => text(obj(episodes(b)[0])?.seasonNumber);

/** The episode lists Grab (`release_*`) and the imports (`episodefile_*`) set alike. */
function episodeLists(prefix: string): VarTable {
  return [
    [`${prefix}_episodenumbers`, episode('episodeNumber', ',')],
    ...(prefix === 'release' ? ([['release_absoluteepisodenumbers', absoluteNumbers]] as const) : []),
    [`${prefix}_episodeairdates`, episode('airDate', ',')],
    [`${prefix}_episodeairdatesutc`, (b) => joinDates(b.episodes, 'airDateUtc', ',')],
    [`${prefix}_episodetitles`, episode('title', '|')],
    [`${prefix}_episodeoverviews`, episode('overview', '|')],
  ];
}

// Not in the webhook's episodes: from the API (GET /api/v3/episode) when hookd may ask, else empty.
const absoluteNumbers: Getter = (_b, f) => (f.absoluteEpisodeNumbers ? join(f.absoluteEpisodeNumbers, ',') : '');

/**
 * The parsed release's type, which the Grab body does not carry (Sonarr v5 adds it): a single
 * episode, several episodes named in the title (S01E01E02), or a season pack (S01); a daily
 * episode is parsed by date and is Unknown.
 */
const grabReleaseType: Getter = (b) => {
  if (typeof release(b).releaseType === 'string') return pascal(release(b).releaseType);
  const count = episodes(b).length;
  const title = text(release(b).releaseTitle);
  const numbered = /\bS\d{1,4}[ ._-]?E\d{1,4}|\b\d{1,2}x\d{2,3}\b/i.test(title);
  if (count === 0 || (text(series(b).type) === 'daily' && !numbered)) return 'Unknown';
  if (count === 1) return 'SingleEpisode';
  return numbered || !/\bS(?:eason[ ._-]?)?\d{1,4}\b/i.test(title) ? 'MultiEpisode' : 'SeasonPack';
};

const GRAB = vars(
  seriesBlock(false),
  ['release_episodecount', (b) => String(episodes(b).length)],
  ['release_seasonnumber', firstSeason],
  episodeLists('release'),
  // Sonarr v4 bodies do not carry the flags (v5 ones do).
  GRABBED_RELEASE,
  DOWNLOAD_CLIENT,
  GRAB_CUSTOM_FORMATS,
  ['release_releasetype', grabReleaseType],
);

const MEDIA_INFO: VarTable = [
  ['episodefile_mediainfo_audiochannels', (b) => audioChannels(mediaInfo(b).audioChannels)],
  ['episodefile_mediainfo_audiocodec', (b) => text(mediaInfo(b).audioCodec)],
  ['episodefile_mediainfo_audiolanguages', (b) => join(mediaInfo(b).audioLanguages, ' / ')],
  ['episodefile_mediainfo_languages', (b) => join(mediaInfo(b).audioLanguages, ' / ')],
  ['episodefile_mediainfo_height', (b) => text(mediaInfo(b).height)],
  ['episodefile_mediainfo_width', (b) => text(mediaInfo(b).width)],
  ['episodefile_mediainfo_subtitles', (b) => join(mediaInfo(b).subtitles, ' / ')],
  ['episodefile_mediainfo_videocodec', (b) => text(mediaInfo(b).videoCodec)],
  ['episodefile_mediainfo_videodynamicrangetype', (b) => text(mediaInfo(b).videoDynamicRangeType)],
];

/** The file block of a per-file import and of a file deletion. */
const EPISODE_FILE: VarTable = [
  ['episodefile_id', (b) => text(file(b).id)],
  ['episodefile_episodecount', (b) => String(episodes(b).length)],
  ['episodefile_relativepath', (b) => text(file(b).relativePath)],
  ['episodefile_path', (b) => text(file(b).path)],
  ['episodefile_episodeids', episode('id', ',')],
  ['episodefile_seasonnumber', firstSeason],
  ...episodeLists('episodefile'),
  ['episodefile_quality', (b) => text(file(b).quality)],
  ['episodefile_qualityversion', (b) => text(file(b).qualityVersion)],
  ['episodefile_releasegroup', (b) => text(file(b).releaseGroup)],
  ['episodefile_scenename', (b) => text(file(b).sceneName)],
];

const isUpgrade = (b: Json) => b.isUpgrade === true;
const deleted = (field: string): Getter => (b) => (isUpgrade(b) ? joinField(b.deletedFiles, field, '|') : undefined);
// Without grab history the body still sends release { releaseType: "unknown" }, while the
// script's message.Release is null and its release_* are empty.
const grabbed = (b: Json) => typeof release(b).releaseTitle === 'string';

const DOWNLOAD_FILE = vars(
  ['isupgrade', (b) => (isUpgrade(b) ? 'True' : 'False')],
  SERIES,
  EPISODE_FILE,
  ['episodefile_sourcepath', (b) => text(file(b).sourcePath)],
  ['episodefile_sourcefolder', (b) => directoryName(file(b).sourcePath)],
  DOWNLOAD_CLIENT,
  MEDIA_INFO,
  ['episodefile_customformat', (b) => joinField(obj(b.customFormatInfo)?.customFormats, 'name', '|')],
  ['episodefile_customformatscore', (b) => text(obj(b.customFormatInfo)?.customFormatScore)],
  ['release_indexer', at('release', 'indexer')],
  ['release_size', at('release', 'size')],
  ['release_title', at('release', 'releaseTitle')],
  ['release_releasetype', (b) => (grabbed(b) ? pascal(release(b).releaseType) : '')],
  ['deletedrelativepaths', deleted('relativePath')],
  ['deletedpaths', deleted('path')],
  ['deleteddateadded', (b) => (isUpgrade(b) ? joinDates(b.deletedFiles, 'dateAdded', '|') : undefined)],
  ['deletedrecyclebinpaths', deleted('recycleBinPath')],
);

const files = (field: string): Getter => (b) => joinField(b.episodeFiles, field, '|');
const firstFile = (b: Json) => obj(list(b.episodeFiles)[0]) ?? {};

const IMPORT_COMPLETE = vars(
  SERIES,
  // "|" here, "," in Rename: as Sonarr joins them.
  ['episodefile_ids', files('id')],
  ['episodefile_count', (b) => text(b.fileCount ?? list(b.episodeFiles).length)],
  ['episodefile_relativepaths', files('relativePath')],
  ['episodefile_paths', files('path')],
  ['episodefile_episodeids', episode('id', ',')],
  ['episodefile_seasonnumber', firstSeason],
  episodeLists('episodefile'),
  ['episodefile_qualities', files('quality')],
  ['episodefile_qualityversions', files('qualityVersion')],
  ['episodefile_releasegroups', files('releaseGroup')],
  ['episodefile_scenenames', files('sceneName')],
  DOWNLOAD_CLIENT,
  // Parsed from the release title by Sonarr and not in the body: the first file's, which it matches
  // unless the files came from different releases.
  ['release_group', (b) => text(firstFile(b).releaseGroup)],
  ['release_quality', (b) => text(firstFile(b).quality)],
  ['release_qualityversion', (b) => text(firstFile(b).qualityVersion)],
  ['release_indexer', at('release', 'indexer')],
  ['release_size', at('release', 'size')],
  ['release_title', at('release', 'releaseTitle')],
  ['release_releasetype', (b) => pascal(release(b).releaseType)],
  ['sourcepath', (b) => text(b.sourcePath)],
  ['sourcefolder', (b) => directoryName(b.sourcePath)],
  ['destinationpath', (b) => text(b.destinationPath)],
  ['destinationfolder', (b) => directoryName(b.destinationPath)],
);

const renamed = (field: string, separator = '|'): Getter => (b) => joinField(b.renamedEpisodeFiles, field, separator);

const RENAME = vars(
  SERIES,
  ['episodefile_ids', renamed('id', ',')],
  ['episodefile_relativepaths', renamed('relativePath')],
  ['episodefile_paths', renamed('path')],
  ['episodefile_previousrelativepaths', renamed('previousRelativePath')],
  ['episodefile_previouspaths', renamed('previousPath')],
);

const EPISODE_FILE_DELETE = vars(['episodefile_deletereason', (b) => pascal(b.deleteReason)], SERIES, EPISODE_FILE);

const SERIES_DELETE = vars(SERIES, deletedFilesVar('series_deletedfiles'));

const MANUAL_INTERACTION = vars(SERIES, DOWNLOAD_CLIENT, DOWNLOAD_ITEM_VARS);

const DOWNLOAD_PER_FILE: ScriptEvent = { eventType: 'Download', vars: DOWNLOAD_FILE };
const DOWNLOAD_COMPLETE: ScriptEvent = { eventType: 'Download', vars: IMPORT_COMPLETE };

export const SONARR_SCRIPT: ScriptTable = {
  app: 'sonarr',
  events: {
    Test: { eventType: 'Test', vars: [] },
    Grab: { eventType: 'Grab', vars: GRAB },
    Download: (body) => (Array.isArray(body.episodeFiles) && obj(body.episodeFile) === undefined ? DOWNLOAD_COMPLETE : DOWNLOAD_PER_FILE),
    Rename: { eventType: 'Rename', vars: RENAME },
    SeriesAdd: { eventType: 'SeriesAdd', vars: SERIES },
    SeriesDelete: { eventType: 'SeriesDelete', vars: SERIES_DELETE },
    EpisodeFileDelete: { eventType: 'EpisodeFileDelete', vars: EPISODE_FILE_DELETE },
    Health: { eventType: 'HealthIssue', vars: healthVars('issue') },
    HealthRestored: { eventType: 'HealthRestored', vars: healthVars('restored') },
    ApplicationUpdate: { eventType: 'ApplicationUpdate', vars: UPDATE_VARS },
    ManualInteractionRequired: { eventType: 'ManualInteractionRequired', vars: MANUAL_INTERACTION },
  },
};
