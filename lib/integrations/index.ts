// The *arr apps' webhooks in: the routes, the receiver behind them, the catalog types of the
// apps' own events, and the registry of apps and event types.
export { createIntegrationsRouter, INTEGRATION_ACCEPTED, INTEGRATION_ROUTES, DEFAULT_INSTANCE } from './router.ts';
export { createReceiver, type Flag, type Received, type Receiver } from './receive.ts';
export { INTEGRATION_CATALOG } from './catalog.ts';
export { APP_EVENTS, ARR_APPS, eventSuffix, findAppEvent, isArrApp, unknownTypeOf, type AppEvent, type ArrApp } from './event-types.ts';
export { normalizeBody } from './normalize/index.ts';
