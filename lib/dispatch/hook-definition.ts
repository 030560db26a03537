// Validates a hook definition (from POST/PATCH /hooks or a hooks-directory file) and turns it
// into stored fields: shape by JSON Schema (400), patterns against the catalog (422), the
// limit profile (422), env names no hook may get (422), the module source compiled with line
// and column on error (400).
import type { Static } from 'typebox';
import type { Catalog } from '../catalog.ts';
import type { HookFields, HookRecord } from '../db/hooks-store.ts';
import { errors } from '../errors.ts';
import { APP_KEY_PATTERN } from '../config/integrations.ts';
import { ENV_NAME_PATTERN } from '../env-grants.ts';
import { checkPatternList } from '../event-pattern.ts';
import { ARR_APPS } from '../integrations/arr-apps.ts';
import { ARR_SCRIPT_APPS } from '../integrations/arr-script-env/index.ts';
import { compileOwnSchema } from '../json-schema.ts';
import { validateNetAllowlist, type Compiler } from '../../runtime/index.ts';

export const HOOK_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const envNames = { type: 'array', items: { type: 'string', pattern: ENV_NAME_PATTERN } } as const;

/** A hook's fields as the API (POST and PATCH /hooks) and a hooks-directory file give them. */
export const HOOK_FIELDS = {
  name: { type: 'string', pattern: HOOK_NAME_PATTERN, description: 'Unique: 1-64 letters, digits, ".", "_" or "-".' },
  events: {
    ...stringList,
    minItems: 1,
    description: 'Event-type patterns ("media.added", "download.*", "*"), at most 100 of at most 200 characters; each must match a catalog type (422 otherwise).',
  },
  mode: { enum: ['filter', 'action'], description: 'filter: changes the payload, in priority order; action: acts on the accepted event.' },
  priority: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000, description: 'Lower runs first (default 100).' },
  kind: { enum: ['module', 'command'], description: 'module (default, unless "command" is given) or command.' },
  source: { type: 'string', minLength: 1, description: 'A module hook\'s ES module source; a compile error is 400 COMPILE_ERROR with line and column.' },
  command: { ...stringList, minItems: 1, description: 'A command hook\'s argv; the program an absolute path it can run (422 otherwise).' },
  env: { ...envNames, description: 'Command hooks: the variables (from `secrets`, then the environment) the program gets. Never HOOKD_* (422).' },
  arrScript: {
    enum: [...ARR_APPS, null],
    description: `Command hooks: run the program as that app's Custom Script: it gets the \`<app>_*\` variables the app would set for the event, computed from the app's stored webhook body (${ARR_SCRIPT_APPS.join(', ')}; null removes it).`,
  },
  timeoutMs: { type: 'integer', minimum: 1, description: 'Per call; at most runtime.maxTimeout.' },
  limits: { type: 'string', minLength: 1, description: 'A memory profile of runtime.profiles (422 when unknown).' },
  enabled: { type: 'boolean', description: 'true re-enables an auto-disabled hook and resets its failure count.' },
  permissions: {
    type: 'object',
    additionalProperties: false,
    description: 'Capabilities a module hook gets: hosts for ctx.fetch (`net`), names for ctx.env (`env`), *arr apps for ctx.apps (`apps`). Admin only; changes are logged.',
    properties: {
      net: stringList,
      env: envNames,
      apps: {
        type: 'array',
        items: { type: 'string', pattern: APP_KEY_PATTERN },
        description: 'ctx.apps.<app>: "radarr", "sonarr", "lidarr", "readarr", "prowlarr", or an instance such as "radarr/4k"; each configured under integrations (else its calls fail with APP_NOT_CONFIGURED).',
      },
    },
  },
  description: { type: 'string' },
} as const;

/** Every field optional (PATCH /hooks/:id). */
export const HOOK_INPUT_SCHEMA = { type: 'object', additionalProperties: false, properties: HOOK_FIELDS } as const;
/** A new hook (POST /hooks, a hook file): name, events and mode are required. */
export const NEW_HOOK_SCHEMA = { ...HOOK_INPUT_SCHEMA, required: ['name', 'events', 'mode'] } as const;

export type HookInput = Static<typeof HOOK_INPUT_SCHEMA>;

export interface HookDefinitionDeps {
  catalog: Catalog;
  compiler: Compiler;
  profiles: readonly string[];
  maxTimeoutMs: number;
  /** Checks a command hook's program (issue 5); throws a HookdError when it cannot run. */
  checkCommand?: (argv: string[]) => Promise<void>;
  /** Why an env name can never be granted (EnvGrants.refuse), or undefined. */
  refuseEnv: (name: string) => string | undefined;
}

export const DEFAULT_PRIORITY = 100;
const validateNew = compileOwnSchema(NEW_HOOK_SCHEMA);
const validateChange = compileOwnSchema(HOOK_INPUT_SCHEMA);

