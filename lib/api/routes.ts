// Every route of the API, in the order the OpenAPI document lists them, and the schemas it
// names under components. The document is built from these declarations, the same ones the
// routers serve and validate with; a test checks that the daemon serves exactly these.
import { EVENT_INPUT_SCHEMA } from '../events/index.ts';
import { HOOK_INPUT_SCHEMA, NEW_HOOK_SCHEMA } from '../dispatch/hook-definition.ts';
import { INTEGRATION_ACCEPTED, INTEGRATION_ROUTES } from '../integrations/index.ts';
import { packageVersion } from '../package-info.ts';
import { ATTEMPT_VIEW, DELIVERY_VIEW, WEBHOOK_VIEW } from '../webhooks/views.ts';
import { NEW_WEBHOOK_SCHEMA, WEBHOOK_CHANGES_SCHEMA } from '../webhooks/webhook-input.ts';
import { CATALOG_ROUTES, CATALOG_TYPE } from './catalog-router.ts';
import { DELIVERY_ROUTES } from './deliveries-router.ts';
import { EVENT_ACCEPTED, EVENT_VIEW, FILTER_RESULT, PROGRESS_ACCEPTED } from './event-view.ts';
import { EVENT_ROUTES } from './events-router.ts';
import { HOOK_ROUTES } from './hooks-router.ts';
import { REPLAY_ROUTES } from './replay-router.ts';
import { HOOK_ERROR, HOOK_VIEW, INVOCATION_VIEW, LOG_LINE } from './hook-view.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { PROGRESS_ROUTES } from './progress-router.ts';
import type { RouteSpec } from './route.ts';
import { SERVICE_ROUTES } from './service-router.ts';
import { SESSION_ROUTES } from './session-router.ts';
import { STREAM_ROUTES } from './stream-router.ts';
import { WEBHOOK_ROUTES } from './webhooks-router.ts';

export const API_ROUTES: readonly RouteSpec[] = [
  ...Object.values(SERVICE_ROUTES),
  ...Object.values(SESSION_ROUTES),
  ...Object.values(EVENT_ROUTES),
  ...Object.values(CATALOG_ROUTES),
  ...Object.values(HOOK_ROUTES),
  ...Object.values(REPLAY_ROUTES),
  ...Object.values(WEBHOOK_ROUTES),
  ...Object.values(DELIVERY_ROUTES),
  ...Object.values(STREAM_ROUTES),
  ...Object.values(PROGRESS_ROUTES),
  ...Object.values(INTEGRATION_ROUTES),
];

export const API_SCHEMAS: Readonly<Record<string, object>> = {
  EventInput: EVENT_INPUT_SCHEMA,
  Event: EVENT_VIEW,
  EventAccepted: EVENT_ACCEPTED,
  ProgressAccepted: PROGRESS_ACCEPTED,
  FilterResult: FILTER_RESULT,
  CatalogType: CATALOG_TYPE,
  NewHook: NEW_HOOK_SCHEMA,
  HookChanges: HOOK_INPUT_SCHEMA,
  Hook: HOOK_VIEW,
  Invocation: INVOCATION_VIEW,
  HookError: HOOK_ERROR,
  LogLine: LOG_LINE,
  NewWebhook: NEW_WEBHOOK_SCHEMA,
  WebhookChanges: WEBHOOK_CHANGES_SCHEMA,
  Webhook: WEBHOOK_VIEW,
  Delivery: DELIVERY_VIEW,
  Attempt: ATTEMPT_VIEW,
  IntegrationAccepted: INTEGRATION_ACCEPTED,
};

/** The paths that also take ?access_token= (when stream.queryToken is on). */
export const QUERY_TOKEN_PATHS: readonly string[] = API_ROUTES.filter((r) => r.auth !== 'none' && r.auth.queryToken).map((r) => r.path);

export function buildApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument({ routes: API_ROUTES, schemas: API_SCHEMAS, version: packageVersion() });
}
