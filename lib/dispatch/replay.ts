// Replay: runs a draft of a module hook against stored events of one type, as a dry run
// (nothing stored, no webhook, nothing raised: what it emits is collected). The network
// (ctx.fetch, ctx.apps) is withheld unless the caller opts in, and progress never leaves.
// Each result sets the draft's payload beside what the saved version produced.
import type { Catalog } from '../catalog.ts';
import type { EventRecord, EventsStore } from '../db/events-store.ts';
import type { HookRecord } from '../db/hooks-store.ts';
import type { InvocationsStore } from '../db/invocations-store.ts';
import { payloadAt, payloadChanged, payloadForMode } from '../events/payload.ts';
import type { JsonLimits } from '../json-bounds.ts';
import { filterOutputCheck } from './filter-chain.ts';
import type { Invoker } from './invoke.ts';

/** Draft runs in flight at once: a replay shares the sandbox with live events. */
const REPLAY_CONCURRENCY = 4;

export interface ReplayRequest {
  /** The draft: a module hook record (compiled), saved or not. */
  draft: HookRecord;
  /** The saved hook whose stored runs are `current` (absent: a draft of a new hook). */
  savedHookId?: string;
  type: string;
  limit: number;
  since?: number;
  until?: number;
  allowNetwork: boolean;
}

export interface ReplayResult {
  eventId: string;
  receivedAt: string;
  current: { status: string; payload: unknown };
  draft: {
    status: string;
    payload: unknown;
    result?: unknown;
    logs: Array<{ level: string; message: string; at: string }>;
    durationMs: number;
    error?: { message: string; name?: string; line?: number; column?: number };
    emitted: Array<{ type: string; payload: unknown }>;
  };
  changed: boolean;
}

export interface ReplayDeps {
  events: EventsStore;
  invocations: InvocationsStore;
  invoker: Invoker;
  catalog: Catalog;
  payloadLimits: JsonLimits;
}

export function createReplay(deps: ReplayDeps) {
  /** What the saved hook did for this event: its latest stored run, and the event's stored final payload. */
  async function currentOf(event: EventRecord, savedHookId: string | undefined): Promise<ReplayResult['current']> {
    const runs = savedHookId === undefined ? [] : (await deps.invocations.listForEvent(event.id)).filter((r) => r.hookId === savedHookId);
    return { status: runs.at(-1)?.status ?? 'not-run', payload: payloadAt(event, 'final') };
  }

  async function runDraft(request: ReplayRequest, event: EventRecord): Promise<ReplayResult> {
    const { draft } = request;
    const received = payloadForMode(event, draft.mode);
    let candidate: unknown = received;
    const check = filterOutputCheck(deps.catalog, event.type, received, deps.payloadLimits, (accepted) => (candidate = accepted));
    const narrowGrants = (grants: Record<string, unknown>) => {
      const { progress: _progress, net, apps, ...rest } = grants;
      return request.allowNetwork ? { ...rest, ...(net ? { net } : {}), ...(apps ? { apps } : {}) } : rest;
    };
    const hookEvent = { id: event.id, type: event.type, occurredAt: event.occurredAt, payload: received };
    const [{ status, outcome }, current] = await Promise.all([
      deps.invoker.invoke(draft, hookEvent, { mode: draft.mode, dryRun: true, narrowGrants, ...(draft.mode === 'filter' ? { check } : {}) }),
      currentOf(event, request.savedHookId),
    ]);
    // As the chain would store it: a filter that fails leaves the payload as it was; an action changes nothing.
    const payload = draft.mode === 'filter' && status === 'ok' ? candidate : received;
    const logs = [
      ...outcome.logs,
      ...(outcome.denials ?? []).map((d) => ({ level: 'warn', message: `permission denied: ${d.message}`, at: d.at })),
    ];
    return {
      eventId: event.id,
      receivedAt: new Date(event.receivedAt).toISOString(),
      current,
      draft: {
        status,
        payload,
        ...(outcome.value === undefined ? {} : { result: outcome.value }),
        logs,
        durationMs: outcome.durationMs,
        ...(outcome.error ? { error: outcome.error } : {}),
        emitted: (outcome.emitted ?? []).map((e) => ({ type: e.type, payload: e.payload })),
      },
      changed: payloadChanged(current.payload, payload),
    };
  }

  return async function replay(request: ReplayRequest): Promise<ReplayResult[]> {
    const events = await deps.events.list({ types: [request.type], since: request.since, until: request.until, limit: request.limit });
    const results: ReplayResult[] = new Array(events.length);
    let next = 0;
    const worker = async () => {
      while (next < events.length) {
        const i = next++;
        results[i] = await runDraft(request, events[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(REPLAY_CONCURRENCY, events.length) }, worker));
    return results;
  };
}

export type Replay = ReturnType<typeof createReplay>;
