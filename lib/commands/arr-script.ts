// A command hook with `arrScript`: the `<app>_*` variables the app's Custom Script would get for
// the event, from the app's webhook body the event carries (arr-script-env). Pure. An event that
// did not come from that app has no such body: the program is not started (the app would never
// have run its script for it), and the invocation says why.
import type { ArrScriptApp } from '../db/hooks-store.ts';
import { arrBodyOf, arrScriptEnv, arrScriptSkips, isArrScriptApp } from '../integrations/arr-script-env/index.ts';
import type { HookEvent } from '../../runtime/protocol.ts';

// Linux refuses to exec with one "name=value" longer than MAX_ARG_STRLEN (32 pages): such a
// value (an overview pasted a thousand times) is left out rather than failing the whole run.
const MAX_VAR_BYTES = 128 * 1024 - 1;

export type ArrScriptVars =
  | { run: true; vars: Record<string, string>; omitted: string[] }
  /** `failed`: hookd could not compute them (a bug), as against an event the app never sent. */
  | { run: false; reason: string; failed?: true };

const APP_NAMES: Record<ArrScriptApp, string> = { radarr: 'Radarr', sonarr: 'Sonarr', lidarr: 'Lidarr', readarr: 'Readarr', prowlarr: 'Prowlarr' };

/** Why the program is not run for this event, or its app variables. */
export function arrScriptVars(app: ArrScriptApp, event: HookEvent): ArrScriptVars {
  const name = APP_NAMES[app];
  // Refused at registration; a row stored by another version could still hold one.
  if (!isArrScriptApp(app)) return { run: false, reason: `not run: arrScript "${app}" is not supported by this version of hookd` };
  const body = arrBodyOf(app, event);
  if (!body) {
    const from = originOf(event.payload);
    return {
      run: false,
      reason: `not run: this hook runs ${name}'s Custom Script (arrScript "${app}"), and ${event.type}${from ? ` from ${from}` : ''} is not an event ${name} sent (${name} runs its script only for its own events)`,
    };
  }
  const skipped = arrScriptSkips(app, body);
  if (skipped !== undefined) {
    return { run: false, reason: `not run: ${name} does not run its Custom Script for ${skipped} (it sends that event to webhooks only)` };
  }
  let env: Record<string, string>;
  try {
    env = arrScriptEnv(app, body);
  } catch (err) {
    // The tables read bodies defensively; this is a bug in them, not in the body.
    return { run: false, reason: `not run: ${name}'s Custom Script variables could not be computed from this body (${(err as Error).message})`, failed: true };
  }
  const vars: Record<string, string> = Object.create(null);
  const omitted: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value.includes('\0') || Buffer.byteLength(key) + 1 + Buffer.byteLength(value) > MAX_VAR_BYTES) omitted.push(key);
    else vars[key] = value;
  }
  return { run: true, vars, omitted };
}

function originOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const app = (payload as { app?: unknown }).app;
  return typeof app === 'string' && app.length <= 20 ? JSON.stringify(app) : undefined;
}
