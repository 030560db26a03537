// Settings the operator made that the chosen storage ignores: a PostgreSQL key with SQLite, or an
// SQLite one with PostgreSQL (storage.url without storage.client: postgres is an error, in
// normalize.ts). Not errors (a file may serve daemons of both kinds), so they are notices: the
// daemon logs them at start and `hookd check` prints them.
import type { RawConfig } from './schema.ts';

type Client = 'sqlite' | 'postgres';

/** A key of the configuration and what is wrong with it (or, for a notice, what it does not do), where the files tell. */
export interface ConfigProblem {
  key: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** Keys that only one storage client reads, and what the other does instead. */
const ONE_CLIENT_ONLY: Array<{ path: string[]; client: Client; instead?: string }> = [
  { path: ['storage', 'pool'], client: 'postgres' },
  { path: ['storage', 'statementTimeout'], client: 'postgres' },
  { path: ['storage', 'leaseTtl'], client: 'postgres' },
  { path: ['webhooks', 'safetyPoll'], client: 'postgres' },
  { path: ['storage', 'file'], client: 'sqlite' },
  { path: ['storage', 'synchronous'], client: 'sqlite' },
  { path: ['storage', 'maxSize'], client: 'sqlite' },
  {
    path: ['webhooks', 'pollInterval'],
    client: 'sqlite',
    instead: 'on PostgreSQL senders are woken by notifications, and webhooks.safetyPoll bounds how long an idle one waits',
  },
];

export interface SettingNotice {
  path: string[];
  message: string;
}

/**
 * The settings `setByOperator` says the operator made (in their file or the environment, not the
 * defaults) that `config`'s storage client does not read.
 */
export function ignoredSettings(config: RawConfig, setByOperator: (path: string[]) => boolean): SettingNotice[] {
  const client: Client = config.storage?.client === 'postgres' ? 'postgres' : 'sqlite';
  return ONE_CLIENT_ONLY.filter((k) => k.client !== client && setByOperator(k.path)).map((k) => ({
    path: k.path,
    message: `has no effect with storage.client ${client}: only ${k.client} reads it${k.instead ? `; ${k.instead}` : ''}`,
  }));
}
