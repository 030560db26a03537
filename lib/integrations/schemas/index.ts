// Each app's webhook body schemas, by eventType (the registry's keys, event-types.ts).
import type { ArrApp } from '../arr-apps.ts';
import { LIDARR_SCHEMAS } from './lidarr.ts';
import type { Schema } from './parts.ts';
import { PROWLARR_SCHEMAS } from './prowlarr.ts';
import { RADARR_SCHEMAS } from './radarr.ts';
import { READARR_SCHEMAS } from './readarr.ts';
import { SONARR_SCHEMAS } from './sonarr.ts';
import { WHISPARR_SCHEMAS } from './whisparr.ts';

export type { Schema } from './parts.ts';

export const APP_SCHEMAS: Readonly<Record<ArrApp, Readonly<Record<string, Schema>>>> = {
  radarr: RADARR_SCHEMAS,
  sonarr: SONARR_SCHEMAS,
  lidarr: LIDARR_SCHEMAS,
  readarr: READARR_SCHEMAS,
  prowlarr: PROWLARR_SCHEMAS,
  whisparr: WHISPARR_SCHEMAS,
};
