// Sonarr's Custom Script environment from its webhook bodies, variable by variable, against what
// Sonarr v4's CustomScript.cs sets for the same event, both Download shapes included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrScriptEnv } from '../../../lib/integrations/arr-script-env/index.ts';
import { body, CASES } from '../../fixtures/arr-script/sonarr-cases.ts';

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
