// Radarr's Custom Script environment from its webhook bodies, variable by variable, against what
// Radarr's CustomScript.cs sets for the same event (names lowercase as StringDictionary stores
// them; lists joined with | or , ; True/False; enums by name; dates as DateTime.ToString()).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrScriptEnv } from '../../../lib/integrations/arr-script-env/index.ts';
import { body, CASES } from '../../fixtures/arr-script/radarr-cases.ts';

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
