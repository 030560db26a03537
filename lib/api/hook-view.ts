// How hooks and their invocations look in API answers. The compiled module stays internal.
import type { HookRecord } from '../db/hooks-store.ts';
import type { InvocationRecord } from '../db/invocations-store.ts';

export function presentHook(h: HookRecord) {
  return {
    id: h.id,
    name: h.name,
    origin: h.origin,
    ...(h.filePath ? { file: h.filePath } : {}),
    kind: h.kind,
    mode: h.mode,
    events: h.events,
    priority: h.priority,
    ...(h.kind === 'module' ? { source: h.source } : { command: h.command }),
    env: h.env,
    permissions: h.permissions,
    timeoutMs: h.timeoutMs,
    limits: h.limits,
    enabled: h.enabled,
    disabledReason: h.disabledReason,
    consecutiveFailures: h.consecutiveFailures,
    version: h.version,
    createdAt: new Date(h.createdAt).toISOString(),
    updatedAt: new Date(h.updatedAt).toISOString(),
  };
}

export function presentInvocation(i: InvocationRecord) {
  return {
    id: i.id,
    eventId: i.eventId,
    hookId: i.hookId,
    hookVersion: i.hookVersion,
    mode: i.mode,
    status: i.status,
    durationMs: i.durationMs,
    error: i.error,
    logs: i.logs,
    at: new Date(i.createdAt).toISOString(),
  };
}
