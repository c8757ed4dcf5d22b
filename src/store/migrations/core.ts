import type { AreaMigration } from './types.ts';

export const coreMigrations: AreaMigration[] = [
  {
    name: '0000_core',
    async up(db) {
      await db.schema.createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('nodes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .execute();
    },
  },
];
