// The store contract on SQLite: a fresh database file in a temp directory per case.
import { join } from 'node:path';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { runStoreContract } from './contract/index.ts';

runStoreContract('sqlite', async () => {
  const temp = makeTempDir();
  const db = openDatabase({ client: 'sqlite', file: join(temp.dir, 'h.sqlite'), synchronous: 'normal' });
  await migrateLatest(db);
  return {
    db,
    async close() {
      await db.destroy();
      temp.remove();
    },
  };
});
