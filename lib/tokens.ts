// API tokens: generation, digests, and the admin token a first start writes to a 0600 file
// when no token is configured (the file's path is logged, never the token).
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectory } from './make-directory.ts';
import { describingPathFailure } from './path-failure.ts';

export const ADMIN_TOKEN_FILE = 'admin.token';

export function generateToken(): string {
  return `hkd_${randomBytes(32).toString('base64url')}`;
}

export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The generated admin token, if a start wrote one; nothing is created. */
export function readAdminTokenFile(dataDir: string): string | undefined {
  let token: string;
  try {
    token = readFileSync(join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined; // none yet, or not ours to read
  }
  return token.length >= 16 ? token : undefined;
}

/**
 * The credentials a command without a running daemon knows (`hookd run-hook`, `hookd check`):
 * the configured tokens and the generated one, if any. No hook may be given any of them.
 */
export function knownCredentials(config: { auth: { tokens: ReadonlyArray<{ token: string }> }; dataDir: string }): string[] {
  const generated = readAdminTokenFile(config.dataDir);
  return [...config.auth.tokens.map((t) => t.token), ...(generated === undefined ? [] : [generated])];
}

/**
 * Reads the generated admin token, writing a new one (mode 0600) the first time; a file that
 * cannot be written fails in one line naming it and `setting`, the data dir's (path-failure.ts).
 */
export function ensureAdminTokenFile(dataDir: string, setting = 'dataDir'): { file: string; token: string; created: boolean } {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  const existing = readAdminTokenFile(dataDir);
  if (existing !== undefined) return { file, token: existing, created: false };
  const token = generateToken();
  describingPathFailure({ what: `write the admin token file ${file}`, setting }, () => {
    makeDirectory(dataDir, 0o700);
    // 'wx' fails rather than overwrite a file created between the check and the write.
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: existsSync(file) ? 'w' : 'wx' });
    chmodSync(file, 0o600);
  });
  return { file, token, created: true };
}
