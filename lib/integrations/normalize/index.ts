// The media event derived from an app's body: its catalog type (from the registry) and its
// payload (from the app's normalizer). Pure: the caller checks the payload against the catalog.
import type { ArrApp } from '../arr-apps.ts';
import { findAppEvent } from '../event-types.ts';
import { LIDARR_NORMALIZERS } from './lidarr.ts';
import type { Json, Normalize } from './parts.ts';
import { PROWLARR_NORMALIZERS } from './prowlarr.ts';
import { RADARR_NORMALIZERS } from './radarr.ts';
import { READARR_NORMALIZERS } from './readarr.ts';
import { SONARR_NORMALIZERS } from './sonarr.ts';
import { WHISPARR_NORMALIZERS } from './whisparr.ts';

export type { Json, Normalize, Source } from './parts.ts';

export const NORMALIZERS: Readonly<Record<ArrApp, Readonly<Record<string, Normalize>>>> = {
  radarr: RADARR_NORMALIZERS,
  sonarr: SONARR_NORMALIZERS,
  lidarr: LIDARR_NORMALIZERS,
  readarr: READARR_NORMALIZERS,
  prowlarr: PROWLARR_NORMALIZERS,
  whisparr: WHISPARR_NORMALIZERS,
};

/** The normalized event of a body of a known eventType, or undefined when the event has none (Test, Retag). */
export function normalizeBody(app: ArrApp, instance: string, body: Json): { type: string; payload: Json } | undefined {
  const appEvent = findAppEvent(app, body.eventType);
  if (!appEvent?.normalized) return undefined;
  const payload = NORMALIZERS[app][appEvent.eventType]!(body, { app, instance, eventType: appEvent.eventType });
  return payload === undefined ? undefined : { type: appEvent.normalized, payload };
}
