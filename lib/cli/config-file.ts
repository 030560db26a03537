// What the one-off verbs share: the config as the user named it. They open the database with
// openStorage (lib/open-storage.ts), in a data directory made private first, as `serve` does.
import { loadConfig, type Config } from '../config/index.ts';

export function readConfig(file: string | undefined, overrides: { pretty?: boolean; env?: Record<string, string | undefined> } = {}): Config {
  const config = loadConfig({ file, env: overrides.env });
  if (overrides.pretty === undefined) return config;
  return { ...config, log: { ...config.log, pretty: overrides.pretty } };
}
