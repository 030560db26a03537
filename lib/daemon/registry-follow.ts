// Several daemons on one PostgreSQL database (part of the composition root, lib/daemon.ts): hooks
// and webhooks changed through another daemon reach this one: its hook registry is reloaded and
// the webhooks told, from the registry watch (db/registry-watch.ts: notifications on the
// listening connection plus a periodic check). Side effect: the watch's timer, start() to stop().
import type { Db } from '../db/connect.ts';
import type { NotifyListener } from '../db/notify-listener.ts';
import { createRegistryWatch, type RegistryWatch } from '../db/registry-watch.ts';
import type { HookRegistry } from '../dispatch/hook-registry.ts';
import type { Logger } from '../log.ts';
import type { Webhooks } from '../webhooks/index.ts';

// How often a daemon sharing its database checks for registry changes a notification missed.
const REGISTRY_CHECK_MS = 1000;

export interface RegistryFollowDeps {
  db: Db;
  listener: NotifyListener;
  log: Logger;
  registry: Pick<HookRegistry, 'reload'>;
  webhooks: Pick<Webhooks, 'changedElsewhere'>;
}

export function followRegistry(deps: RegistryFollowDeps): RegistryWatch {
  const { log } = deps;
  return createRegistryWatch({
    db: deps.db,
    listener: deps.listener,
    intervalMs: REGISTRY_CHECK_MS,
    onError: (err, what) => log.warn({ err }, what),
    onChange: async (changes) => {
      if (changes.some((c) => c.table === 'hooks')) {
        await deps.registry.reload().catch((err: unknown) => log.error({ err }, 'reloading hooks changed by another daemon failed'));
      }
      for (const c of changes) if (c.table === 'webhooks') deps.webhooks.changedElsewhere(c.id);
    },
  });
}
