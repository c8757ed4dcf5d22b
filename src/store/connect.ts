import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { DatabaseSchema } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<DatabaseSchema>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface StoreLocation {
  /** postgres://… when PostgreSQL; otherwise SQLite at sqlitePath */
  databaseUrl?: string;
  sqlitePath?: string;
  /** PostgreSQL pool size per process */
  poolSize?: number;
  /** told when the server drops an idle pooled connection (restart, failover, DROP … FORCE) */
  onIdleConnectionError?: (err: Error) => void;
}

// PostgreSQL returns int8/numeric as strings; every count and epoch-millisecond column we use
// fits in a double, so parse them as numbers once here rather than at every call site.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/**
 * A statement whose text begins with this comment (`/* prepared:NAME *\/ …`) is sent as the
 * PostgreSQL prepared statement NAME: parsed and planned once per connection, then only bound
 * and run (the billing hot path's batch statements, thousands a second). One name, one text.
 */
export const PREPARED_STATEMENT = '/* prepared:';

class PreparingClient extends pg.Client {
  override query(...args: any[]): any {
    const [text, values, callback] = args;
    if (typeof text === 'string' && text.startsWith(PREPARED_STATEMENT)) {
      const end = text.indexOf(' */', PREPARED_STATEMENT.length);
      if (end > 0) return (super.query as any)({ name: text.slice(PREPARED_STATEMENT.length, end), text, values }, callback);
    }
    return (super.query as any)(...args);
  }
}

export function openStore(location: StoreLocation): Store {
  if (location.databaseUrl) {
    const pool = new pg.Pool({ connectionString: location.databaseUrl, max: location.poolSize ?? 10, Client: PreparingClient });
    // pg-pool re-emits an idle connection's error on the pool, and an 'error' event nobody
    // listens to kills the process. The pool has already dropped that connection and the next
    // query opens a new one, so it is only reported. (Ending the pool does not wait for its idle
    // connections to say goodbye, so a server closing them just then lands here too.)
    pool.on('error', (err) => location.onIdleConnectionError?.(err));
    const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const file = location.sqlitePath ?? ':memory:';
  const sqlite = new Database(file);
  // WAL lets readers run beside the one writer; busy_timeout makes a second process wait for
  // the write lock instead of failing at once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}
