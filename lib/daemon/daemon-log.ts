// The daemon's logger and the tokens it knows (part of the composition root, lib/daemon.ts): with
// no token configured, the generated admin token is the credential, known before the logger
// exists so the log redacts it with the secrets and integration API keys; it logs the config's
// notices. Side effect: writes the admin token file the first time (at the start, or at a reload
// that leaves no token configured).
import type pino from 'pino';
import type { KnownToken } from '../api/auth.ts';
import { settingName, type Config } from '../config/index.ts';
import { apiKeyValues } from '../config/integrations.ts';
import type { HiddenCredentials } from '../hide-credentials.ts';
import { createLogger, type Logger } from '../log.ts';
import { ensureAdminTokenFile } from '../tokens.ts';

export interface DaemonLogDeps {
  config: Config;
  destination?: pino.DestinationStream;
  /** What `hookd serve` erased from the process environment, logged here. */
  hiddenCredentials?: Pick<HiddenCredentials, 'hidden' | 'problem'>;
}

export interface DaemonLog {
  log: Logger;
  tokens: KnownToken[];
  /** Adds tokens (a reload's) to what the log redacts: a token once known stays redacted. */
  redactTokens(tokens: readonly KnownToken[]): void;
}

export function createDaemonLog(deps: DaemonLogDeps): DaemonLog {
  const { config } = deps;
  const { tokens, generated } = resolveTokens(config);
  const redactValues = new Set([...Object.values(config.secrets), ...tokens.map((t) => t.token), ...apiKeyValues(config.integrations, (name) => process.env[name])]);
  const log = createLogger({ ...config.log, destination: deps.destination, redactValues });
  if (generated) logGeneratedToken(log, generated);
  const hidden = deps.hiddenCredentials;
  if (hidden?.problem) log.warn({ names: hidden.hidden }, hidden.problem);
  else if (hidden?.hidden.length) log.info({ names: hidden.hidden }, `credentials erased from this process's environment (/proc/${process.pid}/environ)`);
  // Settings this storage client ignores (config/notices.ts), as `hookd check` prints them.
  for (const n of config.notices ?? []) log.warn({ key: n.key, file: n.file, line: n.line }, `config: ${n.key} ${n.message}`);
  return { log, tokens, redactTokens: (added) => added.forEach((t) => redactValues.add(t.token)) };
}

/** The tokens the API takes: the configured ones, or the generated admin token when there are none. */
export function resolveTokens(config: Pick<Config, 'auth' | 'dataDir' | 'setByEnv'>): { tokens: KnownToken[]; generated?: ReturnType<typeof ensureAdminTokenFile> } {
  const generated = config.auth.tokens.length === 0 ? ensureAdminTokenFile(config.dataDir, settingName('dataDir', config.setByEnv)) : undefined;
  const tokens: KnownToken[] = [...config.auth.tokens];
  if (generated) tokens.push({ name: 'admin (generated)', token: generated.token, scopes: ['admin'] });
  return { tokens, generated };
}

/** Where the generated admin token is (never the token): at the start, or a reload that removed every token. */
export function logGeneratedToken(log: Logger, generated: { file: string; created: boolean }): void {
  log.info({ file: generated.file, created: generated.created }, 'no tokens configured: the admin token is in this file');
}
