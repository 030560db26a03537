// The environment of a command hook, built from nothing (pure): HOOKD_EVENT_*, HOOKD_HOOK_NAME,
// the payload's scalars flattened to HOOKD_PAYLOAD_<PATH>, PATH, the variables the hook names,
// and for an `arrScript` hook the app's `<app>_*` variables. Nothing else of the daemon's
// environment reaches the program.
import type { HookEvent } from '../../runtime/protocol.ts';

export interface PayloadEnvLimits {
  /** Flattened payload variables kept, in document order; the rest are left out. */
  maxVars: number;
  /** Longer values are left out (not cut: a truncated value would be silently wrong). */
  maxValueBytes: number;
}

export const PAYLOAD_PREFIX = 'HOOKD_PAYLOAD';
// Deeper structures are rare in events and every level multiplies the variables.
const MAX_DEPTH = 8;

/**
 * `qualityProfile` -> `QUALITY_PROFILE`, `tmdbId` -> `TMDB_ID`, `HTTPServer` -> `HTTP_SERVER`, `a-b c` -> `A_B_C`.
 * Linear in the key's length (keys come from clients' payloads): `([A-Z]+)([A-Z][a-z])` and
 * `_+$` backtracked over long runs; the lookarounds test one place each, and once runs of
 * other characters are one `_`, trimming is one character at each end.
 */
export function toUpperSnake(key: string): string {
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/(?<=[A-Z])(?=[A-Z][a-z])/g, '_')
    .replace(/[^A-Za-z0-9]+/g, '_');
  return snake.slice(snake.startsWith('_') ? 1 : 0, snake.endsWith('_') && snake.length > 1 ? -1 : undefined).toUpperCase();
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

/**
 * The payload's string, number and boolean leaves as variables: objects join keys with `_`,
 * arrays add the index (`HOOKD_PAYLOAD_GENRES_0`). null, empty containers and values with a NUL
 * byte (which no environment can hold) are left out. Two paths that give the same name
 * (`qualityProfile` and `quality_profile`) collide: the first in document order wins.
 */
export function flattenPayload(payload: unknown, limits: PayloadEnvLimits): { vars: Record<string, string>; omitted: number } {
  const vars: Record<string, string> = {};
  let count = 0;
  let omitted = 0;
  const visit = (value: unknown, name: string, depth: number): void => {
    const text = scalar(value);
    if (text !== undefined) {
      if (name in vars) omitted += 1;
      else if (count >= limits.maxVars || text.includes('\0') || Buffer.byteLength(text) > limits.maxValueBytes) omitted += 1;
      else {
        vars[name] = text;
        count += 1;
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (depth >= MAX_DEPTH) {
      omitted += 1;
      return;
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [key, child] of entries) {
      const part = toUpperSnake(key);
      visit(child, part ? `${name}_${part}` : name, depth + 1);
    }
  };
  visit(payload, PAYLOAD_PREFIX, 0);
  return { vars, omitted };
}

export interface CommandEnvInput {
  event: HookEvent;
  hookName: string;
  /** The PATH programs see (the daemon's own by default). */
  path: string;
  /** Values of the variables the hook names, already resolved (see resolve-env.ts). */
  named: Record<string, string>;
  /** An arrScript hook's `<app>_*` variables (see arr-script.ts). */
  app?: Record<string, string>;
  limits: PayloadEnvLimits;
}

/**
 * The whole environment. hookd's own variables are set last, so neither a named variable nor
 * an app's (all `<app>_` lowercase) can replace them; the app's replace a named one of the same
 * name, as the script expects the app's value.
 */
export function buildCommandEnv(input: CommandEnvInput): { env: Record<string, string>; omitted: number } {
  const { vars, omitted } = flattenPayload(input.event.payload, input.limits);
  const env: Record<string, string> = {
    ...input.named,
    ...input.app,
    ...vars,
    PATH: input.path,
    HOOKD_EVENT_TYPE: input.event.type,
    HOOKD_EVENT_ID: input.event.id,
    HOOKD_HOOK_NAME: input.hookName,
  };
  return { env, omitted };
}
