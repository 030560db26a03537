// Opening the database, for the daemon and the one-off verbs (migrate, token create): the data
// directory and the SQLite file made private, knex's connection, pending migrations applied. A
// database that cannot be reached or opened fails with one line that names it and its setting
// (db/open-failure.ts). Side effects: creates and chmods files, connects.
import type { Config } from './config/index.ts';
import { settingName } from './config/setting-name.ts';
import { migrateLatest, openDatabase, type Db } from './db/connect.ts';
import type { DbLog } from './db/knex-log.ts';
import { describingOpenFailure } from './db/open-failure.ts';
import { secureDataFiles } from './data-dir.ts';

export interface OpenedStorage {
  db: Db;
  /** The migrations this open applied, by name. */
  applied: string[];
  /** The paths whose permissions had to be restricted (secureDataFiles), for a warning. */
  tightened: string[];
}

export async function openStorage(config: Config, log?: DbLog): Promise<OpenedStorage> {
  const storage = config.storage;
  const target = { client: storage.client, file: storage.file, url: storage.url, setByEnv: config.setByEnv };
  return describingOpenFailure(target, async () => {
    const tightened = secureDataFiles({ dataDir: config.dataDir, dbFile: storage.file, dataDirSetting: settingName('dataDir', config.setByEnv) });
    const db = openDatabase({ ...storage, log });
    try {
      return { db, applied: await migrateLatest(db), tightened };
    } catch (error) {
      // Nothing else holds it: a pool left open would keep the process alive. The first error is the one to report.
      await db.destroy().catch(() => {});
      throw error;
    }
  });
}
