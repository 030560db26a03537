// Inserting into a table whose rows are capped (hooks.maxHooks, webhooks.maxEndpoints): the count
// and the insert in one transaction, serialized with every other capped insert into that table
// (dialect.ts), so creates racing at the edge never overshoot. Pure: runs on the caller's db.
import type { Knex } from 'knex';
import { dialectOf } from './dialect.ts';

/**
 * Runs `insert` when `table` holds fewer than `cap` rows; otherwise inserts nothing. Answers
 * whether it inserted. Rows inserted without a cap (the hooks directory's) count too.
 */
export async function insertUnderCap(db: Knex, table: string, cap: number, insert: (trx: Knex.Transaction) => Promise<unknown>): Promise<boolean> {
  return db.transaction(async (trx) => {
    await dialectOf(trx).serialize(trx, `insert:${table}`);
    const [row] = await trx(table).count({ n: '*' });
    if (Number(row?.n) >= cap) return false;
    await insert(trx);
    return true;
  });
}
