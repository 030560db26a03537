// Radarr's Custom Script environment from its webhook bodies, variable by variable, against what
// Radarr's CustomScript.cs sets for the same event (names lowercase as StringDictionary stores
// them; lists joined with | or , ; True/False; enums by name; dates as DateTime.ToString()).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { arrScriptEnv, type ArrScriptFacts } from '../../../lib/integrations/arr-script-env/index.ts';

const body = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/arr-script/radarr/${name}.json`, import.meta.url), 'utf8'));

const INSTANCE = { radarr_instancename: 'Radarr', radarr_applicationurl: 'https://radarr.example.org' };
const SPIRITED_AWAY = {
  radarr_movie_id: '412',
  radarr_movie_title: 'Spirited Away',
  radarr_movie_year: '2001',
  radarr_movie_originallanguage: 'jpn',
  radarr_movie_genres: 'Animation|Family|Fantasy',
  radarr_movie_tags: 'anime|ghibli',
};
const SPIRITED_AWAY_IDS = { radarr_movie_imdbid: 'tt0245429', radarr_movie_tmdbid: '129' };
const OVERVIEW = { radarr_movie_overview: 'A young girl, Chihiro, becomes trapped in a strange new world of spirits.' };
// Not in any webhook body; without the app's API they are empty.
const NO_DATES = { radarr_movie_in_cinemas_date: '', radarr_movie_physical_release_date: '' };
const PATH = { radarr_movie_path: '/movies/Spirited Away (2001)' };
const QBIT = { radarr_download_client: 'qBittorrent', radarr_download_client_type: 'qBittorrent', radarr_download_id: 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678' };

const CASES: Array<{ name: string; fixture: string; facts?: ArrScriptFacts; env: Record<string, string> }> = [
  {
    name: 'Test: the event type and the instance only',
    fixture: 'test',
    env: { radarr_eventtype: 'Test', ...INSTANCE },
  },
  {
    name: 'Grab: no movie_path; flags as the enum prints them, without the release_ prefix',
    fixture: 'grab',
    env: {
      radarr_eventtype: 'Grab', ...INSTANCE, ...SPIRITED_AWAY, ...SPIRITED_AWAY_IDS, ...NO_DATES, ...OVERVIEW,
      radarr_release_title: 'Spirited.Away.2001.1080p.BluRay.DTS.x264-CtrlHD',
      radarr_release_indexer: 'BeyondHD (Prowlarr)',
      radarr_release_size: '14495514624',
      radarr_release_releasegroup: 'CtrlHD',
      radarr_release_quality: 'Bluray-1080p',
      radarr_release_qualityversion: '1',
      radarr_indexerflags: 'G_Freeleech, G_Internal',
      ...QBIT,
      radarr_release_customformat: 'HD Bluray Tier 01|DTS',
      radarr_release_customformatscore: '1750',
    },
  },
  {
    name: 'Grab with the dates the API gave: DateTime.ToString() of the invariant culture',
    fixture: 'grab',
    facts: { inCinemas: '2001-07-20T00:00:00Z', physicalRelease: '2003-09-16T00:00:00Z' },
    env: {
      radarr_eventtype: 'Grab', ...INSTANCE, ...SPIRITED_AWAY, ...SPIRITED_AWAY_IDS, ...OVERVIEW,
      radarr_movie_in_cinemas_date: '07/20/2001 00:00:00',
      radarr_movie_physical_release_date: '09/16/2003 00:00:00',
      radarr_release_title: 'Spirited.Away.2001.1080p.BluRay.DTS.x264-CtrlHD',
      radarr_release_indexer: 'BeyondHD (Prowlarr)',
      radarr_release_size: '14495514624',
      radarr_release_releasegroup: 'CtrlHD',
      radarr_release_quality: 'Bluray-1080p',
      radarr_release_qualityversion: '1',
      radarr_indexerflags: 'G_Freeleech, G_Internal',
      ...QBIT,
      radarr_release_customformat: 'HD Bluray Tier 01|DTS',
      radarr_release_customformatscore: '1750',
    },
  },
  {
    name: 'Download: the file, its folder, its media info (languages " / "), custom formats from the imported file',
    fixture: 'download',
    env: {
      radarr_eventtype: 'Download', ...INSTANCE,
      radarr_isupgrade: 'False',
      ...SPIRITED_AWAY, ...PATH, ...SPIRITED_AWAY_IDS, ...NO_DATES, ...OVERVIEW,
      radarr_moviefile_id: '981',
      radarr_moviefile_relativepath: 'Spirited Away (2001) Bluray-1080p.mkv',
      radarr_moviefile_path: '/movies/Spirited Away (2001)/Spirited Away (2001) Bluray-1080p.mkv',
      radarr_moviefile_quality: 'Bluray-1080p',
      radarr_moviefile_qualityversion: '1',
      radarr_moviefile_releasegroup: 'CtrlHD',
      radarr_moviefile_scenename: 'Spirited.Away.2001.1080p.BluRay.DTS.x264-CtrlHD',
      radarr_moviefile_sourcepath: '/downloads/complete/Spirited.Away.2001.1080p.BluRay.DTS.x264-CtrlHD/spirited.away.1080p.mkv',
      radarr_moviefile_sourcefolder: '/downloads/complete/Spirited.Away.2001.1080p.BluRay.DTS.x264-CtrlHD',
      ...QBIT,
      radarr_moviefile_mediainfo_audiochannels: '5.1',
      radarr_moviefile_mediainfo_audiocodec: 'DTS-HD MA',
      radarr_moviefile_mediainfo_audiolanguages: 'jpn / eng',
      radarr_moviefile_mediainfo_languages: 'jpn / eng',
      radarr_moviefile_mediainfo_height: '1080',
      radarr_moviefile_mediainfo_width: '1920',
      radarr_moviefile_mediainfo_subtitles: 'eng / fre / ger',
      radarr_moviefile_mediainfo_videocodec: 'x264',
      radarr_moviefile_mediainfo_videodynamicrangetype: '',
      radarr_moviefile_customformat: 'HD Bluray Tier 01|DTS',
      radarr_moviefile_customformatscore: '1750',
      radarr_release_indexer: 'BeyondHD (Prowlarr)',
      radarr_release_size: '14495514624',
      radarr_release_title: 'Spirited.Away.2001.1080p.BluRay.DTS.x264-CtrlHD',
    },
  },
  {
    name: 'Download, an upgrade: the replaced files (dates added, an empty recycle-bin entry for the one without)',
    fixture: 'download-upgrade',
    env: {
      radarr_eventtype: 'Download', ...INSTANCE,
      radarr_isupgrade: 'True',
      ...SPIRITED_AWAY, ...PATH, ...SPIRITED_AWAY_IDS, ...NO_DATES, ...OVERVIEW,
      radarr_moviefile_id: '1204',
      radarr_moviefile_relativepath: 'Spirited Away (2001) Remux-2160p.mkv',
      radarr_moviefile_path: '/movies/Spirited Away (2001)/Spirited Away (2001) Remux-2160p.mkv',
      radarr_moviefile_quality: 'Remux-2160p',
      radarr_moviefile_qualityversion: '2',
      radarr_moviefile_releasegroup: 'FraMeSToR',
      radarr_moviefile_scenename: 'Spirited.Away.2001.UHD.BluRay.2160p.TrueHD.Atmos.7.1.DV.HEVC.REMUX-FraMeSToR',
      radarr_moviefile_sourcepath: '/downloads/complete/Spirited.Away.2001.UHD.BluRay.2160p.TrueHD.Atmos.7.1.DV.HEVC.REMUX-FraMeSToR/Spirited.Away.mkv',
      radarr_moviefile_sourcefolder: '/downloads/complete/Spirited.Away.2001.UHD.BluRay.2160p.TrueHD.Atmos.7.1.DV.HEVC.REMUX-FraMeSToR',
      radarr_download_client: 'SABnzbd',
      radarr_download_client_type: 'SABnzbd',
      radarr_download_id: 'SABnzbd_nzo_k2x8e0qp',
      radarr_moviefile_mediainfo_audiochannels: '7.1',
      radarr_moviefile_mediainfo_audiocodec: 'TrueHD Atmos',
      radarr_moviefile_mediainfo_audiolanguages: 'jpn',
      radarr_moviefile_mediainfo_languages: 'jpn',
      radarr_moviefile_mediainfo_height: '2160',
      radarr_moviefile_mediainfo_width: '3840',
      radarr_moviefile_mediainfo_subtitles: 'eng',
      radarr_moviefile_mediainfo_videocodec: 'HEVC',
      radarr_moviefile_mediainfo_videodynamicrangetype: 'DV HDR10',
      radarr_moviefile_customformat: 'Remux Tier 01|DV HDR10|TrueHD ATMOS',
      radarr_moviefile_customformatscore: '3300',
      radarr_release_indexer: 'Usenet Crawler',
      radarr_release_size: '63350767616',
      radarr_release_title: 'Spirited.Away.2001.UHD.BluRay.2160p.TrueHD.Atmos.7.1.DV.HEVC.REMUX-FraMeSToR',
      radarr_deletedrelativepaths: 'Spirited Away (2001) Bluray-1080p.mkv|Spirited Away (2001) Bluray-1080p.en.srt',
      radarr_deletedpaths: '/movies/Spirited Away (2001)/Spirited Away (2001) Bluray-1080p.mkv|/movies/Spirited Away (2001)/Spirited Away (2001) Bluray-1080p.en.srt',
      radarr_deleteddateadded: '03/14/2025 21:37:05|03/14/2025 21:37:06',
      radarr_deletedrecyclebinpaths: '/recycle/Spirited Away (2001)/Spirited Away (2001) Bluray-1080p.mkv|',
    },
  },
  {
    name: 'Download of a manual import: no grab history, so no release values (not "0"), no download client; stereo is "2"',
    fixture: 'download-manual',
    env: {
      radarr_eventtype: 'Download', ...INSTANCE,
      radarr_isupgrade: 'False',
      radarr_movie_id: '77',
      radarr_movie_title: 'Heat',
      radarr_movie_year: '1995',
      radarr_movie_originallanguage: 'eng',
      radarr_movie_genres: 'Action|Crime|Drama|Thriller',
      radarr_movie_tags: '',
      radarr_movie_path: '/movies/Heat (1995)',
      radarr_movie_imdbid: 'tt0113277',
      radarr_movie_tmdbid: '949',
      ...NO_DATES,
      radarr_movie_overview: '',
      radarr_moviefile_id: '990',
      radarr_moviefile_relativepath: 'Heat (1995).mkv',
      radarr_moviefile_path: '/movies/Heat (1995)/Heat (1995).mkv',
      radarr_moviefile_quality: 'WEBDL-1080p',
      radarr_moviefile_qualityversion: '1',
      radarr_moviefile_releasegroup: '',
      radarr_moviefile_scenename: '',
      radarr_moviefile_sourcepath: '/imports/Heat (1995).mkv',
      radarr_moviefile_sourcefolder: '/imports',
      radarr_download_client: '',
      radarr_download_client_type: '',
      radarr_download_id: '',
      radarr_moviefile_mediainfo_audiochannels: '2',
      radarr_moviefile_mediainfo_audiocodec: 'AAC',
      radarr_moviefile_mediainfo_audiolanguages: 'eng',
      radarr_moviefile_mediainfo_languages: 'eng',
      radarr_moviefile_mediainfo_height: '800',
      radarr_moviefile_mediainfo_width: '1920',
      radarr_moviefile_mediainfo_subtitles: '',
      radarr_moviefile_mediainfo_videocodec: 'h264',
      radarr_moviefile_mediainfo_videodynamicrangetype: '',
      radarr_moviefile_customformat: '',
      radarr_moviefile_customformatscore: '0',
      radarr_release_indexer: '',
      radarr_release_size: '',
      radarr_release_title: '',
    },
  },
  {
    name: 'Rename: ids joined with ",", paths with "|"; no overview',
    fixture: 'rename',
    env: {
      radarr_eventtype: 'Rename', ...INSTANCE, ...SPIRITED_AWAY, ...PATH, ...SPIRITED_AWAY_IDS, ...NO_DATES,
      radarr_moviefile_ids: '981,982',
      radarr_moviefile_relativepaths: 'Spirited Away (2001) Bluray-1080p.mkv|Spirited Away (2001) Bluray-1080p.en.srt',
      radarr_moviefile_paths: '/movies/Spirited Away (2001)/Spirited Away (2001) Bluray-1080p.mkv|/movies/Spirited Away (2001)/Spirited Away (2001) Bluray-1080p.en.srt',
      radarr_moviefile_previousrelativepaths: 'Spirited.Away.2001.1080p.mkv|Spirited.Away.2001.1080p.en.srt',
      radarr_moviefile_previouspaths: '/movies/Spirited Away (2001)/Spirited.Away.2001.1080p.mkv|/movies/Spirited Away (2001)/Spirited.Away.2001.1080p.en.srt',
    },
  },
  {
    name: 'MovieAdded: the add method by its enum name',
    fixture: 'movie-added',
    env: {
      radarr_eventtype: 'MovieAdded', ...INSTANCE,
      radarr_movie_id: '530',
      radarr_movie_title: 'Your Name.',
      radarr_movie_year: '2016',
      radarr_movie_originallanguage: 'jpn',
      radarr_movie_genres: 'Animation|Romance|Drama',
      radarr_movie_tags: '',
      radarr_movie_path: '/movies/Your Name. (2016)',
      radarr_movie_imdbid: 'tt5311514',
      radarr_movie_tmdbid: '372058',
      radarr_movie_addmethod: 'List',
    },
  },
  {
    name: 'MovieFileDelete: the reason first, the file with its size',
    fixture: 'movie-file-delete',
    env: {
      radarr_eventtype: 'MovieFileDelete', ...INSTANCE,
      radarr_moviefile_deletereason: 'MissingFromDisk',
      ...SPIRITED_AWAY, ...PATH, ...SPIRITED_AWAY_IDS, ...OVERVIEW,
      radarr_moviefile_id: '981',
      radarr_moviefile_relativepath: 'Spirited Away (2001) Bluray-1080p.mkv',
      radarr_moviefile_path: '/movies/Spirited Away (2001)/Spirited Away (2001) Bluray-1080p.mkv',
      radarr_moviefile_size: '14495514624',
      radarr_moviefile_quality: 'Bluray-1080p',
      radarr_moviefile_qualityversion: '1',
      radarr_moviefile_releasegroup: 'CtrlHD',
      radarr_moviefile_scenename: 'Spirited.Away.2001.1080p.BluRay.DTS.x264-CtrlHD',
    },
  },
  {
    name: 'MovieDelete with its files: the folder size is set',
    fixture: 'movie-delete',
    env: {
      radarr_eventtype: 'MovieDelete', ...INSTANCE, ...SPIRITED_AWAY, ...PATH, ...SPIRITED_AWAY_IDS,
      radarr_movie_deletedfiles: 'True',
      ...OVERVIEW,
      radarr_movie_folder_size: '14495514624',
    },
  },
  {
    name: 'MovieDelete keeping the files: no folder size variable at all',
    fixture: 'movie-delete-keep-files',
    env: {
      radarr_eventtype: 'MovieDelete', ...INSTANCE,
      radarr_movie_id: '77',
      radarr_movie_title: 'Heat',
      radarr_movie_year: '1995',
      radarr_movie_originallanguage: 'eng',
      radarr_movie_genres: 'Action|Crime|Drama|Thriller',
      radarr_movie_tags: '',
      radarr_movie_path: '/movies/Heat (1995)',
      radarr_movie_imdbid: 'tt0113277',
      radarr_movie_tmdbid: '949',
      radarr_movie_deletedfiles: 'False',
      radarr_movie_overview: '',
    },
  },
  {
    name: 'Health is HealthIssue to a script; the level by its enum name',
    fixture: 'health',
    env: {
      radarr_eventtype: 'HealthIssue', ...INSTANCE,
      radarr_health_issue_level: 'Warning',
      radarr_health_issue_message: 'Indexers unavailable due to failures: BeyondHD (Prowlarr)',
      radarr_health_issue_type: 'IndexerStatusCheck',
      radarr_health_issue_wiki: 'https://wiki.servarr.com/radarr/system#indexers-are-unavailable-due-to-failures',
    },
  },
  {
    name: 'HealthRestored: its body has no applicationUrl, so the variable is empty without the API',
    fixture: 'health-restored',
    env: {
      radarr_eventtype: 'HealthRestored',
      radarr_instancename: 'Radarr',
      radarr_applicationurl: '',
      radarr_health_restored_level: 'Error',
      radarr_health_restored_message: 'Unable to communicate with qBittorrent. Connection refused (localhost:8080)',
      radarr_health_restored_type: 'DownloadClientCheck',
      radarr_health_restored_wiki: 'https://wiki.servarr.com/radarr/system#unable-to-communicate-with-download-client',
    },
  },
  {
    name: 'HealthRestored with the application URL the API gave',
    fixture: 'health-restored',
    facts: { applicationUrl: 'https://radarr.example.org' },
    env: {
      radarr_eventtype: 'HealthRestored', ...INSTANCE,
      radarr_health_restored_level: 'Error',
      radarr_health_restored_message: 'Unable to communicate with qBittorrent. Connection refused (localhost:8080)',
      radarr_health_restored_type: 'DownloadClientCheck',
      radarr_health_restored_wiki: 'https://wiki.servarr.com/radarr/system#unable-to-communicate-with-download-client',
    },
  },
  {
    name: 'ApplicationUpdate',
    fixture: 'application-update',
    env: {
      radarr_eventtype: 'ApplicationUpdate', ...INSTANCE,
      radarr_update_message: 'Radarr updated from 5.26.2.10099 to 6.0.3.10276',
      radarr_update_newversion: '6.0.3.10276',
      radarr_update_previousversion: '5.26.2.10099',
    },
  },
  {
    name: 'ManualInteractionRequired: the movie and the download item',
    fixture: 'manual-interaction-required',
    env: {
      radarr_eventtype: 'ManualInteractionRequired', ...INSTANCE, ...SPIRITED_AWAY, ...PATH, ...SPIRITED_AWAY_IDS, ...OVERVIEW, ...QBIT,
      radarr_download_size: '14495514624',
      radarr_download_title: 'Spirited.Away.2001.1080p.BluRay.DTS.x264-CtrlHD',
    },
  },
];

describe('Radarr Custom Script variables from webhook bodies', () => {
  for (const c of CASES) {
    it(c.name, () => {
      assert.deepEqual({ ...arrScriptEnv('radarr', body(c.fixture), c.facts) }, c.env);
    });
  }

  it('an event type it does not know still gets the event type and the instance', () => {
    assert.deepEqual({ ...arrScriptEnv('radarr', { eventType: 'MovieUpdated', instanceName: 'Radarr 4K', applicationUrl: '', movie: { id: 1 } }) }, {
      radarr_eventtype: 'MovieUpdated',
      radarr_instancename: 'Radarr 4K',
      radarr_applicationurl: '',
    });
  });

  it('an odd body (wrong types, missing objects) gives empty values, never a throw', () => {
    const env = arrScriptEnv('radarr', { eventType: 'Download', movie: 'x', movieFile: [1], release: null, isUpgrade: 'yes', deletedFiles: {} });
    assert.equal(env.radarr_eventtype, 'Download');
    assert.equal(env.radarr_movie_id, '');
    assert.equal(env.radarr_isupgrade, 'False');
    assert.equal(env.radarr_deletedpaths, undefined);
  });
});
