// The shape of an app's Custom Script table: for each webhook eventType, the script's event-type
// value and its variables in the order the app adds them, each computed from the webhook body
// (and, for the few the body lacks, from facts read from the app's API). Pure types and helpers.
import { obj, text, type Json } from './format.ts';

/** What the webhook body lacks but the app's API can tell (see api-facts.ts); all optional. */
export interface ArrScriptFacts {
  /** The app's Settings -> General application URL (bodies without `applicationUrl`). */
  applicationUrl?: string;
  /** Radarr: the movie's dates, as the API gives them (ISO UTC), null when unset. */
  inCinemas?: string | null;
  physicalRelease?: string | null;
  /** Sonarr: absoluteEpisodeNumber of each episode of the body, in its order. */
  absoluteEpisodeNumbers?: Array<number | null>;
}

/** A variable's value, or undefined when the app would not set it for this body. */
export type Getter = (body: Json, facts: ArrScriptFacts) => string | undefined;

/** Variable names without the app prefix, lowercase as the scripts see them (`movie_id`). */
export type VarTable = ReadonlyArray<readonly [name: string, get: Getter]>;

export interface ScriptEvent {
  /** The `<app>_eventtype` value (`HealthIssue` for the webhook's `Health`). */
  eventType: string;
  vars: VarTable;
}

export interface ScriptTable {
  app: string;
  /**
   * What every event sets after `<app>_eventtype`: INSTANCE_VARS unless given (Readarr's script
   * sets neither).
   */
  head?: VarTable;
  /**
   * By webhook eventType; a function picks between shapes sent under one type (Sonarr's
   * Download). `null`: the app sends this webhook but never runs its Custom Script for it
   * (Lidarr's DownloadFailure: CustomScript.cs has no handler).
   */
  events: Readonly<Record<string, ScriptEvent | null | ((body: Json) => ScriptEvent)>>;
}

/** `field` of the object at `key` of the body. */
export function at(key: string, field: string): Getter {
  return (body) => text(obj(body[key])?.[field]);
}

/** Appends entries; used to build each event's list from shared blocks, in the app's order. */
export function vars(...blocks: Array<VarTable | readonly [string, Getter]>): VarTable {
  const out: Array<readonly [string, Getter]> = [];
  for (const block of blocks) {
    if (typeof block[0] === 'string') out.push(block as readonly [string, Getter]);
    else out.push(...(block as VarTable));
  }
  return out;
}

/** Every event of every app starts with these three. */
export const INSTANCE_VARS: VarTable = [
  ['instancename', (b) => text(b.instanceName)],
  // Absent from some bodies (Health, ...): the API's value, else the app's default, "".
  ['applicationurl', (b, f) => (typeof b.applicationUrl === 'string' ? b.applicationUrl : f.applicationUrl ?? '')],
];

/** The webhook eventType of a body when the app never runs its Custom Script for it, else undefined. */
export function scriptSkipped(table: ScriptTable, body: Json): string | undefined {
  const webhookType = text(body.eventType);
  return Object.hasOwn(table.events, webhookType) && table.events[webhookType] === null ? webhookType : undefined;
}

/** The event's variables with the app's prefix: `{ radarr_eventtype: 'Grab', ... }`. */
export function buildScriptEnv(table: ScriptTable, body: Json, facts: ArrScriptFacts = {}): Record<string, string> {
  const webhookType = text(body.eventType);
  const entry = Object.hasOwn(table.events, webhookType) ? table.events[webhookType] : undefined;
  const event = typeof entry === 'function' ? entry(body) : entry;
  const env: Record<string, string> = Object.create(null);
  const prefix = `${table.app}_`;
  // An event type this table does not know (a newer app): what every event carries.
  env[`${prefix}eventtype`] = event?.eventType ?? webhookType;
  for (const [name, get] of [...(table.head ?? INSTANCE_VARS), ...(event?.vars ?? [])]) {
    const value = get(body, facts);
    if (value !== undefined) env[prefix + name] = value;
  }
  return env;
}
