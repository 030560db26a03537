// Says when a part of the hooks directory stops being readable (its hooks kept as last loaded)
// and when it reads again, once each: the re-syncs while it stays unreadable (the watcher's
// retries, changes elsewhere) say it again at debug only.
import type { Logger } from '../log.ts';
import type { SyncReport } from './sync.ts';

type Unreadable = SyncReport['unreadable'][number];

function keptHooks({ kind, kept }: Unreadable): string {
  if (kind === 'file') return 'kept the hook last loaded from it';
  return kept === 0 ? 'no hook was loaded from it' : `kept the ${kept} hook${kept === 1 ? '' : 's'} last loaded from it`;
}

const SUBJECT: Record<Unreadable['kind'], string> = { directory: 'hooks directory', folder: 'hooks directory folder', file: 'hook file' };

export function createUnreadableLog(deps: { dir: string; log: Logger }) {
  let failing = new Map<string, Unreadable>();
  const where = ({ kind, file }: Unreadable) => (kind === 'directory' ? { dir: deps.dir } : { dir: deps.dir, file: kind === 'folder' ? `${file}/` : file });

  return {
    /** The last sync's report.unreadable. */
    note(unreadable: Unreadable[]): void {
      const now = new Map(unreadable.map((u) => [u.file, u]));
      for (const u of unreadable) {
        if (failing.has(u.file)) deps.log.debug({ ...where(u), error: u.message }, `${SUBJECT[u.kind]} still cannot be read`);
        else deps.log.warn({ ...where(u), error: u.message }, `${SUBJECT[u.kind]} cannot be read: ${keptHooks(u)}`);
      }
      for (const [file, u] of failing) {
        if (!now.has(file)) deps.log.info(where(u), `${SUBJECT[u.kind]} can be read again`);
      }
      failing = now;
    },
  };
}
