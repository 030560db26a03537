// Prowlarr's Custom Script environment from its webhook bodies, variable by variable, against what
// Prowlarr's CustomScript.cs sets for the same event.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrScriptEnv } from '../../../lib/integrations/arr-script-env/index.ts';
import { itGivesEachCase } from '../../fixtures/arr-script/expect-cases.ts';
import { body, CASES } from '../../fixtures/arr-script/prowlarr-cases.ts';

describe('Prowlarr Custom Script variables from webhook bodies', () => {
  itGivesEachCase('prowlarr', body, CASES);

  it('the publish date in UTC without fraction, from a time with an offset too', () => {
    const grab = body('grab');
    const at = (publishDate: string) => arrScriptEnv('prowlarr', { ...grab, release: { ...grab.release, publishDate } }).prowlarr_release_publishdate;
    assert.equal(at('2024-05-14T05:04:05.9+02:00'), '2024-05-14T03:04:05Z');
    assert.equal(at('not a date'), '');
  });
});
