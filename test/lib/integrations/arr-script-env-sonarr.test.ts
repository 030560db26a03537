// Sonarr's Custom Script environment from its webhook bodies, variable by variable, against what
// Sonarr v4's CustomScript.cs sets for the same event, both Download shapes included.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { arrScriptEnv, type ArrScriptFacts } from '../../../lib/integrations/arr-script-env/index.ts';

const body = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/arr-script/sonarr/${name}.json`, import.meta.url), 'utf8'));

const INSTANCE = { sonarr_instancename: 'Sonarr', sonarr_applicationurl: '' };
const FRIEREN_HEAD = {
  sonarr_series_id: '57',
  sonarr_series_title: "Frieren: Beyond Journey's End",
  sonarr_series_titleslug: 'frieren-beyond-journeys-end',
};
const FRIEREN_PATH = { sonarr_series_path: "/tv/Frieren - Beyond Journey's End" };
const FRIEREN_TAIL = {
  sonarr_series_tvdbid: '424536',
  sonarr_series_tvmazeid: '68542',
  sonarr_series_tmdbid: '209867',
  sonarr_series_imdbid: 'tt22248376',
  sonarr_series_type: 'Anime',
  sonarr_series_year: '2023',
  sonarr_series_originallanguage: 'jpn',
  sonarr_series_genres: 'Adventure|Animation|Anime|Drama|Fantasy',
  sonarr_series_tags: 'anime|subs',
};
const FRIEREN = { ...FRIEREN_HEAD, ...FRIEREN_PATH, ...FRIEREN_TAIL };
const SEVERANCE = {
  sonarr_series_id: '12',
  sonarr_series_title: 'Severance',
  sonarr_series_titleslug: 'severance',
  sonarr_series_path: '/tv/Severance',
  sonarr_series_tvdbid: '371980',
  sonarr_series_tvmazeid: '44933',
  sonarr_series_tmdbid: '95396',
  sonarr_series_imdbid: 'tt11280740',
  sonarr_series_type: 'Standard',
  sonarr_series_year: '2022',
  sonarr_series_originallanguage: 'eng',
  sonarr_series_genres: 'Drama|Mystery|Science Fiction|Thriller',
  sonarr_series_tags: '',
};
const FRIEREN_EPISODES = (prefix: string) => ({
  [`sonarr_${prefix}_episodenumbers`]: '27,28',
  [`sonarr_${prefix}_episodeairdates`]: '2024-03-22,2024-03-22',
  [`sonarr_${prefix}_episodeairdatesutc`]: '03/22/2024 14:00:00,03/22/2024 14:30:00',
  [`sonarr_${prefix}_episodetitles`]: 'The Land Where Souls Rest|It Would Be Embarrassing When We Met Again',
  // The second episode has no overview: an empty entry.
  [`sonarr_${prefix}_episodeoverviews`]: "Frieren's party approaches the northern lands.|",
});
const QBIT = { sonarr_download_client: 'qBittorrent', sonarr_download_client_type: 'qBittorrent', sonarr_download_id: '0123456789ABCDEF0123456789ABCDEF01234567' };
const SEVERANCE_S02E03_FILE = {
  sonarr_episodefile_id: '902',
  sonarr_episodefile_episodecount: '1',
  sonarr_episodefile_relativepath: 'Season 02/Severance - S02E03 - Who Is Alive [WEBDL-2160p].mkv',
  sonarr_episodefile_path: '/tv/Severance/Season 02/Severance - S02E03 - Who Is Alive [WEBDL-2160p].mkv',
  sonarr_episodefile_episodeids: '301',
  sonarr_episodefile_seasonnumber: '2',
  sonarr_episodefile_episodenumbers: '3',
  sonarr_episodefile_episodeairdates: '2025-01-30',
  sonarr_episodefile_episodeairdatesutc: '01/31/2025 02:00:00',
  sonarr_episodefile_episodetitles: 'Who Is Alive?',
  sonarr_episodefile_episodeoverviews: 'Helly, Mark and Irving search for answers.',
  sonarr_episodefile_quality: 'WEBDL-2160p',
  sonarr_episodefile_qualityversion: '2',
  sonarr_episodefile_releasegroup: 'FLUX',
  sonarr_episodefile_scenename: 'Severance.S02E03.Who.Is.Alive.REPACK.2160p.ATVP.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX',
};

const CASES: Array<{ name: string; fixture: string; facts?: ArrScriptFacts; env: Record<string, string> }> = [
  { name: 'Test: the event type and the instance only', fixture: 'test', env: { sonarr_eventtype: 'Test', ...INSTANCE } },
  {
    name: 'Grab: the series without its path, the episodes, the release; absolute numbers need the API',
    fixture: 'grab',
    env: {
      sonarr_eventtype: 'Grab', ...INSTANCE, ...FRIEREN_HEAD, ...FRIEREN_TAIL,
      sonarr_release_episodecount: '2',
      sonarr_release_seasonnumber: '1',
      ...FRIEREN_EPISODES('release'),
      sonarr_release_absoluteepisodenumbers: '',
      sonarr_release_title: '[SubsPlease] Sousou no Frieren - 27-28 (1080p) [ABCD1234]',
      sonarr_release_indexer: 'Nyaa',
      sonarr_release_size: '2863311530',
      sonarr_release_quality: 'WEBDL-1080p',
      sonarr_release_qualityversion: '1',
      sonarr_release_releasegroup: 'SubsPlease',
      sonarr_release_indexerflags: '0',
      ...QBIT,
      sonarr_release_customformat: 'Anime Web Tier 01 (Muxers)',
      sonarr_release_customformatscore: '150',
      sonarr_release_releasetype: 'MultiEpisode',
    },
  },
  {
    name: 'Grab with the absolute episode numbers the API gave',
    fixture: 'grab',
    facts: { absoluteEpisodeNumbers: [27, 28] },
    env: {
      sonarr_eventtype: 'Grab', ...INSTANCE, ...FRIEREN_HEAD, ...FRIEREN_TAIL,
      sonarr_release_episodecount: '2',
      sonarr_release_seasonnumber: '1',
      ...FRIEREN_EPISODES('release'),
      sonarr_release_absoluteepisodenumbers: '27,28',
      sonarr_release_title: '[SubsPlease] Sousou no Frieren - 27-28 (1080p) [ABCD1234]',
      sonarr_release_indexer: 'Nyaa',
      sonarr_release_size: '2863311530',
      sonarr_release_quality: 'WEBDL-1080p',
      sonarr_release_qualityversion: '1',
      sonarr_release_releasegroup: 'SubsPlease',
      sonarr_release_indexerflags: '0',
      ...QBIT,
      sonarr_release_customformat: 'Anime Web Tier 01 (Muxers)',
      sonarr_release_customformatscore: '150',
      sonarr_release_releasetype: 'MultiEpisode',
    },
  },
  {
    name: 'Download, one file (On File Import): the file of two episodes, its media info, the release',
    fixture: 'download',
    env: {
      sonarr_eventtype: 'Download', ...INSTANCE,
      sonarr_isupgrade: 'False',
      ...FRIEREN,
      sonarr_episodefile_id: '4411',
      sonarr_episodefile_episodecount: '2',
      sonarr_episodefile_relativepath: 'Season 01/Frieren - S01E27-E28 - The Land Where Souls Rest [WEBDL-1080p].mkv',
      sonarr_episodefile_path: "/tv/Frieren - Beyond Journey's End/Season 01/Frieren - S01E27-E28 - The Land Where Souls Rest [WEBDL-1080p].mkv",
      sonarr_episodefile_episodeids: '8812,8813',
      sonarr_episodefile_seasonnumber: '1',
      ...FRIEREN_EPISODES('episodefile'),
      sonarr_episodefile_quality: 'WEBDL-1080p',
      sonarr_episodefile_qualityversion: '1',
      sonarr_episodefile_releasegroup: 'SubsPlease',
      sonarr_episodefile_scenename: '[SubsPlease] Sousou no Frieren - 27-28 (1080p) [ABCD1234]',
      sonarr_episodefile_sourcepath: '/downloads/anime/[SubsPlease] Sousou no Frieren - 27-28 (1080p) [ABCD1234].mkv',
      sonarr_episodefile_sourcefolder: '/downloads/anime',
      ...QBIT,
      sonarr_episodefile_mediainfo_audiochannels: '2',
      sonarr_episodefile_mediainfo_audiocodec: 'AAC',
      sonarr_episodefile_mediainfo_audiolanguages: 'jpn',
      sonarr_episodefile_mediainfo_languages: 'jpn',
      sonarr_episodefile_mediainfo_height: '1080',
      sonarr_episodefile_mediainfo_width: '1920',
      sonarr_episodefile_mediainfo_subtitles: 'eng',
      sonarr_episodefile_mediainfo_videocodec: 'h264',
      sonarr_episodefile_mediainfo_videodynamicrangetype: '',
      sonarr_episodefile_customformat: 'Anime Web Tier 01 (Muxers)',
      sonarr_episodefile_customformatscore: '150',
      sonarr_release_indexer: 'Nyaa',
      sonarr_release_size: '2863311530',
      sonarr_release_title: '[SubsPlease] Sousou no Frieren - 27-28 (1080p) [ABCD1234]',
      sonarr_release_releasetype: 'MultiEpisode',
    },
  },
  {
    name: 'Download, an upgrade: the replaced file (a recycle bin entry even without a recycle bin), its date added',
    fixture: 'download-upgrade',
    env: {
      sonarr_eventtype: 'Download', ...INSTANCE,
      sonarr_isupgrade: 'True',
      ...SEVERANCE,
      ...SEVERANCE_S02E03_FILE,
      sonarr_episodefile_sourcepath: '/downloads/tv/Severance.S02E03.Who.Is.Alive.REPACK.2160p.ATVP.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX/severance.s02e03.mkv',
      sonarr_episodefile_sourcefolder: '/downloads/tv/Severance.S02E03.Who.Is.Alive.REPACK.2160p.ATVP.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX',
      sonarr_download_client: 'SABnzbd',
      sonarr_download_client_type: 'SABnzbd',
      sonarr_download_id: 'SABnzbd_nzo_pz0fa11x',
      sonarr_episodefile_mediainfo_audiochannels: '5.1',
      sonarr_episodefile_mediainfo_audiocodec: 'EAC3 Atmos',
      sonarr_episodefile_mediainfo_audiolanguages: 'eng / spa',
      sonarr_episodefile_mediainfo_languages: 'eng / spa',
      sonarr_episodefile_mediainfo_height: '2160',
      sonarr_episodefile_mediainfo_width: '3840',
      sonarr_episodefile_mediainfo_subtitles: 'eng / spa / fre',
      sonarr_episodefile_mediainfo_videocodec: 'h265',
      sonarr_episodefile_mediainfo_videodynamicrangetype: 'DV HDR10',
      sonarr_episodefile_customformat: 'WEB Tier 01|DV HDR10|Repack/Proper',
      sonarr_episodefile_customformatscore: '1800',
      sonarr_release_indexer: 'NZBgeek',
      sonarr_release_size: '7516192768',
      sonarr_release_title: 'Severance.S02E03.Who.Is.Alive.REPACK.2160p.ATVP.WEB-DL.DDP5.1.Atmos.DV.HDR.H.265-FLUX',
      sonarr_release_releasetype: 'SingleEpisode',
      sonarr_deletedrelativepaths: 'Season 02/Severance - S02E03 - Who Is Alive [WEBDL-2160p].mkv',
      sonarr_deletedpaths: '/tv/Severance/Season 02/Severance - S02E03 - Who Is Alive [WEBDL-2160p].mkv',
      sonarr_deleteddateadded: '01/31/2025 03:15:09',
      sonarr_deletedrecyclebinpaths: '',
    },
  },
  {
    name: 'Download, the whole download (On Import Complete): file lists with "|", episode lists with ",", the folders',
    fixture: 'download-import-complete',
    env: {
      sonarr_eventtype: 'Download', ...INSTANCE, ...SEVERANCE,
      sonarr_episodefile_ids: '701|702|703',
      sonarr_episodefile_count: '3',
      sonarr_episodefile_relativepaths: 'Season 01/Severance - S01E01 [WEBDL-1080p].mkv|Season 01/Severance - S01E02 [WEBDL-1080p].mkv|Season 01/Severance - S01E03 [WEBDL-1080p].mkv',
      sonarr_episodefile_paths: '/tv/Severance/Season 01/Severance - S01E01 [WEBDL-1080p].mkv|/tv/Severance/Season 01/Severance - S01E02 [WEBDL-1080p].mkv|/tv/Severance/Season 01/Severance - S01E03 [WEBDL-1080p].mkv',
      sonarr_episodefile_episodeids: '401,402,403',
      sonarr_episodefile_seasonnumber: '1',
      sonarr_episodefile_episodenumbers: '1,2,3',
      sonarr_episodefile_episodeairdates: '2022-02-18,2022-02-18,2022-02-25',
      sonarr_episodefile_episodeairdatesutc: '02/18/2022 01:00:00,02/18/2022 01:00:00,02/25/2022 01:00:00',
      sonarr_episodefile_episodetitles: 'Good News About Hell|Half Loop|In Perpetuity',
      sonarr_episodefile_episodeoverviews: '||',
      sonarr_episodefile_qualities: 'WEBDL-1080p|WEBDL-1080p|WEBDL-1080p',
      sonarr_episodefile_qualityversions: '1|1|1',
      sonarr_episodefile_releasegroups: 'NTb|NTb|NTb',
      sonarr_episodefile_scenenames: 'Severance.S01E01.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb|Severance.S01E02.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb|Severance.S01E03.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb',
      sonarr_download_client: 'SABnzbd',
      sonarr_download_client_type: 'SABnzbd',
      sonarr_download_id: 'SABnzbd_nzo_s01pack9',
      sonarr_release_group: 'NTb',
      sonarr_release_quality: 'WEBDL-1080p',
      sonarr_release_qualityversion: '1',
      sonarr_release_indexer: 'NZBgeek',
      sonarr_release_size: '6442450947',
      sonarr_release_title: 'Severance.S01.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb',
      sonarr_release_releasetype: 'SeasonPack',
      sonarr_sourcepath: '/downloads/tv/Severance.S01.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb',
      sonarr_sourcefolder: '/downloads/tv',
      sonarr_destinationpath: '/tv/Severance/Season 01',
      sonarr_destinationfolder: '/tv/Severance',
    },
  },
  {
    name: 'Rename: ids joined with ","',
    fixture: 'rename',
    env: {
      sonarr_eventtype: 'Rename', ...INSTANCE, ...SEVERANCE,
      sonarr_episodefile_ids: '701,702',
      sonarr_episodefile_relativepaths: 'Season 01/Severance - S01E01 [WEBDL-1080p].mkv|Season 01/Severance - S01E02 [WEBDL-1080p].mkv',
      sonarr_episodefile_paths: '/tv/Severance/Season 01/Severance - S01E01 [WEBDL-1080p].mkv|/tv/Severance/Season 01/Severance - S01E02 [WEBDL-1080p].mkv',
      sonarr_episodefile_previousrelativepaths: 'Season 1/severance.s01e01.mkv|Season 1/severance.s01e02.mkv',
      sonarr_episodefile_previouspaths: '/tv/Severance/Season 1/severance.s01e01.mkv|/tv/Severance/Season 1/severance.s01e02.mkv',
    },
  },
  { name: 'SeriesAdd: the series block', fixture: 'series-add', env: { sonarr_eventtype: 'SeriesAdd', ...INSTANCE, ...FRIEREN } },
  {
    name: 'SeriesDelete: and whether the files went too',
    fixture: 'series-delete',
    env: { sonarr_eventtype: 'SeriesDelete', ...INSTANCE, ...SEVERANCE, sonarr_series_deletedfiles: 'False' },
  },
  {
    name: 'EpisodeFileDelete: the reason by its enum name, then the series and the file',
    fixture: 'episode-file-delete',
    env: { sonarr_eventtype: 'EpisodeFileDelete', ...INSTANCE, sonarr_episodefile_deletereason: 'Upgrade', ...SEVERANCE, ...SEVERANCE_S02E03_FILE },
  },
  {
    name: 'Health is HealthIssue; Sonarr sends no applicationUrl with it',
    fixture: 'health',
    env: {
      sonarr_eventtype: 'HealthIssue', ...INSTANCE,
      sonarr_health_issue_level: 'Error',
      sonarr_health_issue_message: 'Unable to communicate with SABnzbd. Unable to connect to the remote server',
      sonarr_health_issue_type: 'DownloadClientCheck',
      sonarr_health_issue_wiki: 'https://wiki.servarr.com/sonarr/system#unable-to-communicate-with-download-client',
    },
  },
  {
    name: 'HealthRestored',
    fixture: 'health-restored',
    env: {
      sonarr_eventtype: 'HealthRestored', ...INSTANCE,
      sonarr_health_restored_level: 'Warning',
      sonarr_health_restored_message: 'Indexers unavailable due to failures for more than 6 hours: NZBgeek',
      sonarr_health_restored_type: 'IndexerLongTermStatusCheck',
      sonarr_health_restored_wiki: 'https://wiki.servarr.com/sonarr/system#indexers-are-unavailable-due-to-failures',
    },
  },
  {
    name: 'ApplicationUpdate',
    fixture: 'application-update',
    env: {
      sonarr_eventtype: 'ApplicationUpdate', ...INSTANCE,
      sonarr_update_message: 'Sonarr updated from 4.0.18.2970 to 4.0.19.2979',
      sonarr_update_newversion: '4.0.19.2979',
      sonarr_update_previousversion: '4.0.18.2970',
    },
  },
  {
    name: 'ManualInteractionRequired: the series and the download item',
    fixture: 'manual-interaction-required',
    env: {
      sonarr_eventtype: 'ManualInteractionRequired', ...INSTANCE, ...SEVERANCE,
      sonarr_download_client: 'qBittorrent',
      sonarr_download_client_type: 'qBittorrent',
      sonarr_download_id: 'FEDCBA9876543210FEDCBA9876543210FEDCBA98',
      sonarr_download_size: '7000000000',
      sonarr_download_title: 'Severance.S02E03.2160p.WEB.H265-UNKNOWN',
    },
  },
];

describe('Sonarr Custom Script variables from webhook bodies', () => {
  for (const c of CASES) {
    it(c.name, () => {
      assert.deepEqual({ ...arrScriptEnv('sonarr', body(c.fixture), c.facts) }, c.env);
    });
  }

  it('counts what the source adds: 56 variables for an upgraded file', () => {
    assert.equal(Object.keys(arrScriptEnv('sonarr', body('download-upgrade'))).length, 56);
  });

  it('a Download without grab history has empty release values, not "Unknown"', () => {
    const b = body('download');
    b.release = { releaseType: 'unknown' };
    const env = arrScriptEnv('sonarr', b);
    assert.equal(env.sonarr_release_releasetype, '');
    assert.equal(env.sonarr_release_size, '');
    assert.equal(env.sonarr_release_title, '');
  });

  it('the Grab release type, which Sonarr parses from the title: single, multi, pack, daily', () => {
    const grab = body('grab');
    const type = (episodes: number, title: string, seriesType = 'standard') =>
      arrScriptEnv('sonarr', { ...grab, series: { ...grab.series, type: seriesType }, episodes: grab.episodes.slice(0, 1).concat(Array(episodes - 1).fill(grab.episodes[1])), release: { ...grab.release, releaseTitle: title } }).sonarr_release_releasetype;
    assert.equal(type(1, 'Show.S01E01.1080p.WEB-DL'), 'SingleEpisode');
    assert.equal(type(2, 'Show.S01E01E02.1080p.WEB-DL'), 'MultiEpisode');
    assert.equal(type(8, 'Show.S01.1080p.WEB-DL'), 'SeasonPack');
    assert.equal(type(1, 'Show.2024.03.22.1080p.WEB', 'daily'), 'Unknown');
  });
});
