// GET /readyz's checks for this daemon (part of the composition root, lib/daemon.ts): the
// database takes a write, no migration is pending, the sandbox host answers; a report is reused
// for a short while as long as the host is the same process.
import type { Db } from '../db/connect.ts';
import type { StorageClient } from '../db/dialect.ts';
import { createHealthProbe } from '../db/health-probe.ts';
import { createReadiness, READINESS_CACHE_MS, READINESS_CHECK_TIMEOUT_MS, type Readiness } from '../readiness/index.ts';
import { createDatabaseCheck, createMigrationsCheck, createSandboxCheck } from '../readiness/checks.ts';
import type { Sandbox } from '../../runtime/index.ts';

export interface DaemonReadinessDeps {
  db: Db;
  sandbox: Sandbox;
  dataDir: string;
  client: StorageClient;
  isStopping: () => boolean;
}

export function createDaemonReadiness(deps: DaemonReadinessDeps): Readiness {
  const { db, sandbox } = deps;
  return createReadiness({
    checks: {
      database: createDatabaseCheck({ probe: createHealthProbe(db), dataDir: deps.dataDir, client: deps.client }),
      migrations: createMigrationsCheck({ db }),
      sandbox: createSandboxCheck({ sandbox, timeoutMs: READINESS_CHECK_TIMEOUT_MS }),
    },
    timeoutMs: READINESS_CHECK_TIMEOUT_MS,
    cacheMs: READINESS_CACHE_MS,
    cacheKey: () => sandbox.stats().hostPid,
    isStopping: deps.isStopping,
  });
}
