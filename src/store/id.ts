import type { CreateTableBuilder } from 'kysely';
import type { Dialect } from './connect.ts';

/** An auto-increment integer primary key `id` on either database. */
export function withIdColumn<T extends string>(table: CreateTableBuilder<T, never>, dialect: Dialect): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
