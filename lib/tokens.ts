// API tokens: generation, digests, and the admin token a first start writes to a 0600 file
// when no token is configured (the file's path is logged, never the token).
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin.token';

export function generateToken(): string {
  return `hkd_${randomBytes(32).toString('base64url')}`;
}

export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Reads the generated admin token, writing a new one (mode 0600) the first time. */
export function ensureAdminTokenFile(dataDir: string): { file: string; token: string; created: boolean } {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { file, token, created: false };
  }
  const token = generateToken();
  // 'wx' fails rather than overwrite a file created between the check and the write.
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: existsSync(file) ? 'w' : 'wx' });
  chmodSync(file, 0o600);
  return { file, token, created: true };
}
