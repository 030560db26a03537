// How hooks and their invocations look in API answers, and the schemas the OpenAPI document
// shows for them (which type what the presenters return). The compiled module stays internal.
import type { Static } from 'typebox';
import type { ListedHook } from '../db/hooks-store.ts';
import type { InvocationRecord } from '../db/invocations-store.ts';
import { ARR_APPS } from '../integrations/arr-apps.ts';
import { DATE_TIME, NULLABLE_STRING } from '../value-schemas.ts';

const stringList = { type: 'array', items: { type: 'string' } } as const;

/** A hook's permissions as what they reach now (lib/dispatch/grant-description.ts). */
export const HOOK_GRANT = {
  type: 'object',
  additionalProperties: false,
  required: ['progress', 'emit', 'fetch', 'env', 'apps'],
  description: "What `permissions` give a module hook now, spelled out: the dashboard shows it in words. No value of a variable or key ever appears.",
  properties: {
    progress: { const: true, description: 'ctx.progress: always granted (live only, never stored).' },
    emit: { ...stringList, description: 'The types ctx.emit may raise: the catalog\'s business types, never hookd\'s own.' },
    fetch: {
      type: 'object',
      additionalProperties: false,
      required: ['hosts', 'maxResponseBytes'],
      description: 'ctx.fetch: the hosts of permissions.net (none: every call is denied), and the largest answer read.',
      properties: { hosts: stringList, maxResponseBytes: { type: 'integer', minimum: 0 } },
    },
    env: {
      type: 'array',
      description: 'ctx.env: each name of permissions.env and where its value comes from now (`unset`: absent; `refused`: a name or value no hook may get).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'from'],
        properties: { name: { type: 'string' }, from: { enum: ['secrets', 'environment', 'unset', 'refused'] } },
      },
    },
    apps: {
      type: 'array',
      description: 'ctx.apps: each app of permissions.apps, and whether it is configured under integrations (else why not).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'ready'],
        properties: { name: { type: 'string' }, ready: { type: 'boolean' }, problem: { type: 'string' } },
      },
    },
  },
} as const;

export const HOOK_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id', 'name', 'origin', 'kind', 'mode', 'events', 'priority', 'env', 'permissions', 'timeoutMs', 'limits',
    'enabled', 'disabledReason', 'consecutiveFailures', 'version', 'createdAt', 'updatedAt',
  ],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    origin: { enum: ['api', 'file'], description: 'file: from the hooks directory, read-only here except `enabled`.' },
    file: { type: 'string', description: 'The hook file, for origin file.' },
    kind: { enum: ['module', 'command'] },
    mode: { enum: ['filter', 'action'] },
    events: stringList,
    priority: { type: 'integer' },
    source: { ...NULLABLE_STRING, description: 'Module hooks: the source.' },
    command: { anyOf: [stringList, { type: 'null' }], description: 'Command hooks: the argv.' },
    arrScript: {
      enum: [...ARR_APPS, null],
      description: "Command hooks: the *arr app whose Custom Script variables the program gets (null: none).",
    },
    env: stringList,
    permissions: {
      type: 'object',
      additionalProperties: false,
      properties: { net: stringList, env: stringList, apps: stringList },
    },
    grant: HOOK_GRANT,
    timeoutMs: { type: ['integer', 'null'] },
    limits: NULLABLE_STRING,
    enabled: { type: 'boolean' },
    disabledReason: { ...NULLABLE_STRING, description: 'Why it was disabled (auto-disable after failures, a file that cannot load).' },
    consecutiveFailures: { type: 'integer', minimum: 0 },
    version: { type: 'integer', description: 'Bumped by every change.' },
    createdAt: DATE_TIME,
    updatedAt: DATE_TIME,
  },
} as const;

export const LOG_LINE = {
  type: 'object',
  additionalProperties: false,
  required: ['level', 'message', 'at'],
  properties: { level: { enum: ['debug', 'info', 'warn', 'error'] }, message: { type: 'string' }, at: DATE_TIME },
} as const;

export const HOOK_ERROR = {
  type: 'object',
  additionalProperties: false,
  required: ['message'],
  description: 'What went wrong in a hook run, with the line and column in the hook file when known.',
  properties: {
    message: { type: 'string' },
    name: { type: 'string' },
    stack: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
  },
} as const;

export const INVOCATION_STATUSES = ['ok', 'error', 'timeout', 'oom', 'crashed', 'invalid-result', 'invalid-output'] as const;

export const INVOCATION_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'eventId', 'hookId', 'hookVersion', 'mode', 'status', 'durationMs', 'error', 'logs', 'at'],
  properties: {
    id: { type: 'integer' },
    eventId: { type: 'string' },
    hookId: { type: 'string' },
    hookName: { type: 'string', description: "The hook's current name (absent once the hook is deleted). Names are not secret: an events token sees them in GET /events/:id." },
    hookVersion: { type: 'integer' },
    mode: { enum: ['filter', 'action'] },
    status: { enum: INVOCATION_STATUSES },
    durationMs: { type: 'number', minimum: 0 },
    error: { anyOf: [HOOK_ERROR, { type: 'null' }] },
    logs: { type: 'array', items: LOG_LINE, description: 'What the hook logged (capped: runtime.maxLogSize, maxLogLines).' },
    at: DATE_TIME,
  },
} as const;

export type HookView = Static<typeof HOOK_VIEW>;
export type InvocationView = Static<typeof INVOCATION_VIEW>;

export function presentHook(h: ListedHook): HookView {
  return {
    id: h.id,
    name: h.name,
    origin: h.origin,
    ...(h.filePath ? { file: h.filePath } : {}),
    kind: h.kind,
    mode: h.mode,
    events: h.events,
    priority: h.priority,
    ...(h.kind === 'module' ? { source: h.source } : { command: h.command, arrScript: h.arrScript }),
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

/** An invocation as the API shows it; `hookName` where the caller knows the hook's name. */
export function presentInvocation(i: InvocationRecord, hookName?: string): InvocationView {
  return {
    id: i.id,
    eventId: i.eventId,
    hookId: i.hookId,
    ...(hookName === undefined ? {} : { hookName }),
    hookVersion: i.hookVersion,
    mode: i.mode,
    status: i.status as InvocationView['status'],
    durationMs: i.durationMs,
    error: i.error,
    logs: i.logs as InvocationView['logs'],
    at: new Date(i.createdAt).toISOString(),
  };
}
