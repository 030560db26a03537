// hooks/media.imported/20-clean-title.ts: the TypeScript rename filter.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createExampleRunner } from './example-runner.ts';

const FILE = 'hooks/media.imported/20-clean-title.ts';

describe(FILE, () => {
  const runner = createExampleRunner();
  after(() => runner.close());

  const cases: Array<[string, Record<string, unknown>, Record<string, unknown> | undefined]> = [
    ['a movie release name', { title: 'The.Matrix.1999.1080p.BluRay.x264-GRP' }, { title: 'The Matrix (1999)', quality: '1080p BluRay' }],
    ['a release name with underscores', { title: 'Spirited_Away_2001_720p_WEB-DL' }, { title: 'Spirited Away (2001)', quality: '720p WEB-DL' }],
    ['a release name without a year', { title: 'Planet.Earth.II.2160p.UHD.BluRay.x265-TERMiNAL' }, { title: 'Planet Earth II', quality: '2160p UHD BluRay' }],
    ['a release name, keeping the quality the app already knows', { title: 'Heat.1995.720p.HDTV', quality: 'HDTV-720p' }, { title: 'Heat (1995)' }],
    ['a path with characters Windows shares refuse', { title: 'Mission: Impossible', path: '/movies/Mission: Impossible (1996)/Mission: Impossible?.mkv' }, { path: '/movies/Mission - Impossible (1996)/Mission - Impossible.mkv' }],
    ['a clean title and path (no change)', { title: 'The Matrix', path: '/movies/The Matrix (1999)/The Matrix.mkv' }, undefined],
    ['a title with dots that is not a release name (no change)', { title: 'Mr. Robot' }, undefined],
  ];
  for (const [what, payload, patch] of cases) {
    it(`cleans ${what}`, async () => {
      const report = await runner.run({ file: FILE, payload });
      assert.equal(report.status, 'ok', report.error?.message);
      assert.equal(report.mode, 'filter');
      if (patch === undefined) {
        assert.equal(report.result, undefined);
        assert.equal(report.changed, false);
      } else {
        assert.deepEqual(report.result, { patch });
        assert.deepEqual(report.payload, { ...payload, ...patch });
      }
    });
  }
});
