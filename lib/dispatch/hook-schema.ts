// The shape of a hook definition (JSON Schema): what the API (POST and PATCH /hooks) and a
// hooks-directory file give. Its own module, free of the runtime, so that the build
// (scripts/build.js) can turn it into precompiled validators (lib/dispatch/hook-validators.ts).
import type { Static } from 'typebox';
import { APP_KEY_PATTERN } from '../config/integrations.ts';
import { ENV_NAME_PATTERN } from '../env-grants.ts';
import { ARR_SCRIPT_APPS } from '../integrations/arr-script-env/index.ts';

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
    enum: [...ARR_SCRIPT_APPS, null],
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
        description: 'ctx.apps.<app>: "radarr", "sonarr", "lidarr", "readarr", "prowlarr", "whisparr", or an instance such as "radarr/4k"; each configured under integrations (else its calls fail with APP_NOT_CONFIGURED).',
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
