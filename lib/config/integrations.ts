// `integrations:` of the config: the *arr apps' APIs hooks may call through ctx.apps. Each key is
// an app (`radarr`) or an app's instance (`radarr/4k`, as in /integrations/radarr/4k), with the
// base URL and the API key, given inline or as the name of a secret. Declared once: the schema
// and the typed shape are both here.
import { ARR_APPS } from '../integrations/arr-apps.ts';
import { ENV_NAME_PATTERN } from '../env-grants.ts';

/** `radarr`, `radarr/4k`: an app, optionally one named instance of it. */
export const APP_KEY_PATTERN = `^(${ARR_APPS.join('|')})(/[A-Za-z0-9][A-Za-z0-9_-]{0,63})?$`;

export interface IntegrationConfig {
  /** The app's base URL, e.g. `http://radarr:7878` or `http://host/radarr` (with its URL base). */
  url: string;
  /** The key itself, or the name of a `secrets:` entry (then an environment variable) holding it. */
  apiKey: string | { secret: string };
}

export const INTEGRATIONS_SCHEMA = {
  type: 'object',
  propertyNames: { pattern: APP_KEY_PATTERN },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'apiKey'],
    properties: {
      // http(s), a host, an optional path: no user:password@, no query or fragment.
      url: { type: 'string', pattern: '^https?://[^\\s/?#@]+(/[^\\s?#]*)?$', maxLength: 2048 },
      apiKey: {
        anyOf: [
          { type: 'string', minLength: 1, pattern: '^[\\x21-\\x7e]+$' },
          { type: 'object', additionalProperties: false, required: ['secret'], properties: { secret: { type: 'string', pattern: ENV_NAME_PATTERN } } },
        ],
      },
    },
  },
} as const;

/** Every API key the config gives or names (inline, from secrets:, from the environment): values the daemon's log must never show. */
export function apiKeyValues(
  integrations: Readonly<Record<string, IntegrationConfig>>,
  lookUpSecret: (secret: string) => string | undefined,
): string[] {
  return Object.values(integrations).flatMap((i) => {
    const value = typeof i.apiKey === 'string' ? i.apiKey : lookUpSecret(i.apiKey.secret);
    return value ? [value] : [];
  });
}

/** What ctx.apps.<name> may call: the base URL and key, or why it cannot (told to the hook). */
export type AppEndpoint = { url: string; apiKey: string } | { problem: string };

/**
 * `integrations.<name>` with its key resolved (a secret's name: `secrets:`, then the environment,
 * as permissions.env). Read at each call, so a changed environment needs no restart.
 */
export function resolveAppEndpoint(
  integrations: Readonly<Record<string, IntegrationConfig>>,
  name: string,
  lookUpSecret: (secret: string) => string | undefined,
): AppEndpoint {
  const entry = Object.hasOwn(integrations, name) ? integrations[name] : undefined;
  if (!entry) return { problem: `integrations.${name} is not in the config: add { url, apiKey } for it (see the README, "integrations")` };
  if (typeof entry.apiKey === 'string') return { url: entry.url, apiKey: entry.apiKey };
  const apiKey = lookUpSecret(entry.apiKey.secret);
  if (apiKey === undefined || apiKey === '') {
    return { problem: `integrations.${name}.apiKey names the secret "${entry.apiKey.secret}", which is set neither in secrets: nor in the environment` };
  }
  return { url: entry.url, apiKey };
}
