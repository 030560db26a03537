// /hooks: register, list, change and delete hooks; their invocation log; dry runs of a saved
// hook or of unsaved source. Admin scope, reading included: an events token (an application's)
// gets a 403 on every /hooks route. File hooks are read-only here except `enabled`.
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../catalog.ts';
import { PAGE_BYTES } from '../db/bounded-page.ts';
import type { HookRecord, HooksStore, ListedHook } from '../db/hooks-store.ts';
import { isUniqueViolation } from '../db/storage-errors.ts';
import type { EventsStore } from '../db/events-store.ts';
import type { InvocationsStore } from '../db/invocations-store.ts';
import { filterOutputCheck } from '../dispatch/filter-chain.ts';
import { HOOK_FIELDS, HOOK_INPUT_SCHEMA, NEW_HOOK_SCHEMA, type HookDefinitions } from '../dispatch/hook-definition.ts';
import type { DescribeGrant } from '../dispatch/grant-description.ts';
import type { HookRegistry } from '../dispatch/hook-registry.ts';
import type { Invoker } from '../dispatch/invoke.ts';
import { errors } from '../errors.ts';
import { payloadChanged, payloadForMode } from '../events/payload.ts';
import type { Compiler } from '../../runtime/index.ts';
import type { JsonLimits } from '../json-bounds.ts';
import { JSON_VALUE } from '../value-schemas.ts';
import { ID_PARAMS, pageOf } from './common-schemas.ts';
import { MAX_ID_LENGTH } from './request-params.ts';
import { HOOK_ERROR, HOOK_VIEW, INVOCATION_STATUSES, INVOCATION_VIEW, LOG_LINE, presentHook, presentInvocation } from './hook-view.ts';
import { nextRegistryCursor, readRegistryCursor, registryPage, registryPageQuery } from './registry-pages.ts';
import { createRouteTable, defineRoute } from './route.ts';

const TEST_EVENT_FIELDS = {
  type: { type: 'string', description: 'The event type to test with (a catalog type). Required unless eventId is given.' },
  payload: { ...JSON_VALUE, description: "The payload ({} when left out), checked against the type's schema in the catalog." },
  eventId: {
    type: 'string',
    minLength: 1,
    maxLength: MAX_ID_LENGTH,
    description:
      'Run against this stored event instead (GET /events/:id): the hook sees its id, type, time and payload (as received for a filter, ' +
      'as stored after the filters for an action). Leave type and payload out.',
  },
} as const;

// Either a test event (type, payload) or a stored one (eventId): the handler says which is missing.
const TEST_EVENT_SCHEMA = {
  type: 'object',
  description: 'A test event (type and payload) or a stored event (eventId); other fields are ignored.',
  properties: TEST_EVENT_FIELDS,
} as const;

const UNSAVED_HOOK_TEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'Any hook field (name, events and mode may be left out: a filter for every type) plus the test event\'s type and payload, or a stored event\'s eventId.',
  properties: { ...HOOK_FIELDS, ...TEST_EVENT_FIELDS },
} as const;

const DRY_RUN_RESULT = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'logs', 'durationMs'],
  description: 'What the hook did; nothing was stored and no webhook was sent.',
  properties: {
    status: { enum: INVOCATION_STATUSES },
    result: { ...JSON_VALUE, description: 'What the hook returned (absent: nothing).' },
    payload: { ...JSON_VALUE, description: 'A filter\'s resulting payload, as the chain would store it.' },
    changed: { type: 'boolean' },
    error: HOOK_ERROR,
    logs: { type: 'array', items: LOG_LINE },
    durationMs: { type: 'number', minimum: 0 },
  },
} as const;

const COMPILE_REQUEST = {
  type: 'object',
  additionalProperties: false,
  required: ['source'],
  description: 'Module source to compile (at most runtime.maxSourceSize); it is never run.',
  properties: {
    source: { ...HOOK_FIELDS.source, description: 'The ES module source, as a module hook\'s `source`.' },
    filename: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^/\\\\]+$', description: 'The name errors carry (default draft.js; .ts strips types).' },
  },
} as const;

const INVOCATION_PAGE = pageOf(INVOCATION_VIEW, { field: 'nextBefore', param: 'before', type: 'integer' });

const INVOCATIONS_PAGE_SIZE = 50;

const nameTaken = (name: string) => errors.conflict(`a hook named "${name}" exists already`);

/**
 * The same 409 when the name was free at the check but a concurrent request stored it before
 * this write (the table's unique key refused the row); any other failure passes on.
 */
