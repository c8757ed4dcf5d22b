import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.ts';

/**
 * One schema change. `name` must be globally unique and sort after the area's earlier ones
 * (prefix: core 0000-0099, gateway 0100-, billing 0200-, verification 0300-, commerce 0400-).
 * `up` receives the dialect for the few places where SQLite and PostgreSQL differ.
 */
export interface AreaMigration {
  name: string;
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}
