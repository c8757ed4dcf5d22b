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
  // Each area numbers its migrations in its own range (core 00xx, gateway 01xx, billing 02xx,
  // …), so an area's newer migration can sort before another area's that a deployed database
  // already ran (0202 after 0300 and 0400 were applied): kysely then runs every migration not
  // yet run, in name order, instead of refusing the database. An area's migrations depend only
  // on its own earlier ones and on lower ranges, which a deployed database has all run.
  const migrator = new Migrator({ db: store.db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
}
