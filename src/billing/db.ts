// The few places where billing needs to know which database it talks to.
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';

export type Db = Kysely<DatabaseSchema>;

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Runs `fn` in one write transaction. On SQLite it begins with BEGIN IMMEDIATE, so a second
 * process waits for the write lock (busy_timeout) instead of failing half-way with SQLITE_BUSY.
 * Inside an existing transaction it just runs `fn` there.
 */
const openTransactions = new WeakSet<Db>();

export async function writeTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction || openTransactions.has(db)) return fn(db);
  if (isPostgres(db)) return db.transaction().execute((trx: Transaction<DatabaseSchema>) => fn(trx));
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    openTransactions.add(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw err;
    }
  });
}
