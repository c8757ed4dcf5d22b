import { sql } from 'kysely';
import type { AreaMigration } from './types.ts';

// Migrations owned by src/verification/, in order. Never edit one that has shipped: add another.
export const verificationMigrations: AreaMigration[] = [
  {
    name: '0300_verification_registry',
    async up(db, dialect) {
      const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
      // The id hash is the primary key: a lookup is one index probe, and an import upserts on it.
      // On SQLite, WITHOUT ROWID stores the rows in that key's b-tree instead of beside it.
      let table = db.schema.createTable('verification_registry')
        .addColumn('id_hash', bytes, (c) => c.primaryKey())
        .addColumn('pair_hash', bytes, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull());
      if (dialect === 'sqlite') table = table.modifyEnd(sql`without rowid`);
      await table.execute();
    },
  },
];
