// The media event derived from each app body: its type, the fields every normalized payload
// has (app, instance, title, year, ids, genres, tags, path, quality, raw), what each event adds,
// both Sonarr Download shapes and an upgrade; the payload fits the default catalog's schema;
// a body of the wrong shape never throws.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCatalog } from '../../../lib/catalog.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import { normalizeBody } from '../../../lib/integrations/index.ts';
import { arrFixture, arrFixtures } from '../../fixtures/arr/index.ts';

const catalog = createCatalog(loadConfig({ env: {} }).catalog);

function normalized(name: string, instance = 'default') {
  const f = arrFixture(name);
  const n = normalizeBody(f.app, instance, f.body);
  assert.ok(n, `${name} raises a normalized event`);
  return { ...n, body: f.body };
}

const EXPECTED_TYPES: Record<string, string | undefined> = {
  'radarr-test': undefined,
  'radarr-grab': 'download.grabbed',
  'radarr-download': 'media.imported',
  'radarr-download-upgrade': 'media.imported',
  'radarr-rename': 'media.renamed',
  'radarr-movie-added': 'media.added',
  'radarr-movie-delete': 'media.removed',
  'radarr-movie-file-delete': 'media.file.removed',
  'radarr-health': 'health.issue',
  'radarr-health-restored': 'health.restored',
  'radarr-application-update': 'app.updated',
  'radarr-manual-interaction-required': 'download.manual.interaction',
  'sonarr-test': undefined,
  'sonarr-grab': 'download.grabbed',
  'sonarr-download': 'media.imported',
  'sonarr-download-upgrade': 'media.imported',
  'sonarr-download-import-complete': 'media.imported',
  'sonarr-rename': 'media.renamed',
  'sonarr-series-add': 'media.added',
  'sonarr-series-delete': 'media.removed',
  'sonarr-episode-file-delete': 'media.file.removed',
  'sonarr-health': 'health.issue',
  'sonarr-health-restored': 'health.restored',
  'sonarr-application-update': 'app.updated',
  'sonarr-manual-interaction-required': 'download.manual.interaction',
  'sonarr-v5-grab': 'download.grabbed',
  'sonarr-v5-download': 'media.imported',
  'sonarr-v5-download-import-complete': 'media.imported',
  'sonarr-v5-rename': 'media.renamed',
  'sonarr-v5-series-add': 'media.added',
  'sonarr-v5-series-delete': 'media.removed',
  'sonarr-v5-episode-file-delete': 'media.file.removed',
  'sonarr-v5-manual-interaction-required': 'download.manual.interaction',
  'lidarr-test': undefined,
  'lidarr-grab': 'download.grabbed',
  'lidarr-download': 'media.imported',
  'lidarr-download-failure': 'download.failed',
  'lidarr-import-failure': 'download.failed',
  'lidarr-rename': 'media.renamed',
  'lidarr-artist-add': 'media.added',
  'lidarr-artist-delete': 'media.removed',
  'lidarr-album-delete': 'media.removed',
  'lidarr-retag': undefined,
  'lidarr-health': 'health.issue',
  'lidarr-health-restored': 'health.restored',
  'lidarr-application-update': 'app.updated',
  'readarr-test': undefined,
  'readarr-grab': 'download.grabbed',
  'readarr-download': 'media.imported',
  'readarr-rename': 'media.renamed',
  'readarr-author-added': 'media.added',
  'readarr-author-delete': 'media.removed',
  'readarr-book-delete': 'media.removed',
  'readarr-book-file-delete': 'media.file.removed',
  'readarr-retag': undefined,
  'readarr-health': 'health.issue',
  'readarr-application-update': 'app.updated',
  'prowlarr-test': undefined,
  'prowlarr-grab': 'download.grabbed',
  'prowlarr-health': 'health.issue',
  'prowlarr-health-restored': 'health.restored',
  'prowlarr-application-update': 'app.updated',
  'whisparr-v2-test': undefined,
  'whisparr-v2-grab': 'download.grabbed',
  'whisparr-v2-download': 'media.imported',
  'whisparr-v2-download-upgrade': 'media.imported',
  'whisparr-v2-rename': 'media.renamed',
  'whisparr-v2-series-add': 'media.added',
  'whisparr-v2-series-delete': 'media.removed',
  'whisparr-v2-episode-file-delete': 'media.file.removed',
  'whisparr-v2-health': 'health.issue',
  'whisparr-v2-health-restored': 'health.restored',
  'whisparr-v2-application-update': 'app.updated',
  'whisparr-v2-manual-interaction-required': 'download.manual.interaction',
  'whisparr-v3-test': undefined,
  'whisparr-v3-grab': 'download.grabbed',
  'whisparr-v3-download': 'media.imported',
  'whisparr-v3-rename': 'media.renamed',
  'whisparr-v3-movie-added': 'media.added',
  'whisparr-v3-movie-delete': 'media.removed',
  'whisparr-v3-movie-file-delete': 'media.file.removed',
  'whisparr-v3-health': 'health.issue',
  'whisparr-v3-health-restored': 'health.restored',
  'whisparr-v3-application-update': 'app.updated',
  'whisparr-v3-manual-interaction-required': 'download.manual.interaction',
};

