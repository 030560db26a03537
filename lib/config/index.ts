// The configuration subsystem's public surface.
export { loadConfig, formatKey, DEFAULT_CONFIG_FILE, type LoadOptions, type ConfigProblem } from './load.ts';
export type { Config, ServerConfig, CatalogEntryConfig, TokenConfig, Scope, HooksConfig, RuntimeConfig, CommandsConfig } from './normalize.ts';
export { parseDuration, parseSize } from './units.ts';
export { SCOPES } from './normalize.ts';
export { settingName } from './setting-name.ts';
