// Prowlarr's Custom Script variables (`prowlarr_*`) per webhook event, in the order
// src/NzbDrone.Core/Notifications/CustomScript/CustomScript.cs adds them (Prowlarr, branch
// develop), computed from the webhook body Notifications/Webhook/WebhookBase.cs builds for the
// same event. Prowlarr sends only Test, Grab, Health, HealthRestored and ApplicationUpdate
// (Notifications/Webhook/Webhook.cs). Pure data.
import { DOWNLOAD_CLIENT, healthVars, UPDATE_VARS } from './common.ts';
import { join, obj, sortableUtc, text, type Json } from './format.ts';
import { at, vars, type Getter, type ScriptTable } from './table.ts';

const release = (b: Json) => obj(b.release) ?? {};
const releaseList = (field: string): Getter => (b) => join(release(b)[field], '|');

const GRAB = vars(
  ['release_title', at('release', 'releaseTitle')],
  ['release_indexer', at('release', 'indexer')],
  // long?: empty when the indexer gave no size (the body leaves it out).
  ['release_size', at('release', 'size')],
  ['release_genres', releaseList('genres')],
  // The body has the categories' and flags' names, as the script joins them.
  ['release_categories', releaseList('categories')],
  ['release_indexerflags', releaseList('indexerFlags')],
  // PublishDate.ToUniversalTime().ToString("s") + "Z".
  ['release_publishdate', (b) => sortableUtc(release(b).publishDate)],
  DOWNLOAD_CLIENT,
  ['source', (b) => text(b.source)],
  ['host', (b) => text(b.host)],
  // GrabMessage.Redirect (the indexer's "redirect" setting) is not in the body: empty.
  ['redirect', () => ''],
);

export const PROWLARR_SCRIPT: ScriptTable = {
  app: 'prowlarr',
  events: {
    Test: { eventType: 'Test', vars: [] },
    Grab: { eventType: 'Grab', vars: GRAB },
    Health: { eventType: 'HealthIssue', vars: healthVars('issue') },
    HealthRestored: { eventType: 'HealthRestored', vars: healthVars('restored') },
    ApplicationUpdate: { eventType: 'ApplicationUpdate', vars: UPDATE_VARS },
  },
};
