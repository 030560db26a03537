// The ordered list of migrations, handed to knex as a migration source so that migrations
// load the same way under tsx, the CLI and tests (no directory scanning).
import type { Knex } from 'knex';
import * as initial from './001_initial.ts';
import * as eventEmitters from './002_event_emitters.ts';
import * as healthProbe from './003_health_probe.ts';
import * as hookArrScript from './004_hook_arr_script.ts';
import * as finishFiltering from './005_finish_filtering.ts';
import * as sessions from './006_sessions.ts';
import * as eventClaims from './007_event_claims.ts';
import * as registryNotify from './008_registry_notify.ts';
import * as eventCausation from './009_event_causation.ts';
import * as streamFrames from './010_stream_frames.ts';
import * as streamListeners from './011_stream_listeners.ts';
import * as deliveriesNotify from './012_deliveries_notify.ts';
import * as partialEventIndexes from './013_partial_event_indexes.ts';

const MIGRATIONS: Record<string, Knex.Migration> = {
  '001_initial.ts': initial,
  '002_event_emitters.ts': eventEmitters,
  '003_health_probe.ts': healthProbe,
  '004_hook_arr_script.ts': hookArrScript,
  '005_finish_filtering.ts': finishFiltering,
  '006_sessions.ts': sessions,
  '007_event_claims.ts': eventClaims,
  '008_registry_notify.ts': registryNotify,
  '009_event_causation.ts': eventCausation,
  '010_stream_frames.ts': streamFrames,
  '011_stream_listeners.ts': streamListeners,
  '012_deliveries_notify.ts': deliveriesNotify,
  '013_partial_event_indexes.ts': partialEventIndexes,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name]!,
};
