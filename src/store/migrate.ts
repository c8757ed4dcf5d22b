import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './connect.ts';
import { allMigrations } from './migrations/index.ts';

/**
 * Brings the schema up to date. Kysely's migrator takes a lock (an advisory lock on
 * PostgreSQL), so several nodes starting at once apply each migration exactly once.
 */
export async function migrateToLatest(store: Store): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const byName: Record<string, Migration> = {};
      for (const m of allMigrations) byName[m.name] = { up: (db) => m.up(db, store.dialect) };
      return byName;
    },
  };
  const migrator = new Migrator({ db: store.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
}
