// Why the database could not be opened, in one line an operator can act on: which server or file,
// which setting names it, the driver's own reason and what to check; never the URL's password.
// Only the failures of reaching or opening a database are described (decided by code, below);
// anything else, a failing migration's SQL or a bug, is left as it is, stack and all.
import { errors, type HookdError } from '../errors.ts';
import { settingName } from '../config/setting-name.ts';
import { pathFailure } from '../path-failure.ts';
import type { StorageClient } from './dialect.ts';

export interface StorageTarget {
  /** Absent: sqlite. */
  client?: StorageClient;
  file: string;
  url?: string;
  /** The keys the environment set, and by which variable (config.setByEnv): storage.url from HOOKD_DATABASE_URL. */
  setByEnv?: Readonly<Record<string, string>>;
}

// By code: node's errno codes (the network's for PostgreSQL, the file system's for the SQLite
// file and its directory), PostgreSQL's SQLSTATEs at connection start-up, SQLite's result codes.
// Each one is the database's or the setting's condition, never hookd's own fault.
const POSTGRES_HINTS: Record<string, string> = {
  ECONNREFUSED: 'check that the server runs and listens at that host and port',
  ECONNRESET: 'check that the server runs and listens at that host and port',
  ETIMEDOUT: 'check the host and port, and that no firewall drops the connection',
  EHOSTUNREACH: 'check the host, and that no firewall drops the connection',
  ENETUNREACH: 'check the host, and that no firewall drops the connection',
  ENOTFOUND: 'check the host name',
  EAI_AGAIN: 'check the host name and this machine\'s DNS',
  KnexTimeoutError: 'check the host and port, and that no firewall drops the connection',
  '28000': 'check the user name in the URL, and pg_hba.conf on the server',
  '28P01': 'check the user name and password in the URL',
  '3D000': 'create the database (createdb), or correct its name in the URL',
  '42501': 'grant the user the rights it lacks, or connect as the database\'s owner',
  '53300': 'lower storage.pool, or raise the server\'s max_connections',
  '57P03': 'the server is starting or stopping: start hookd once it accepts connections',
};

// SQLite's own result codes. The file-system errors of its file and directory (EACCES, ENOTDIR,
// ENOSPC...) are path-failure.ts's, like every other path the daemon makes at start.
const SQLITE_HINTS: Record<string, { hint: string; settingAtFault: boolean }> = {
  SQLITE_CANTOPEN: { hint: 'make the file and its directory writable by the daemon\'s user, or set storage.file to another path', settingAtFault: true },
  SQLITE_PERM: { hint: 'make the file and its directory writable by the daemon\'s user', settingAtFault: true },
  SQLITE_READONLY: { hint: 'make the file and its directory writable by the daemon\'s user', settingAtFault: true },
  SQLITE_NOTADB: { hint: 'it is not a hookd database: move it aside, or set storage.file to another file', settingAtFault: true },
  SQLITE_CORRUPT: { hint: 'restore it from a backup, or move it aside to start afresh', settingAtFault: false },
  SQLITE_IOERR: { hint: 'the disk reports I/O errors: check it', settingAtFault: false },
  SQLITE_FULL: { hint: 'free space on its disk, or raise storage.maxSize', settingAtFault: false },
  SQLITE_BUSY: { hint: 'another process holds the database: stop it, or set storage.file to another file', settingAtFault: false },
  SQLITE_LOCKED: { hint: 'another process holds the database: stop it, or set storage.file to another file', settingAtFault: false },
};

/** The one-line error for a database that cannot be reached or opened; undefined for any other error. */
export function describeOpenFailure(error: unknown, target: StorageTarget): HookdError | undefined {
  const code = codeOf(error);
  if (code === undefined) return undefined;
  const reason = oneLine(error instanceof Error ? error.message : String(error), target.url);
  if (target.client === 'postgres') {
    const hint = POSTGRES_HINTS[code] ?? (/^08[0-9A-Z]{3}$/.test(code) ? 'check the server and the URL' : undefined);
    if (!hint) return undefined;
    const setting = settingName('storage.url', target.setByEnv);
    return errors.storageOpen(`connect to PostgreSQL at ${describeServer(target.url)} (${setting})`, reason, hint, error);
  }
  const what = `open the SQLite database ${target.file}`;
  const onPath = pathFailure(error, { what, setting: 'storage.file' });
  if (onPath) return onPath;
  // node-sqlite3 reports primary codes; extended ones (SQLITE_IOERR_WRITE) share the prefix.
  const known = SQLITE_HINTS[code] ?? SQLITE_HINTS[code.replace(/^(SQLITE_[A-Z]+?)_[A-Z_]+$/, '$1')];
  if (!known) return undefined;
  // A file that is not a database or may not be written: the setting must change (exit 2, as for
  // any path); a disk or a database in trouble is a runtime failure (exit 1).
  return known.settingAtFault
    ? errors.unusablePath(`${what} (storage.file)`, reason, known.hint, error, false)
    : errors.storageOpen(`${what} (storage.file)`, reason, known.hint, error);
}

/** Runs `open` (create, connect, migrate); a database that cannot be reached or opened fails with the line above. */
export async function describingOpenFailure<T>(target: StorageTarget, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw describeOpenFailure(error, target) ?? error;
  }
}

/** `text` without the URL's password, in any spelling the URL may hold it (percent-encoded or not). */
export function withoutPassword(text: string, url: string | undefined): string {
  let password: string;
  try {
    password = new URL(url ?? '').password;
  } catch {
    return text;
  }
  if (!password) return text;
  let out = text;
  for (const spelling of new Set([password, safeDecode(password)])) out = out.split(spelling).join('***');
  return out;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  // knex's pool gave up waiting for a connection that never opened (packets dropped).
  return name === 'KnexTimeoutError' ? 'KnexTimeoutError' : undefined;
}

/** host:port, database and user: what the URL says, without its password or query. */
function describeServer(url: string | undefined): string {
  let u: URL;
  try {
    u = new URL(url ?? '');
  } catch {
    return 'the configured URL';
  }
  const host = u.hostname ? `${u.hostname}:${u.port || 5432}` : 'the local socket';
  const database = safeDecode(u.pathname.replace(/^\//, ''));
  const user = safeDecode(u.username);
  return `${host}${database ? `, database "${database}"` : ''}${user ? ` as user "${user}"` : ''}`;
}

function oneLine(text: string, url: string | undefined): string {
  return withoutPassword(text, url).replace(/\s*\n\s*/g, ' ').trim();
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
