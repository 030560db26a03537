// commands.user / commands.group: the user and group command programs run as, so that they cannot
// read the daemon's memory, environment or files. Resolved and tried once at start (a config
// error when the daemon may not switch), then each run is prefixed with setpriv (util-linux).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors } from '../errors.ts';

export interface RunAs {
  uid: number;
  gid: number;
  /** For messages: `nobody (uid 65534, gid 65534)`. */
  label: string;
  /** `setpriv --reuid=U --regid=G --init-groups --`: the program's argv follows. */
  prefix: string[];
}

// Absolute paths only: the program that switches users must not depend on PATH.
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];
const GETENT_PATHS = ['/usr/bin/getent', '/bin/getent'];

export interface RunAsDeps {
  setprivPaths?: readonly string[];
  /** Where the per-run temp directories are made (they are given to the user). */
  tempDir?: string;
}

/**
 * null when neither key is set (programs run as the daemon's user). Throws a CONFIG error naming
 * the key when the user or group does not exist, setpriv is missing, or switching fails.
 */
export function resolveRunAs(config: { user: string | null; group: string | null; cwd: string | null }, deps: RunAsDeps = {}): RunAs | null {
  if (config.user === null && config.group === null) return null;
  const setpriv = (deps.setprivPaths ?? SETPRIV_PATHS).find((p) => existsSync(p));
  if (!setpriv) throw errors.config(`commands.user/commands.group need setpriv (util-linux) at ${(deps.setprivPaths ?? SETPRIV_PATHS).join(' or ')}: install util-linux, or remove the keys`);

  const user = config.user === null ? undefined : lookUp('passwd', config.user);
  if (config.user !== null && !user && !isId(config.user)) throw errors.config(`commands.user: there is no user "${config.user}" on this system`);
  const group = config.group === null ? undefined : lookUp('group', config.group);
  if (config.group !== null && !group && !isId(config.group)) throw errors.config(`commands.group: there is no group "${config.group}" on this system`);

  const uid = config.user === null ? process.getuid!() : Number(user?.[2] ?? config.user);
  const gid = config.group !== null ? Number(group?.[2] ?? config.group) : user ? Number(user[3]) : undefined;
  if (gid === undefined) throw errors.config(`commands.user: uid ${config.user} has no entry in the user database, so no primary group: set commands.group too`);
  const name = user?.[0] ?? (config.user === null ? 'the daemon\'s user' : `uid ${uid}`);
  const label = `${name} (uid ${uid}, gid ${gid})`;
  // Supplementary groups: the user's own (initgroups) when the user database knows it, else none.
  const prefix = [setpriv, ...(config.user === null ? [] : [`--reuid=${uid}`]), `--regid=${gid}`, user ? '--init-groups' : '--clear-groups', '--'];

  const tried = spawnSync(prefix[0]!, [...prefix.slice(1), '/bin/sh', '-c', 'exit 0'], { encoding: 'utf8', env: {}, timeout: 10_000 });
  if (tried.status !== 0) {
    const said = (tried.stderr || tried.error?.message || `exit ${tried.status}`).trim();
    throw errors.config(`commands.user/commands.group: cannot run programs as ${label}: ${said}. hookd must run as root, or with CAP_SETUID and CAP_SETGID, to switch users`);
  }
  if (config.cwd === null) checkTempDirHandOver(uid, gid, label, deps.tempDir ?? tmpdir());
  return { uid, gid, label, prefix };
}

/** Each run's fresh temp dir is given to the user (chown): make sure that works before any run. */
function checkTempDirHandOver(uid: number, gid: number, label: string, parent: string): void {
  const dir = mkdtempSync(join(parent, 'hookd-check-'));
  try {
    chownSync(dir, uid, gid);
  } catch (err) {
    throw errors.config(`commands.user/commands.group: cannot give the per-run temp directory to ${label} (${(err as NodeJS.ErrnoException).code}): hookd needs CAP_CHOWN, or set commands.cwd to a directory that user may write`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isId = (value: string) => /^\d+$/.test(value);

/** A user or group database entry's fields (name:x:id:...), by name or id; through NSS (getent) when available. */
function lookUp(database: 'passwd' | 'group', key: string): string[] | undefined {
  const getent = GETENT_PATHS.find((p) => existsSync(p));
  let lines: string[];
  if (getent) {
    const found = spawnSync(getent, [database, key], { encoding: 'utf8', env: {}, timeout: 10_000 });
    lines = found.status === 0 ? found.stdout.split('\n') : [];
  } else {
    lines = readFileSync(`/etc/${database}`, 'utf8').split('\n');
  }
  return lines.map((l) => l.split(':')).find((f) => f.length >= 3 && (f[0] === key || (isId(key) && f[2] === key)));
}