const nameTakenMeanwhile = (name: string) => (error: unknown): never => {
  throw isUniqueViolation(error) ? nameTaken(name) : error;
};
const admin = { scope: 'admin' } as const;
const DEFINITION_ERRORS = ['VALIDATION', 'COMPILE_ERROR', 'UNPROCESSABLE'] as const;
const TEST_EVENT_ERRORS = ['UNKNOWN_EVENT_TYPE', 'SCHEMA_VIOLATION'] as const;

export const HOOK_ROUTES = {
  create: defineRoute({
    operationId: 'createHook',
    method: 'POST',
    path: '/hooks',
    tag: 'hooks',
    summary: 'Register a hook',
    description:
      'Module source is compiled now: a syntax error is a 400 with line and column. A pattern that matches no catalog type, a command that cannot run or an env name no hook may get is a 422. ' +
      'With hooks.maxHooks hooks already (file hooks counted), a 409 LIMIT_REACHED.',
    auth: admin,
    body: { schema: NEW_HOOK_SCHEMA, read: 'object', name: 'hook', expects: 'the hook' },
    responses: { 201: { description: 'Registered.', schema: HOOK_VIEW } },
    errors: [...DEFINITION_ERRORS, 'CONFLICT', 'LIMIT_REACHED'],
  }),
  list: defineRoute({
    operationId: 'listHooks',
    method: 'GET',
    path: '/hooks',
    tag: 'hooks',
    summary: 'Every hook, from the API and from the hooks directory, by priority then name, paged',
    auth: admin,
    query: registryPageQuery('hooks.maxHooks'),
    responses: { 200: { description: 'A page of hooks.', schema: registryPage(HOOK_VIEW) } },
  }),
  testUnsaved: defineRoute({
    operationId: 'testUnsavedHook',
    method: 'POST',
    path: '/hooks/test',
    tag: 'hooks',
    summary: 'Dry-run unsaved hook source against a test event or a stored one',
    auth: admin,
    body: { schema: UNSAVED_HOOK_TEST_SCHEMA, read: 'object', name: 'hook test', expects: 'a hook definition with "type" and "payload"' },
    responses: { 200: { description: 'What the hook did.', schema: DRY_RUN_RESULT } },
    errors: [...DEFINITION_ERRORS, ...TEST_EVENT_ERRORS, 'NOT_FOUND'],
  }),
  compile: defineRoute({
    operationId: 'compileHookSource',
    method: 'POST',
    path: '/hooks/compile',
    tag: 'hooks',
    summary: 'Compile module source without running it or saving anything',
    description: 'The same compile as registration (the editor calls it as you type): `{ "ok": true }`, or 400 COMPILE_ERROR with details.line and details.column. A source over runtime.maxSourceSize is a COMPILE_ERROR too.',
    auth: admin,
    body: { schema: COMPILE_REQUEST, read: 'object', name: 'compile request', expects: '{ "source" }' },
    responses: { 200: { description: 'It compiles.', schema: { type: 'object', additionalProperties: false, required: ['ok'], properties: { ok: { const: true } } } } },
    errors: ['COMPILE_ERROR'],
  }),
  get: defineRoute({
    operationId: 'getHook',
    method: 'GET',
    path: '/hooks/:id',
    tag: 'hooks',
    summary: 'One hook',
    auth: admin,
    params: ID_PARAMS,
    responses: { 200: { description: 'The hook.', schema: HOOK_VIEW } },
    errors: ['NOT_FOUND'],
  }),
  update: defineRoute({
    operationId: 'updateHook',
    method: 'PATCH',
    path: '/hooks/:id',
    tag: 'hooks',
    summary: 'Change a hook',
    description: 'Every change bumps `version`. `{ "enabled": true }` re-enables an auto-disabled hook and resets its failure count. A file hook takes only `enabled` (409 READ_ONLY otherwise).',
    auth: admin,
    params: ID_PARAMS,
    body: { schema: HOOK_INPUT_SCHEMA, read: 'object', name: 'hook', expects: 'the hook' },
    responses: { 200: { description: 'The changed hook.', schema: HOOK_VIEW } },
    errors: [...DEFINITION_ERRORS, 'NOT_FOUND', 'CONFLICT', 'READ_ONLY'],
  }),
  remove: defineRoute({
    operationId: 'deleteHook',
    method: 'DELETE',
    path: '/hooks/:id',
    tag: 'hooks',
    summary: 'Delete an API hook (delete a file hook\'s file instead)',
    auth: admin,
    params: ID_PARAMS,
    responses: { 204: { description: 'Deleted.' } },
    errors: ['NOT_FOUND', 'READ_ONLY'],
  }),
  invocations: defineRoute({
    operationId: 'listHookInvocations',
    method: 'GET',
    path: '/hooks/:id/invocations',
    tag: 'hooks',
    summary: 'A hook\'s runs, newest first, with status, duration, error and logs',
    auth: admin,
    params: ID_PARAMS,
    query: {
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 500, default: INVOCATIONS_PAGE_SIZE, description: `Page size. A page also ends once its runs' logs and errors pass ${PAGE_BYTES / 1024 / 1024} MiB (one run always fits); nextBefore then continues.` },
        before: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The nextBefore of the previous page.' },
      },
    },
    responses: { 200: { description: 'A page of invocations.', schema: INVOCATION_PAGE } },
    errors: ['NOT_FOUND'],
  }),
  test: defineRoute({
    operationId: 'testHook',
    method: 'POST',
    path: '/hooks/:id/test',
    tag: 'hooks',
    summary: 'Dry-run a saved hook against a test event or a stored one: nothing stored, no webhooks',
    auth: admin,
    params: ID_PARAMS,
    body: { schema: TEST_EVENT_SCHEMA, read: 'object', name: 'test event', expects: 'a test event with "type" and "payload"' },
    responses: { 200: { description: 'What the hook did.', schema: DRY_RUN_RESULT } },
    errors: ['NOT_FOUND', ...TEST_EVENT_ERRORS],
  }),
} as const;

