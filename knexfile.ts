// For the knex CLI (`npx knex --knexfile knexfile.ts migrate:status`): the same database and
// migrations the daemon uses, found through the daemon's own config.
import { loadConfig } from './lib/config/index.ts';
import { migrationSource } from './lib/db/migrations/index.ts';

const config = loadConfig();

export default {
  client: 'sqlite3',
  connection: { filename: config.storage.file },
  useNullAsDefault: true,
  migrations: { migrationSource },
};
