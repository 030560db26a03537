// The *arr apps' webhooks in: the routes, the receiver behind them, the catalog types of the
// apps' own events, and the registry of apps and event types.
export { createIntegrationsRouter, INTEGRATION_ACCEPTED, INTEGRATION_ROUTES, DEFAULT_INSTANCE } from './router.ts';
export { createReceiver, type Flag, type Received, type Receiver } from './receive.ts';
export { INTEGRATION_CATALOG } from './catalog.ts';
export { ARR_APPS, isArrApp, type ArrApp } from './arr-apps.ts';
export { APP_EVENTS, eventSuffix, findAppEvent, unknownTypeOf, type AppEvent } from './event-types.ts';
export { normalizeBody } from './normalize/index.ts';
