// Takes the daemon's credentials (HOOKD_TOKEN, ...) out of its own initial environment. Any
// process of the same user reads that environment from /proc/<pid>/environ, which shows it as it
// was at exec: deleting from process.env does not hide it. Side effect (called once, first thing
// in `hookd serve`): this process's environment block is overwritten through /proc/self/mem.
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

/** The variables that hold the daemon's own credentials: read once, then erased. Data: add new ones here. */
export const CREDENTIAL_ENV_NAMES: readonly string[] = ['HOOKD_TOKEN', 'HOOKD_DATABASE_URL'];

export interface HiddenCredentials {
  /** The values as they were, for the config loader: the only copy left. */
  values: Record<string, string>;
  /** The names erased from /proc/self/environ. */
  hidden: string[];
  /** Why the environment block could not be rewritten (the names are still gone from process.env). */
  problem?: string;
}

/**
 * Reads the credentials, then overwrites each `NAME=value` entry of the environment block
 * (env_start..env_end of /proc/self/stat, fields 50 and 51) with NUL bytes. An all-NUL entry is
 * an empty string to libc, so getenv() and process.env no longer find it either. Never throws.
 */
export function hideCredentials(names: readonly string[] = CREDENTIAL_ENV_NAMES): HiddenCredentials {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) values[name] = value;
  }
  const present = Object.keys(values);
  if (present.length === 0) return { values, hidden: [] };
  let problem: string | undefined;
  try {
    eraseFromEnvironBlock(present);
  } catch (err) {
    problem = `cannot rewrite this process's environment block (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): other processes of the same user can still read ${present.join(', ')} from /proc/${process.pid}/environ; use HOOKD_TOKEN_FILE or the config file instead`;
  }
  // A value set after exec lives outside the block; either way children must not inherit it.
  for (const name of present) delete process.env[name];
  const left = problem === undefined ? namesInEnviron(present) : present;
  if (problem === undefined && left.length > 0) problem = `${left.join(', ')} still in /proc/${process.pid}/environ after rewriting it`;
  return { values, hidden: present.filter((n) => !left.includes(n)), ...(problem === undefined ? {} : { problem }) };
}

function eraseFromEnvironBlock(names: readonly string[]): void {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  // Field n is at index n - 3 after the command name's closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[50 - 3]);
  const end = Number(fields[51 - 3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) throw new Error('no env_start/env_end in /proc/self/stat');
  const fd = openSync('/proc/self/mem', 'r+');
  try {
    const block = Buffer.alloc(end - start);
    readSync(fd, block, 0, block.length, start);
    const prefixes = names.map((n) => Buffer.from(`${n}=`));
    for (let at = 0; at < block.length; ) {
      const stop = block.indexOf(0, at);
      const entryEnd = stop < 0 ? block.length : stop;
      if (prefixes.some((p) => block.subarray(at, at + p.length).equals(p))) {
        // position: a number (a bigint position fails with EIO on /proc/self/mem in Node 20).
        writeSync(fd, Buffer.alloc(entryEnd - at), 0, entryEnd - at, start + at);
      }
      at = entryEnd + 1;
    }
  } finally {
    closeSync(fd);
  }
}

function namesInEnviron(names: readonly string[]): string[] {
  const entries = readFileSync('/proc/self/environ', 'latin1').split('\0');
  return names.filter((n) => entries.some((e) => e.startsWith(`${n}=`)));
}