type TestEventInput = { type?: string; payload?: unknown; eventId?: string };

export interface HooksRouterDeps {
  store: HooksStore;
  /** Stored events a dry run may be run against ({ eventId }). */
  events: Pick<EventsStore, 'get'>;
  registry: HookRegistry;
  definitions: HookDefinitions;
  invocations: InvocationsStore;
  invoker: Invoker;
  /** POST /hooks/compile: compiles only (Babel in a worker), never runs. */
  compiler: Compiler;
  catalog: Catalog;
  bodyLimit: number;
  /** config hooks.maxHooks: the most hooks POST /hooks lets exist, and GET /hooks' default page size. */
  maxHooks: number;
  /** A filter's output (as the chain judges it); maxDepth also bounds request bodies. */
  payloadLimits: JsonLimits;
  /** A hook's permissions as what they reach now: every hook answer carries it as `grant`. */
  describeGrant: DescribeGrant;
  /** Told of every permission change (who, old, new) for the audit log. */
  onPermissionsChanged?: (change: { hook: HookRecord; before: unknown; after: unknown; by: string }) => void;
}

export function createHooksRouter(deps: HooksRouterDeps) {
  const routes = createRouteTable({ bodyLimit: deps.bodyLimit, maxDepth: deps.payloadLimits.maxDepth });

  /** A hook with its grant (its permissions spelled out). */
  function view(hook: ListedHook) {
    return { ...presentHook(hook), grant: deps.describeGrant(hook.permissions) };
  }

  async function load(id: string): Promise<HookRecord> {
    const hook = await deps.store.get(id);
    if (!hook) throw errors.notFound('hook', id);
    return hook;
  }

  /**
   * The event a dry run uses: a stored one as this hook's mode would get it (it was checked when
   * it arrived), or a test event of a known type whose payload fits its schema.
   */
  async function testEvent(input: TestEventInput, mode: HookRecord['mode']) {
    if (input.eventId !== undefined) {
      if (input.type !== undefined || input.payload !== undefined) {
        throw errors.validation('give either "eventId" (a stored event) or "type" and "payload" (a test event), not both', { pointer: '/eventId' });
      }
      const stored = await deps.events.get(input.eventId);
      if (!stored) throw errors.notFound('event', input.eventId);
      return { id: stored.id, type: stored.type, occurredAt: stored.occurredAt, payload: payloadForMode(stored, mode) };
    }
    if (input.type === undefined) throw errors.validation('give "type" (and "payload") for a test event, or "eventId" for a stored one', { pointer: '/type' });
    if (!deps.catalog.get(input.type)) throw errors.unknownEventType(input.type);
    const payload = input.payload ?? {};
    const problems = deps.catalog.validate(input.type, payload);
    if (problems.length > 0) throw errors.schemaViolation(input.type, problems.map((p) => ({ ...p, pointer: `/payload${p.pointer}` })));
    return { id: `test-${randomUUID()}`, type: input.type, occurredAt: new Date().toISOString(), payload };
  }

  async function dryRun(hook: HookRecord, input: TestEventInput) {
    const event = await testEvent(input, hook.mode);
    // A filter's output is judged as the chain would judge it (invalid-output when refused).
    let payload: unknown;
    const check = filterOutputCheck(deps.catalog, event.type, event.payload, deps.payloadLimits, (accepted) => (payload = accepted));
    const { status, outcome } = await deps.invoker.invoke(hook, event, { mode: hook.mode, dryRun: true, ...(hook.mode === 'filter' ? { check } : {}) });
    return {
      status,
      result: outcome.value,
      ...(payload === undefined ? {} : { payload, changed: payloadChanged(event.payload, payload) }),
      ...(outcome.error ? { error: outcome.error } : {}),
      logs: outcome.logs,
      durationMs: outcome.durationMs,
    };
  }

  routes.add(HOOK_ROUTES.create, async (ctx, { body }) => {
    const fields = await deps.definitions.forCreate(body, 'api');
    if (await deps.store.findByName(fields.name)) throw nameTaken(fields.name);
    const hook = await deps.store.insertUnderCap(randomUUID(), fields, deps.maxHooks).catch(nameTakenMeanwhile(fields.name));
    if (!hook) throw errors.limitReached('hooks (API and file hooks together)', deps.maxHooks, 'hooks.maxHooks');
    await deps.registry.reload();
    ctx.status = 201;
    ctx.body = view(hook);
  });

  routes.add(HOOK_ROUTES.list, async (ctx, { query }) => {
    const after = readRegistryCursor('h', query.cursor, 'GET /hooks');
    const { items, more } = await deps.store.listPage({ limit: query.limit ?? deps.maxHooks, maxBytes: PAGE_BYTES, after });
    const last = items.at(-1);
    ctx.body = { items: items.map(view), nextCursor: nextRegistryCursor('h', more && last ? { n: last.priority, s: last.name } : undefined) };
  });

  routes.add(HOOK_ROUTES.testUnsaved, async (ctx, { body }) => {
    const { type, payload, eventId, ...definition } = body;
    const fields = await deps.definitions.forCreate({ name: 'dry-run', events: ['*'], mode: 'filter', ...definition }, 'api');
    const hook: HookRecord = { ...fields, id: 'dry-run', version: 0, consecutiveFailures: 0, createdAt: Date.now(), updatedAt: Date.now() };
    ctx.body = await dryRun(hook, { type, payload, eventId });
  });

  routes.add(HOOK_ROUTES.compile, async (ctx, { body }) => {
    const filename = body.filename ?? 'draft.js';
    const result = await deps.compiler.compile(body.source, filename);
    if (!result.ok) throw errors.compile(filename, result.error.message, result.error.line, result.error.column);
    ctx.body = { ok: true };
  });

  routes.add(HOOK_ROUTES.get, async (ctx, { params }) => {
    ctx.body = view(await load(params.id));
  });

  routes.add(HOOK_ROUTES.update, async (ctx, { params, body }) => {
    const hook = await load(params.id);
    if (hook.origin === 'file' && Object.keys(body).some((k) => k !== 'enabled')) {
      throw errors.readOnly('hook', hook.name, `it comes from ${hook.filePath}; edit the file (only "enabled" can change here)`);
    }
    const fields = await deps.definitions.forUpdate(hook, body);
    if (fields.name && fields.name !== hook.name && (await deps.store.findByName(fields.name))) throw nameTaken(fields.name);
    const updated = await deps.store.update(hook.id, fields).catch(nameTakenMeanwhile(fields.name ?? hook.name));
    // Deleted by a concurrent request since it was loaded.
    if (!updated) throw errors.notFound('hook', hook.id);
    await deps.registry.reload();
    if (fields.permissions !== undefined && JSON.stringify(fields.permissions) !== JSON.stringify(hook.permissions)) {
      deps.onPermissionsChanged?.({ hook: updated, before: hook.permissions, after: updated.permissions, by: ctx.state.principal.name });
    }
    ctx.body = view(updated);
  });

  routes.add(HOOK_ROUTES.remove, async (ctx, { params }) => {
    const hook = await load(params.id);
    if (hook.origin === 'file') throw errors.readOnly('hook', hook.name, `it comes from ${hook.filePath}; delete the file`);
    await deps.store.remove(hook.id);
    await deps.registry.reload();
    ctx.status = 204;
  });

  routes.add(HOOK_ROUTES.invocations, async (ctx, { params, query }) => {
    const hook = await load(params.id);
    const limit = query.limit ?? INVOCATIONS_PAGE_SIZE;
    const { items, more } = await deps.invocations.listForHook(hook.id, { limit, maxBytes: PAGE_BYTES, beforeId: query.before });
    ctx.body = { items: items.map((i) => presentInvocation(i, hook.name)), nextBefore: more ? items.at(-1)!.id : null };
  });

  routes.add(HOOK_ROUTES.test, async (ctx, { params, body }) => {
    const hook = await load(params.id);
    ctx.body = await dryRun(hook, body);
  });

  return routes.router;
}
