// Lidarr's Custom Script environment from its webhook bodies, variable by variable, against what
// Lidarr's CustomScript.cs sets for the same event; the events it never runs its script for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrScriptEnv, arrScriptSkips } from '../../../lib/integrations/arr-script-env/index.ts';
import { itGivesEachCase } from '../../fixtures/arr-script/expect-cases.ts';
import { body, CASES, NOT_RUN } from '../../fixtures/arr-script/lidarr-cases.ts';

describe('Lidarr Custom Script variables from webhook bodies', () => {
  itGivesEachCase('lidarr', body, CASES);

  it('DownloadFailure and ImportFailure do not run the script (CustomScript.cs has no handler for them)', () => {
    for (const fixture of NOT_RUN) assert.equal(arrScriptSkips('lidarr', body(fixture)), 'DownloadFailure');
    assert.equal(arrScriptSkips('lidarr', { eventType: 'ImportFailure' }), 'ImportFailure');
    assert.equal(arrScriptSkips('radarr', { eventType: 'DownloadFailure' }), undefined);
  });

  it('an import without added files leaves addedtrackpaths out, as Lidarr does', () => {
    const env = arrScriptEnv('lidarr', { ...body('download'), trackFiles: [] });
    assert.equal('lidarr_addedtrackpaths' in env, false);
    assert.equal('lidarr_deletedpaths' in env, false);
  });
});
