// For the knex CLI (`npx knex --knexfile knexfile.ts migrate:status`): the same database and
// migrations the daemon uses, found through the daemon's own config.
import { loadConfig } from './lib/config/index.ts';
import { migrationSource } from './lib/db/migrations/index.ts';

const { storage } = loadConfig();

export default storage.client === 'postgres'
  ? { client: 'pg', connection: storage.url, migrations: { migrationSource } }
  : { client: 'sqlite3', connection: { filename: storage.file }, useNullAsDefault: true, migrations: { migrationSource } };