describe('normalization', () => {
  test('every fixture raises its media event (Test none), whose payload fits the default catalog and keeps the body as raw', () => {
    const fixtures = arrFixtures();
    assert.deepEqual(fixtures.map((f) => f.name).sort(), Object.keys(EXPECTED_TYPES).sort());
    for (const f of fixtures) {
      const n = normalizeBody(f.app, '4k', f.body);
      assert.equal(n?.type, EXPECTED_TYPES[f.name], f.name);
      if (!n) continue;
      assert.deepEqual(catalog.validate(n.type, n.payload), [], f.name);
      assert.equal(n.payload.raw, f.body, `${f.name}: raw is the body`);
      assert.equal(n.payload.app, f.app);
      assert.equal(n.payload.instance, '4k');
      assert.equal(n.payload.appEventType, f.body.eventType);
      assert.equal(n.payload.instanceName, f.body.instanceName);
      assert.equal(Object.values(n.payload).includes(undefined), false, `${f.name}: no undefined fields`);
    }
  });

  test('a movie: title, year, ids (tmdb, imdb, radarr), genres, tags, path, and the tmdbId/imdbId the media.added schema names', () => {
    const { payload } = normalized('radarr-movie-added');
    assert.deepEqual(
      { ...payload, raw: undefined },
      {
        app: 'radarr',
        instance: 'default',
        instanceName: 'Radarr',
        appEventType: 'MovieAdded',
        mediaType: 'movie',
        title: 'Dune',
        year: 2021,
        ids: { radarr: 42, tmdb: 438631, imdb: 'tt1160419' },
        tmdbId: 438631,
        imdbId: 'tt1160419',
        genres: ['Science Fiction', 'Adventure'],
        tags: ['4k', 'sci-fi'],
        path: '/movies/Dune (2021)',
        overview: payload.overview,
        originalLanguage: 'English',
        releaseDate: '2022-01-11',
        addMethod: 'list',
        raw: undefined,
      },
    );
  });

  test('a series: ids tvdb, tvMaze, tmdb, imdb and sonarr; seriesType; the episodes', () => {
    const { payload } = normalized('sonarr-series-add');
    assert.equal(payload.mediaType, 'series');
    assert.equal(payload.title, 'Frieren: Beyond Journey’s End');
    assert.equal(payload.year, 2023);
    assert.deepEqual(payload.ids, { sonarr: 7, tvdb: 424536, tvMaze: 68271, tmdb: 209867, imdb: 'tt22248376' });
    assert.equal(payload.tvdbId, 424536);
    assert.equal(payload.seriesType, 'anime');
    assert.deepEqual(payload.genres, ['Adventure', 'Anime', 'Drama', 'Fantasy']);
    assert.equal(payload.path, '/tv/Frieren - Beyond Journey’s End');
    const grab = normalized('sonarr-grab').payload;
    assert.deepEqual(grab.episodes, [{ id: 5005, seasonNumber: 1, episodeNumber: 5, title: 'Phantoms of the Dead', airDate: '2023-10-06', airDateUtc: '2023-10-06T14:00:00Z' }]);
  });

  test("Sonarr v5's additions: mal and aniList ids, originalCountry, each episode's finaleType, the releases' indexer flags", () => {
    const grab = normalized('sonarr-v5-grab').payload as any;
    assert.deepEqual(grab.ids, { sonarr: 7, tvdb: 424536, tvMaze: 68271, tmdb: 209867, imdb: 'tt22248376', mal: [52991], aniList: [154587] });
    assert.equal(grab.originalCountry, 'jpn');
    assert.equal(grab.episodes[0].finaleType, 'season');
    assert.deepEqual(grab.release.indexerFlags, ['G_Freeleech']);
    const download = normalized('sonarr-v5-download').payload as any;
    assert.deepEqual(download.release, { title: download.raw.release.releaseTitle, indexer: 'Nyaa (Prowlarr)', size: 1449551462, indexerFlags: [], releaseType: 'singleEpisode' });
    assert.equal(download.episodes[0].finaleType, undefined, 'not a finale: none');
  });

  test("Whisparr v2 reads as Sonarr's shape: a site as the series, its scenes as episodes; its tvdbId is Whisparr's metadata id, not TheTVDB's", () => {
    const added = normalized('whisparr-v2-series-add').payload;
    assert.deepEqual([added.app, added.mediaType, added.title, added.path], ['whisparr', 'series', 'Example Studio', '/data/whisparr/Example Studio']);
    assert.deepEqual(added.ids, { whisparr: 12, whisparrMetadata: 3057 });
    assert.equal(added.tvdbId, undefined);
    const grab = normalized('whisparr-v2-grab').payload as any;
    assert.deepEqual(grab.episodes, [{ id: 4521, seasonNumber: 2024, title: 'Scene Title One', airDate: '2024-03-08', airDateUtc: '2024-03-08T00:00:00Z' }]);
    assert.equal(grab.indexer, 'Example Indexer (Prowlarr)');
    const upgrade = normalized('whisparr-v2-download-upgrade').payload as any;
    assert.deepEqual([upgrade.mediaType, upgrade.isUpgrade, upgrade.quality, upgrade.replacedFiles[0].quality], ['series', true, 'WEBDL-1080p', 'WEBDL-720p']);
    const manual = normalized('whisparr-v2-manual-interaction-required').payload;
    assert.deepEqual([manual.mediaType, manual.title, manual.downloadStatus], ['series', 'Example Studio', undefined]);
  });

  test("Whisparr v3 reads as Radarr's shape: a movie or scene, its StashDB id among the ids", () => {
    const grab = normalized('whisparr-v3-grab').payload as any;
    assert.deepEqual([grab.app, grab.mediaType, grab.title, grab.year], ['whisparr', 'movie', 'Scene Title Two', 2025]);
    assert.deepEqual(grab.ids, { whisparr: 88, stash: '5b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3' });
    assert.deepEqual(grab.release.indexerFlags, ['G_Freeleech']);
    const added = normalized('whisparr-v3-movie-added').payload;
    assert.deepEqual([added.title, added.tmdbId, added.addMethod], ['Example Feature', 612345, 'manual']);
    const download = normalized('whisparr-v3-download').payload as any;
    assert.deepEqual([download.mediaType, download.isUpgrade, download.files[0].sourcePath, download.replacedFiles[0].recycleBinPath], ['movie', true, download.raw.movieFile.sourcePath, download.raw.deletedFiles[0].recycleBinPath]);
    const { movie: _movie, ...unmatched } = arrFixture('whisparr-v3-manual-interaction-required').body;
    const n = normalizeBody('whisparr', 'default', unmatched)!;
    assert.deepEqual([n.payload.mediaType, n.payload.title, n.payload.downloadStatus], ['movie', unmatched.downloadInfo.title, 'Warning'], 'no movie: still v3, the download title');
  });

  test('ids the app does not know (0 or "") are left out: the Test bodies', () => {
    const radarr = normalizeBody('radarr', 'default', { ...arrFixture('radarr-test').body, eventType: 'MovieAdded' })!;
    assert.deepEqual(radarr.payload.ids, { radarr: 1, tmdb: 1234, imdb: '5678' }, 'movie.tmdbId is 0: the remoteMovie one is used');
    const sonarr = normalizeBody('sonarr', 'default', { ...arrFixture('sonarr-test').body, eventType: 'SeriesAdd' })!;
    assert.deepEqual(sonarr.payload.ids, { sonarr: 1, tvdb: 1234 });
    assert.equal(sonarr.payload.year, undefined, 'year 0 is unknown');
  });

  test('a grab: the release, its quality, the download client and id; indexer and size where the download.grabbed schema has them', () => {
    const { payload } = normalized('radarr-grab');
    assert.equal(payload.quality, 'Bluray-2160p');
    assert.equal(payload.downloadClient, 'qBittorrent');
    assert.equal(payload.downloadId, '8C0D6E4B2A1F3E5D7C9B0A1F2E3D4C5B6A7F8E9D');
    assert.equal(payload.indexer, 'BeyondHD (Prowlarr)');
    assert.equal(payload.size, 78643200000);
    assert.deepEqual((payload.release as any).customFormats, ['Remux Tier 01', 'HDR10', 'TrueHD Atmos']);
    assert.deepEqual((payload.release as any).indexerFlags, ['G_Freeleech', 'G_Internal']);
    const prowlarr = normalized('prowlarr-grab').payload;
    assert.equal(prowlarr.title, 'Dune.2021.2160p.UHD.BluRay.REMUX.HDR.HEVC.Atmos-FraMeSToR', 'no library item: the release title');
    assert.equal(prowlarr.requestedBy, 'Radarr');
  });

  test('Download: one file, an upgrade with the files it replaced, and Sonarr\'s import-complete shape with every file', () => {
    const movie = normalized('radarr-download').payload as any;
    assert.equal(movie.isUpgrade, false);
    assert.equal(movie.importComplete, false);
    assert.equal(movie.files.length, 1);
    assert.equal(movie.files[0].path, movie.raw.movieFile.path);
    assert.equal(movie.files[0].sourcePath, movie.raw.movieFile.sourcePath);
    assert.equal(movie.quality, 'Remux-2160p');
    assert.deepEqual(movie.replacedFiles, []);

    const upgrade = normalized('radarr-download-upgrade').payload as any;
    assert.equal(upgrade.isUpgrade, true);
    assert.deepEqual(
      upgrade.replacedFiles.map((f: any) => [f.path, f.recycleBinPath]),
      upgrade.raw.deletedFiles.map((f: any) => [f.path, f.recycleBinPath]),
    );

    const episode = normalized('sonarr-download').payload as any;
    assert.equal(episode.importComplete, false);
    assert.deepEqual(episode.files.map((f: any) => f.path), [episode.raw.episodeFile.path]);
    assert.equal(episode.release.releaseType, 'singleEpisode');

    const sonarrUpgrade = normalized('sonarr-download-upgrade').payload as any;
    assert.equal(sonarrUpgrade.isUpgrade, true);
    assert.equal(sonarrUpgrade.replacedFiles[0].quality, 'HDTV-720p');

    const complete = normalized('sonarr-download-import-complete').payload as any;
    assert.equal(complete.importComplete, true);
    assert.equal(complete.isUpgrade, false, 'import complete has no isUpgrade');
    assert.deepEqual(complete.files.map((f: any) => f.path), complete.raw.episodeFiles.map((f: any) => f.path));
    assert.equal(complete.episodes.length, 2);
    assert.equal(complete.sourcePath, complete.raw.sourcePath);
    assert.equal(complete.destinationPath, complete.raw.destinationPath);
    assert.equal(complete.downloadId, complete.raw.downloadId);
  });

  test('removals, file removals and renames', () => {
    const removed = normalized('radarr-movie-delete').payload;
    assert.equal(removed.deleteFiles, true);
    assert.equal(removed.deletedSize, 78643200000);
    assert.equal(normalized('sonarr-series-delete').payload.deleteFiles, true);
    const album = normalized('lidarr-album-delete').payload;
    assert.deepEqual([album.mediaType, album.title, album.artist, album.deleteFiles], ['album', 'Random Access Memories', 'Daft Punk', false]);
    const file = normalized('sonarr-episode-file-delete').payload as any;
    assert.equal(file.reason, 'upgrade');
    assert.equal(file.files[0].path, file.raw.episodeFile.path);
    const renamed = normalized('radarr-rename').payload as any;
    assert.equal(renamed.files[0].previousPath, renamed.raw.renamedMovieFiles[0].previousPath);
    assert.equal(renamed.files[0].path, renamed.raw.renamedMovieFiles[0].path);
  });

  test("Lidarr's failures: DownloadFailure is the release's; ImportFailure, sent without artist or files, still raises download.failed", () => {
    const download = normalized('lidarr-download-failure').payload;
    assert.deepEqual([download.title, download.reason, download.downloadId], ['Daft Punk - Random Access Memories (2013) [FLAC]', 'download failed', 'ABCDEF0123456789ABCDEF0123456789ABCDEF01']);
    const failed = normalized('lidarr-import-failure');
    assert.equal(failed.type, 'download.failed');
    assert.deepEqual([failed.payload.title, failed.payload.reason, failed.payload.files], ['', 'import failed', []]);
    const withArtist = normalizeBody('lidarr', 'default', { ...failed.body, artist: arrFixture('lidarr-download').body.artist })!;
    assert.equal(withArtist.payload.title, 'Daft Punk');
  });

  test("health: the app's level as info, warning or error, the app's own kept; updates: the versions", () => {
    for (const [level, expected] of [['ok', 'info'], ['notice', 'info'], ['warning', 'warning'], ['error', 'error'], ['Error', 'error'], ['critical', 'warning']]) {
      const n = normalizeBody('radarr', 'default', { ...arrFixture('radarr-health').body, level })!;
      assert.equal(n.payload.level, expected, level);
      assert.equal(n.payload.appLevel, level);
    }
    const health = normalized('sonarr-health').payload;
    assert.equal(health.message, 'All download clients are unavailable due to failures');
    assert.equal(health.source, 'DownloadClientStatusCheck');
    const update = normalized('radarr-application-update').payload;
    assert.deepEqual([update.previousVersion, update.newVersion], ['5.26.2.10099', '6.0.3.10276']);
  });

  test('manual interaction: the download, its status messages, the media item when the app matched one', () => {
    const m = normalized('radarr-manual-interaction-required').payload as any;
    assert.equal(m.title, 'Dune');
    assert.equal(m.downloadStatus, 'Warning');
    assert.deepEqual(m.statusMessages, m.raw.downloadStatusMessages);
    const { movie: _movie, ...unmatched } = arrFixture('radarr-manual-interaction-required').body;
    const n = normalizeBody('radarr', 'default', unmatched)!;
    assert.equal(n.payload.title, unmatched.downloadInfo.title, 'no movie: the download title');
    assert.deepEqual(catalog.validate(n.type, n.payload), []);
  });

  test('a body of the wrong shape never throws: every field of the wrong type reads as absent', () => {
    const odd: unknown[] = [null, 1, 'x', [], [1], {}, { id: 'x', title: 5, tags: 'a', genres: [1, 'b'] }];
    for (const f of arrFixtures()) {
      for (const key of Object.keys(f.body)) {
        for (const value of odd) {
          const body = { ...f.body, [key]: value };
          assert.doesNotThrow(() => normalizeBody(f.app, 'default', body), `${f.name} with ${key}: ${JSON.stringify(value)}`);
        }
      }
    }
    const n = normalizeBody('radarr', 'default', { eventType: 'MovieAdded', movie: { title: 5, genres: [1, 'Drama'] } })!;
    assert.equal(n.payload.title, undefined);
    assert.deepEqual(n.payload.genres, ['Drama']);
    assert.ok(catalog.validate(n.type, n.payload).length > 0, 'no title: media.added does not fit, so none is raised');
  });
});
