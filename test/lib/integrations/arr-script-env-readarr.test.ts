// Readarr's Custom Script environment from its webhook bodies, variable by variable, against what
// Readarr's CustomScript.cs sets for the same event.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrScriptEnv } from '../../../lib/integrations/arr-script-env/index.ts';
import { itGivesEachCase } from '../../fixtures/arr-script/expect-cases.ts';
import { body, CASES } from '../../fixtures/arr-script/readarr-cases.ts';

describe('Readarr Custom Script variables from webhook bodies', () => {
  itGivesEachCase('readarr', body, CASES);

  it('an event type it does not know gets the event type alone (no instance variables in Readarr)', () => {
    assert.deepEqual({ ...arrScriptEnv('readarr', { eventType: 'HealthRestored', instanceName: 'Readarr' }) }, { readarr_eventtype: 'HealthRestored' });
  });
});
