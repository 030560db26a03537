// The dispatch subsystem, assembled: the hook registry and definitions, the invoker with its
// invocation log, the filter chain, action hooks and the pending-event dispatcher. What a hook
// run raises (hook.executed, emitted events) is the event service's: it subscribes with
// onHookRun, because it is built after dispatch (it needs the filter chain).
import type { Knex } from 'knex';
import type { Catalog } from '../catalog.ts';
import type { HooksConfig, RuntimeConfig } from '../config/index.ts';
import type { JsonLimits } from '../json-bounds.ts';
import type { EventsStore } from '../db/events-store.ts';
import type { EnvGrants } from '../env-grants.ts';
import { createHooksStore } from '../db/hooks-store.ts';
import { createInvocationsStore } from '../db/invocations-store.ts';
import { createLimiter } from '../limiter.ts';
import type { Instance } from '../instance.ts';
import type { Logger } from '../log.ts';
import type { HookMetrics } from '../metrics/index.ts';
import type { PruneTask } from '../retention.ts';
import type { Compiler, HookEvent, Sandbox } from '../../runtime/index.ts';
import { createActionRunner } from './action-runner.ts';
import { createDispatcher } from './dispatcher.ts';
import { createFilterChain } from './filter-chain.ts';
import { createFiltering } from './filtering.ts';
import { createHookDefinitions } from './hook-definition.ts';
import { createGrantDescriber } from './grant-description.ts';
import { createGrants } from './hook-grants.ts';
import type { IntegrationConfig } from '../config/integrations.ts';
import { createHookRegistry } from './hook-registry.ts';
import { createInvoker, type Invocation, type InvokeOptions, type InvokerDeps } from './invoke.ts';

export interface DispatchDeps {
  db: Knex;
  events: EventsStore;
  catalog: Catalog;
  log: Logger;
  sandbox: Sandbox;
  compiler: Compiler;
  hooksConfig: HooksConfig;
  runtimeConfig: RuntimeConfig;
  /** Bounds of a payload a hook produces (filter output, emit): events.maxDepth, runtime.maxResultSize. */
  payloadLimits: JsonLimits;
  /** The one env rule: what permissions.env resolves to, and which names registration refuses. */
  envGrants: EnvGrants;
  /** config `integrations`: the *arr apps permissions.apps may name. */
  integrations: Readonly<Record<string, IntegrationConfig>>;
  /** Where hook runs and filter chains are counted (GET /metrics). */
  metrics: HookMetrics;
  /** This daemon among others on the database: events are claimed first when it is shared. */
  instance: Instance;
  /** Optional parts later subsystems plug in (the command runner). */
  invokerExtras?: Pick<InvokerDeps, 'runCommand'>;
  checkCommand?: (argv: string[]) => Promise<void>;
}

export function createDispatch(deps: DispatchDeps) {
  // Ends the background writers' storage retries at stop: what they owed stays in the database.
  const stopping = new AbortController();
  const hookRunListeners: HookRunListener[] = [];
  const hooks = createHooksStore(deps.db);
  const invocations = createInvocationsStore(deps.db);
  const registry = createHookRegistry({ store: hooks });
  const definitions = createHookDefinitions({
    catalog: deps.catalog,
    compiler: deps.compiler,
    profiles: Object.keys(deps.runtimeConfig.profiles),
    maxTimeoutMs: deps.runtimeConfig.maxTimeoutMs,
    checkCommand: deps.checkCommand,
    refuseEnv: deps.envGrants.refuse,
  });
  const invoker = createInvoker({
    sandbox: deps.sandbox,
    hooks,
    registry,
    invocations,
    log: deps.log,
    disableAfterFailures: deps.hooksConfig.disableAfterFailures || Number.POSITIVE_INFINITY,
    payloadLimits: deps.payloadLimits,
    stopSignal: stopping.signal,
    grantsFor: createGrants({
      catalog: deps.catalog,
      maxResponseBytes: deps.runtimeConfig.maxFetchResponseBytes,
      maxJsonDepth: deps.payloadLimits.maxDepth,
      resolveEnv: deps.envGrants.resolve,
      integrations: deps.integrations,
    }),
    onInvoked: async (invocation, event, options) => {
      await Promise.all(hookRunListeners.map((listener) => listener(invocation, event, options)));
    },
    observeCall: deps.metrics.observeHookCall,
    ...deps.invokerExtras,
  });
  const runFilterChain = createFilterChain({
    catalog: deps.catalog,
    invoker,
    deadlineMs: deps.hooksConfig.chainTimeoutMs,
    limits: deps.payloadLimits,
    observeChain: deps.metrics.observeFilterChain,
  });
  const runActions = createActionRunner({ registry, invoker, limiter: createLimiter(deps.hooksConfig.actionConcurrency) });
  // Events in flight = action concurrency: the rest wait in the queue and, at a stop, stay
  // pending in the database (and run after the restart) instead of starting late.
  const dispatcher = createDispatcher({
    db: deps.db,
    events: deps.events,
    log: deps.log,
    concurrency: deps.hooksConfig.actionConcurrency,
    runActions,
    stopSignal: stopping.signal,
    claims: deps.instance.shared ? { owner: deps.instance.id, leaseTtlMs: deps.instance.leaseTtlMs } : undefined,
  });
  const filtering = createFiltering({ invocations, registry, runFilterChain });

  const pruneTasks: PruneTask[] = [
    { name: 'invocations (age)', prune: (now) => invocations.pruneOlderThan(now - deps.hooksConfig.invocationRetentionMs) },
    { name: 'invocations (count)', prune: () => invocations.pruneBeyondCount(deps.hooksConfig.invocationsPerHook) },
  ];

  return {
    hooks,
    invocations,
    /** A hook's permissions as what they reach now (API answers). */
    describeGrant: createGrantDescriber({
      catalog: deps.catalog,
      envGrants: deps.envGrants,
      integrations: deps.integrations,
      maxResponseBytes: deps.runtimeConfig.maxFetchResponseBytes,
    }),
    registry,
    definitions,
    invoker,
    dispatcher,
    filtering,
    pruneTasks,
    /** Subscribes to every recorded hook run (the event service raises what follows from it). */
    onHookRun(listener: HookRunListener): void {
      hookRunListeners.push(listener);
    },
    /** Loads the registry; must run before events are accepted. */
    async load(): Promise<void> {
      await registry.reload();
    },
    /** Resumes what a stop left: pending action hooks. */
    async resume(): Promise<void> {
      dispatcher.start();
    },
    async stop(): Promise<void> {
      stopping.abort();
      await dispatcher.stop();
      await invoker.drain();
    },
  };
}

/** Told of every recorded hook run, in the run's own turn: must not throw, may start tracked background work. */
/** Answers once what follows from the run is stored: an action's event is done only then. */
export type HookRunListener = (invocation: Invocation, event: HookEvent, options: InvokeOptions) => Promise<void>;

export type Dispatch = ReturnType<typeof createDispatch>;
