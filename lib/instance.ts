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
}

export function describeInstance(storage: Pick<Config['storage'], 'client' | 'instance' | 'leaseTtlMs'>): Instance {
  return {
    id: storage.instance ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    leaseTtlMs: storage.leaseTtlMs,
    shared: storage.client === 'postgres',
  };
}
