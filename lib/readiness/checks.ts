// The checks behind GET /readyz, each rejecting with a reason that names what failed: the
// database takes a real write and has room for more, no migration is pending, and the
// sandbox host answers a ping. Reasons carry no paths or internals (the route needs no token).
import { randomUUID } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { pendingMigrations, type Db } from '../db/connect.ts';
import type { StorageClient } from '../db/dialect.ts';
import type { HealthProbe } from '../db/health-probe.ts';
import { describeStorageFailure } from '../db/storage-errors.ts';
import type { Sandbox } from '../../runtime/index.ts';
import type { ReadinessCheck } from './index.ts';

/**
 * Room a ready daemon keeps for writes, under storage.maxSize and on the disk: a database that
 * takes a tiny probe row but not the next event is not ready. Below it, the check fails.
 */
export const STORAGE_RESERVE_BYTES = 64 * 1024;

const kib = (bytes: number) => `${Math.floor(bytes / 1024)} KiB`;

function whyUnwritable(err: unknown): string {
  const known = describeStorageFailure(err);
  if (known) return known;
  const code = (err as { code?: unknown } | null)?.code;
  return `an unexpected error${typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : ''}; see the daemon log`;
}

export function createDatabaseCheck(deps: { probe: HealthProbe; dataDir: string; reserveBytes?: number; client?: StorageClient }): ReadinessCheck {
  // On PostgreSQL the data directory holds only the daemon's own files (command runs, the lock):
  // its disk still matters, but it is not the database's.
  const diskName = deps.client === 'postgres' ? 'data directory disk' : 'database disk';
  const reserve = deps.reserveBytes ?? STORAGE_RESERVE_BYTES;
  return async () => {
    const nonce = randomUUID();
    let read: string | undefined;
    try {
      read = await deps.probe.writeAndRead(nonce, Date.now());
    } catch (err) {
      throw new Error(`database cannot be written: ${whyUnwritable(err)}`);
    }
    if (read !== nonce) throw new Error('database did not read back what it had just written');
    const room = await deps.probe.pageRoom().catch((err: unknown) => {
      throw new Error(`database cannot be read: ${whyUnwritable(err)}`);
    });
    const left = room ? room.pagesLeft * room.pageSize : Infinity;
    if (left < reserve) {
      throw new Error(`database is full: ${kib(left)} left under storage.maxSize, below the ${kib(reserve)} kept for writes`);
    }
    const disk = await statfs(deps.dataDir).catch((err: unknown) => {
      throw new Error(`${diskName} cannot be inspected: ${whyUnwritable(err)}`);
    });
    const free = disk.bavail * disk.bsize;
    if (free < reserve) throw new Error(`${diskName} is full: ${kib(free)} free in the data directory's file system`);
  };
}

export function createMigrationsCheck(deps: { db: Db }): ReadinessCheck {
  return async () => {
    const pending = await pendingMigrations(deps.db);
    if (pending.length > 0) throw new Error(`migrations pending: ${pending.join(', ')} (hookd migrate applies them)`);
  };
}

/** The host's pong within timeoutMs; Sandbox.ping's reasons already name the sandbox host. */
export function createSandboxCheck(deps: { sandbox: Pick<Sandbox, 'ping'>; timeoutMs: number }): ReadinessCheck {
  return () => deps.sandbox.ping(deps.timeoutMs);
}
