import { sql } from 'kysely';
import type { AreaMigration } from './types.ts';
import { withIdColumn } from '../id.ts';

// Migrations owned by src/billing/, in order. Never edit one that has shipped: add another.
export const billingMigrations: AreaMigration[] = [
  {
    name: '0200_billing',
    async up(db, dialect) {
      await withIdColumn(db.schema.createTable('buyers'), dialect)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await withIdColumn(db.schema.createTable('call_packages'), dialect)
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('total', 'bigint', (c) => c.notNull())
        .addColumn('used', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('held', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('valid_from', 'bigint', (c) => c.notNull())
        .addColumn('valid_to', 'bigint', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('call_packages_within_total', sql`used >= 0 AND held >= 0 AND used + held <= total`)
        .execute();
      await db.schema.createIndex('call_packages_pick').on('call_packages').columns(['buyer_id', 'product', 'valid_to']).execute();
      await withIdColumn(db.schema.createTable('holds'), dialect)
        .addColumn('package_id', 'bigint', (c) => c.notNull())
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('app_id', 'bigint', (c) => c.notNull())
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('result_code', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('settled_at', 'bigint')
        .execute();
      await db.schema.createIndex('holds_pending').on('holds').columns(['state', 'expires_at']).execute();
      await db.schema.createIndex('holds_package').on('holds').column('package_id').execute();
      await withIdColumn(db.schema.createTable('usage_ledger'), dialect)
        .addColumn('request_id', 'text', (c) => c.notNull().unique())
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('app_id', 'bigint', (c) => c.notNull())
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('package_id', 'bigint')
        .addColumn('hold_id', 'bigint')
        .addColumn('result_code', 'text')
        .addColumn('billed', 'integer', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('usage_ledger_package').on('usage_ledger').columns(['package_id', 'created_at']).execute();
      await db.schema.createIndex('usage_ledger_buyer').on('usage_ledger').columns(['buyer_id', 'product', 'created_at']).execute();
    },
  },
  {
    // A disabled buyer's apps are refused at the gateway (setBuyerActive in src/gateway/apps.ts).
    name: '0201_buyers_disabled',
    async up(db) {
      await db.schema.alterTable('buyers').addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  {
    // Only pending holds in the holds' secondary indexes: every query through them asks for
    // pending holds (the sweep: state = 'pending' AND expires_at <= now; the audit: a package's
    // pending holds), and a settled hold then leaves them instead of being re-indexed as
    // 'posted'/'voided' — the indexes stay the size of the calls in flight, not of every call
    // ever made, and a settle writes less (SQLite hot path: ~4 µs of CPU less per call; on
    // PostgreSQL a settle's new row version adds no entry to them). Sorts before the 03xx/04xx
    // migrations deployed databases already ran: src/store/migrate.ts runs unordered ones.
    name: '0202_holds_pending_partial',
    async up(db) {
      await db.schema.createIndex('holds_pending_expiry').on('holds').column('expires_at').where(sql.ref('state'), '=', 'pending').execute();
      await db.schema.createIndex('holds_pending_package').on('holds').column('package_id').where(sql.ref('state'), '=', 'pending').execute();
      await db.schema.dropIndex('holds_pending').execute();
      await db.schema.dropIndex('holds_package').execute();
    },
  },
];
