// This daemon's identity among several sharing one database, and how long its claims last.
// SQLite serves one daemon per file, so claims there are never shared (see docs in README).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from './config/index.ts';

export interface Instance {
  /** The name its leases carry (claimed_by): storage.instance, else host, pid and a random part. */
  id: string;
  /** storage.leaseTtl. */
  leaseTtlMs: number;
  /** Whether other daemons may share the database (PostgreSQL): events are then claimed before their hooks run. */
  shared: boolean;
  /**
   * The `instance` label on every metric: storage.instance, else the generated id on a shared
   * database (daemons must be told apart); none for a lone SQLite daemon with no name, whose
   * series would otherwise change at every start.
   */
  label: string | undefined;
}

export function describeInstance(storage: Pick<Config['storage'], 'client' | 'instance' | 'leaseTtlMs'>): Instance {
  const id = storage.instance ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const shared = storage.client === 'postgres';
  return { id, leaseTtlMs: storage.leaseTtlMs, shared, label: storage.instance ?? (shared ? id : undefined) };
}
