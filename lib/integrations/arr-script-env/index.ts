// The *arr apps' Custom Script environments, computed from the webhook body hookd stored: what a
// command hook with `arrScript: "<app>"` gets on top of its usual environment, so that a script
// written for the app runs unchanged. Pure.
import type { ArrApp } from '../arr-apps.ts';
import { obj, type Json } from './format.ts';
import { LIDARR_SCRIPT } from './lidarr.ts';
import { PROWLARR_SCRIPT } from './prowlarr.ts';
import { RADARR_SCRIPT } from './radarr.ts';
import { READARR_SCRIPT } from './readarr.ts';
import { SONARR_SCRIPT } from './sonarr.ts';
import { buildScriptEnv, scriptSkipped, type ArrScriptFacts, type ScriptTable } from './table.ts';

export type { ArrScriptFacts } from './table.ts';

/**
 * The apps whose Custom Script hookd can stand in for: the values `arrScript` accepts. Not
 * Whisparr (yet): its two generations' scripts differ from Sonarr's and Radarr's in names and
 * in values the webhook body does not carry (README, "Whisparr").
 */
export const ARR_SCRIPT_APPS = ['radarr', 'sonarr', 'lidarr', 'readarr', 'prowlarr'] as const satisfies readonly ArrApp[];
export type ArrScriptApp = (typeof ARR_SCRIPT_APPS)[number];

const TABLES: Readonly<Partial<Record<ArrApp, ScriptTable>>> = { radarr: RADARR_SCRIPT, sonarr: SONARR_SCRIPT, lidarr: LIDARR_SCRIPT, readarr: READARR_SCRIPT, prowlarr: PROWLARR_SCRIPT };

export function isArrScriptApp(value: unknown): value is ArrScriptApp {
  return typeof value === 'string' && Object.hasOwn(TABLES, value);
}

/**
 * The app's webhook body an event carries: the payload of the app's own event (`radarr.grab`),
 * or `payload.raw` of a normalized one (`media.added`) that came from this app. Undefined for an
 * event from elsewhere: the app's script would never have run for it.
 */
export function arrBodyOf(app: ArrApp, event: { type: string; payload: unknown }): Json | undefined {
  const payload = obj(event.payload);
  if (!payload) return undefined;
  if (event.type.startsWith(`${app}.`)) return payload;
  return payload.app === app ? obj(payload.raw) : undefined;
}

/**
 * The webhook eventType of a body the app sends but never runs its Custom Script for (Lidarr's
 * DownloadFailure), else undefined.
 */
export function arrScriptSkips(app: ArrApp, body: Json): string | undefined {
  const table = TABLES[app];
  return table ? scriptSkipped(table, body) : undefined;
}

/**
 * The variables the app's Custom Script would get for this webhook body, names lowercase as the
 * script sees them (`radarr_movie_id`). `facts` fill what the body lacks (see api-facts.ts).
 */
export function arrScriptEnv(app: ArrApp, body: Json, facts: ArrScriptFacts = {}): Record<string, string> {
  const table = TABLES[app];
  if (!table) throw new Error(`no Custom Script table for ${app}`);
  return buildScriptEnv(table, body, facts);
}
