// What the one-off verbs share: the config as the user named it. They open the database with
// openStorage (lib/open-storage.ts), in a data directory made private first, as `serve` does.
import { loadConfig, type Config } from '../config/index.ts';

/**
 * A command-line flag (`--pretty`) over the file and the environment: in the config and in its
 * `settings` alike, which a reload compares, so a change in the file to a setting the flag
 * decides is not named as waiting for a restart (it takes effect at none).
 */
export function readConfig(file: string | undefined, overrides: { pretty?: boolean; env?: Record<string, string | undefined> } = {}): Config {
  const config = loadConfig({ file, env: overrides.env });
  if (overrides.pretty === undefined) return config;
  const settings = config.settings && { ...config.settings, log: { ...(config.settings.log as object | undefined), pretty: overrides.pretty } };
  return { ...config, log: { ...config.log, pretty: overrides.pretty }, settings };
}
