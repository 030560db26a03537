// The daemon's Koa app: every router, in the order requests meet them, handed the parts it
// serves (part of the composition root, lib/daemon.ts). Builds, never listens.
import { join } from 'node:path';
import type Koa from 'koa';
import { createApp } from '../api/app.ts';
import type { createAuthenticator } from '../api/auth.ts';
import { createCatalogRouter } from '../api/catalog-router.ts';
import { createDeliveriesRouter } from '../api/deliveries-router.ts';
import { createEventsRouter } from '../api/events-router.ts';
import { presentInvocation } from '../api/hook-view.ts';
import { createHooksRouter } from '../api/hooks-router.ts';
import { createProgressRouter } from '../api/progress-router.ts';
import { createReplayRouter } from '../api/replay-router.ts';
import { buildApiDocument, QUERY_TOKEN_PATHS } from '../api/routes.ts';
import { createServiceRouter } from '../api/service-router.ts';
import { createSessionRouter } from '../api/session-router.ts';
import type { Sessions } from '../api/sessions.ts';
import { acceptQueryToken, createStreamRouter } from '../api/stream-router.ts';
import { createUiRouter } from '../api/ui-router.ts';
import { createWebhooksRouter } from '../api/webhooks-router.ts';
import type { Catalog } from '../catalog.ts';
import type { Config } from '../config/index.ts';
import type { EventsStore } from '../db/events-store.ts';
import type { Dispatch } from '../dispatch/index.ts';
import { createReplay } from '../dispatch/replay.ts';
import type { EventService } from '../events/index.ts';
import type { Instance } from '../instance.ts';
import { createIntegrationsRouter, createReceiver } from '../integrations/index.ts';
import type { JsonLimits } from '../json-bounds.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/index.ts';
import { packageRoot } from '../package-info.ts';
import type { Progress } from '../progress/index.ts';
import type { StreamHub } from '../progress/stream-hub.ts';
import type { Readiness } from '../readiness/index.ts';
import type { Webhooks } from '../webhooks/index.ts';
import type { Compiler } from '../../runtime/index.ts';

export interface DaemonAppDeps {
  config: Config;
  log: Logger;
  /** Bearer tokens or the session cookie: every route but /integrations. */
  authenticate: Koa.Middleware;
  /** HTTP Basic or Bearer: /integrations authenticates by itself. */
  identify: ReturnType<typeof createAuthenticator>['identify'];
  sessions: Sessions;
  readiness: Readiness;
  isStopping: () => boolean;
  instance: Instance;
  metrics: Metrics;
  catalog: Catalog;
  catalogTypes: string[];
  payloadLimits: JsonLimits;
  events: EventsStore;
  eventService: EventService;
  dispatch: Dispatch;
  webhooks: Webhooks;
  compiler: Compiler;
  streams: StreamHub;
  progress: Progress;
  /** Several daemons on one database: this one's first /stream client is told to the others first. */
  announce?: () => Promise<void>;
}

export function createDaemonApp(deps: DaemonAppDeps): Koa {
  const { config, log, authenticate, catalog, catalogTypes, payloadLimits, events, dispatch, webhooks, metrics } = deps;
  let apiDocument: string | undefined;
  return createApp({
    log,
    authenticate: config.stream.queryToken ? acceptQueryToken(authenticate, QUERY_TOKEN_PATHS) : authenticate,
    publicRouters: [
      createServiceRouter({
        isStopping: deps.isStopping,
        readiness: deps.readiness,
        storage: { client: config.storage.client, ...(deps.instance.shared ? { instance: deps.instance.id } : {}) },
        // Built on first request, not at start: most daemons never serve it.
        document: () => (apiDocument ??= JSON.stringify(buildApiDocument())),
        metrics: { public: config.metrics.public, authenticate, contentType: metrics.contentType, render: metrics.render },
      }),
      createSessionRouter({ sessions: deps.sessions, settings: { replayMaxEvents: config.ui.replayMaxEvents }, bodyLimit: config.server.bodyLimit, maxDepth: config.events.maxDepth }),
      createUiRouter({ dir: join(packageRoot(), 'dist', 'ui') }),
      // The *arr apps' webhooks: HTTP Basic as well as Bearer, so authenticated by the router itself.
      createIntegrationsRouter({
        receive: createReceiver({ catalog, raiseAll: deps.eventService.raiseAll, maxDepth: config.events.maxDepth, log, metrics: metrics.integrations }),
        identify: deps.identify,
        bodyLimit: config.server.bodyLimit,
        maxDepth: config.events.maxDepth,
        metrics: metrics.integrations,
      }),
    ],
    routers: [
      createEventsRouter({
        service: deps.eventService,
        events,
        log,
        catalogTypes,
        bodyLimit: config.server.bodyLimit,
        maxDepth: config.events.maxDepth,
        maxBatch: config.events.maxBatch,
        pageSize: config.events.pageSize,
        metrics: metrics.events,
        isSync: (type) => catalog.get(type)?.sync === true,
        describeEvent: async (id) => ({
          invocations: (await dispatch.invocations.listForEvent(id)).map((i) => presentInvocation(i, dispatch.registry.get(i.hookId)?.name)),
          ...(await webhooks.describeEvent(id)),
        }),
      }),
      createHooksRouter({
        store: dispatch.hooks,
        events,
        registry: dispatch.registry,
        definitions: dispatch.definitions,
        invocations: dispatch.invocations,
        invoker: dispatch.invoker,
        compiler: deps.compiler,
        catalog,
        bodyLimit: config.server.bodyLimit,
        maxHooks: config.hooks.maxHooks,
        payloadLimits,
        describeGrant: dispatch.describeGrant,
        onPermissionsChanged: ({ hook, before, after, by }) =>
          log.info({ hookId: hook.id, hook: hook.name, before, after, by }, 'hook permissions changed'),
      }),
      createReplayRouter({
        replay: createReplay({ events, invocations: dispatch.invocations, invoker: dispatch.invoker, catalog, payloadLimits }),
        hooks: dispatch.hooks,
        definitions: dispatch.definitions,
        catalog,
        maxEvents: config.ui.replayMaxEvents,
        bodyLimit: config.server.bodyLimit,
        maxDepth: config.events.maxDepth,
      }),
      createCatalogRouter({ catalog }),
      createWebhooksRouter({ endpoints: webhooks.endpoints, bodyLimit: config.server.bodyLimit, maxDepth: config.events.maxDepth, pageSize: config.events.pageSize }),
      createDeliveriesRouter({ endpoints: webhooks.endpoints }),
      createStreamRouter({ hub: deps.streams, events, catalogTypes, config: config.stream, authenticate, announce: deps.announce }),
      createProgressRouter({ progress: deps.progress, hub: deps.streams, catalogTypes }),
    ],
  });
}
