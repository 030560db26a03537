// Turns the validated raw config (YAML shapes, units as strings, relative paths) into the
// typed Config the daemon uses: milliseconds, bytes, absolute paths.
import { resolve } from 'node:path';
import { parseDuration, parseSize } from './units.ts';

export type Scope = 'events' | 'admin';

export interface TokenConfig {
  name: string;
  token: string;
  scopes: Scope[];
}

export interface CatalogEntryConfig {
  kind: 'business' | 'progress';
  description?: string;
  schema?: object | boolean;
  sync?: boolean;
  meta?: boolean;
}

export interface Config {
  server: { host: string; port: number; bodyLimit: number; shutdownTimeoutMs: number };
  dataDir: string;
  log: { level: string; pretty: boolean | 'auto' };
  auth: { tokens: TokenConfig[] };
  storage: {
    file: string;
    synchronous: 'full' | 'normal';
    retention: { eventsMs: number; pruneIntervalMs: number };
  };
  events: { maxBatch: number; pageSize: number };
  hooks: { dir: string };
  catalog: Record<string, CatalogEntryConfig>;
  /** The files merged to make this config, embedded default first. */
  sources: string[];
}

// The raw shape is guaranteed by CONFIG_SCHEMA; this only reads it.
type Raw = Record<string, any>;

export function normalizeConfig(raw: Raw, sources: string[], cwd: string): Config {
  const dataDir = resolve(cwd, raw.dataDir);
  return {
    server: {
      host: raw.server.host,
      port: raw.server.port,
      bodyLimit: parseSize(raw.server.bodyLimit)!,
      shutdownTimeoutMs: parseDuration(raw.server.shutdownTimeout)!,
    },
    dataDir,
    log: { level: raw.log.level, pretty: raw.log.pretty },
    auth: { tokens: raw.auth.tokens ?? [] },
    storage: {
      file: resolve(dataDir, raw.storage.file),
      synchronous: raw.storage.synchronous,
      retention: {
        eventsMs: parseDuration(raw.storage.retention.events)!,
        pruneIntervalMs: parseDuration(raw.storage.retention.pruneInterval)!,
      },
    },
    events: { maxBatch: raw.events.maxBatch, pageSize: raw.events.pageSize },
    hooks: { dir: resolve(cwd, raw.hooks.dir) },
    catalog: raw.catalog,
    sources,
  };
}