export function createHookDefinitions(deps: HookDefinitionDeps) {
  // The API checks its bodies against the same schemas before they get here; a hook file's
  // config is checked only here.
  function checkShape(input: unknown, validate: typeof validateNew): HookInput {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw errors.validation('the body must be a JSON object describing the hook');
    }
    const problems = validate(input);
    if (problems.length > 0) {
      throw errors.validation(`invalid hook: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`, { problems });
    }
    return input as HookInput;
  }

  function checkPatterns(patterns: string[]): void {
    checkPatternList(patterns, 'events', (i) => ({ pointer: i === undefined ? '/events' : `/events/${i}` }));
    for (const [i, pattern] of patterns.entries()) {
      if (deps.catalog.match(pattern).length === 0) {
        throw errors.unprocessable(`event pattern "${pattern}" matches no event type in the catalog (GET /catalog)`, {
          pointer: `/events/${i}`,
        });
      }
    }
  }

  // Refused here as well as at each run: an admin learns now, not from a variable that never arrives.
  function checkEnv(input: HookInput): void {
    const lists: Array<[string, string[] | undefined]> = [['/permissions/env', input.permissions?.env], ['/env', input.env]];
    for (const [field, names] of lists) {
      for (const [i, name] of (names ?? []).entries()) {
        const why = deps.refuseEnv(name);
        if (why !== undefined) {
          throw errors.unprocessable(`${field}/${i}: "${name}" cannot be granted to a hook: ${why}`, { pointer: `${field}/${i}`, reason: why });
        }
      }
    }
  }

  function checkRest(input: HookInput): void {
    checkEnv(input);
    if (input.limits !== undefined && !deps.profiles.includes(input.limits)) {
      throw errors.unprocessable(`limit profile "${input.limits}" does not exist; known: ${deps.profiles.join(', ')}`, {
        pointer: '/limits',
      });
    }
    const netProblems = validateNetAllowlist(input.permissions?.net ?? []);
    if (netProblems.length > 0) {
      throw errors.validation(`invalid permissions.net: ${netProblems.join('; ')}`, { pointer: '/permissions/net' });
    }
    if (input.timeoutMs !== undefined && input.timeoutMs > deps.maxTimeoutMs) {
      throw errors.validation(`timeoutMs ${input.timeoutMs} is above the maximum of ${deps.maxTimeoutMs}`, { pointer: '/timeoutMs' });
    }
  }

  async function compile(source: string, filename: string) {
    const result = await deps.compiler.compile(source, filename);
    if (!result.ok) throw errors.compile(filename, result.error.message, result.error.line, result.error.column);
    return result.hook;
  }

  // The schema lists the apps hookd takes webhooks from; each has a Custom Script table (arr-script-env).
  function checkArrScript(kind: 'module' | 'command', input: HookInput): void {
    const app = input.arrScript;
    if (app === undefined || app === null) return;
    if (kind === 'module') {
      throw errors.validation('arrScript is for command hooks only (a module hook reads the app\'s body from event.payload)', { pointer: '/arrScript' });
    }
  }

  async function checkBody(kind: 'module' | 'command', input: HookInput, filename: string): Promise<Partial<HookFields>> {
    checkArrScript(kind, input);
    if (kind === 'module') {
      if (input.command !== undefined) throw errors.validation('a module hook has "source", not "command"', { pointer: '/command' });
      if (input.source === undefined) return {};
      return { source: input.source, compiled: await compile(input.source, filename) };
    }
    if (input.source !== undefined) throw errors.validation('a command hook has "command", not "source"', { pointer: '/source' });
    if (input.command === undefined) return {};
    if (!deps.checkCommand) throw errors.unprocessable('command hooks are not available in this build');
    await deps.checkCommand(input.command);
    return { command: input.command };
  }

  return {
    /** A full definition for a new hook. `filename` names the module in stacks and errors. */
    async forCreate(raw: unknown, origin: 'api' | 'file', filePath: string | null = null): Promise<HookFields> {
      const input = checkShape(raw, validateNew);
      const kind = input.kind ?? (input.command ? 'command' : 'module');
      if (kind === 'module' && input.source === undefined) throw errors.validation('invalid hook: /source is required', { pointer: '/source' });
      if (kind === 'command' && input.command === undefined) throw errors.validation('invalid hook: /command is required', { pointer: '/command' });
      checkPatterns(input.events!);
      checkRest(input);
      const body = await checkBody(kind, input, filePath ?? `${input.name}.js`);
      return {
        name: input.name!,
        origin,
        filePath,
        kind,
        mode: input.mode!,
        events: input.events!,
        priority: input.priority ?? DEFAULT_PRIORITY,
        source: body.source ?? null,
        compiled: body.compiled ?? null,
        command: body.command ?? null,
        env: input.env ?? [],
        arrScript: input.arrScript ?? null,
        permissions: input.permissions ?? {},
        timeoutMs: input.timeoutMs ?? null,
        limits: input.limits ?? null,
        enabled: input.enabled ?? true,
        disabledReason: null,
      };
    },

    /** The fields a PATCH changes; the kind of a hook cannot change. */
    async forUpdate(existing: HookRecord, raw: unknown): Promise<Partial<HookFields>> {
      const input = checkShape(raw, validateChange);
      if (input.kind !== undefined && input.kind !== existing.kind) {
        throw errors.validation(`a hook's kind cannot change (it is "${existing.kind}"): create a new hook`, { pointer: '/kind' });
      }
      if (input.events) checkPatterns(input.events);
      checkRest(input);
      const body = await checkBody(existing.kind, input, existing.filePath ?? `${input.name ?? existing.name}.js`);
      const fields: Partial<HookFields> = { ...body };
      for (const key of ['name', 'events', 'mode', 'priority', 'env', 'arrScript', 'permissions', 'timeoutMs', 'limits', 'enabled'] as const) {
        if (input[key] !== undefined) (fields as Record<string, unknown>)[key] = input[key];
      }
      return fields;
    },
  };
}

export type HookDefinitions = ReturnType<typeof createHookDefinitions>;
