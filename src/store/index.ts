export { openStore, type Store, type StoreLocation, type Dialect } from './connect.ts';
export { migrateToLatest } from './migrate.ts';
export { withIdColumn } from './id.ts';
export type { DatabaseSchema } from './schema.ts';
export type { AreaMigration } from './migrations/types.ts';
