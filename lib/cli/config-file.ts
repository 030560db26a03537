// What the one-off verbs share: the config as the user named it, and the database opened in a
// data directory made private first (as `serve` does).
import { loadConfig, type Config } from '../config/index.ts';
import { openDatabase } from '../db/connect.ts';
import { secureDataFiles } from '../data-dir.ts';

export function readConfig(file: string | undefined, overrides: { pretty?: boolean; env?: Record<string, string | undefined> } = {}): Config {
  const config = loadConfig({ file, env: overrides.env });
  if (overrides.pretty === undefined) return config;
  return { ...config, log: { ...config.log, pretty: overrides.pretty } };
}

export function openPrivateDatabase(config: Config) {
  secureDataFiles({ dataDir: config.dataDir, dbFile: config.storage.file });
  return openDatabase(config.storage);
}
