import type { AreaMigration } from './types.ts';
import { withIdColumn } from '../id.ts';

// Migrations owned by src/gateway/, in order. Never edit one that has shipped: add another.
export const gatewayMigrations: AreaMigration[] = [
  {
    name: '0100_gateway',
    async up(db, dialect) {
      await withIdColumn(db.schema.createTable('apps'), dialect)
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('app_key', 'text', (c) => c.notNull().unique())
        .addColumn('app_code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('app_secret_enc', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('products', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('apps_buyer').on('apps').column('buyer_id').execute();
      await db.schema.createTable('gateway_nonces')
        .addColumn('app_id', 'bigint', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('gateway_nonces_pk', ['app_id', 'nonce'])
        .execute();
      await db.schema.createIndex('gateway_nonces_expiry').on('gateway_nonces').column('expires_at').execute();
      await db.schema.createTable('gateway_idempotency')
        .addColumn('app_id', 'bigint', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('billed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('result_code', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('gateway_idempotency_pk', ['app_id', 'key'])
        .execute();
      await db.schema.createIndex('gateway_idempotency_expiry').on('gateway_idempotency').column('expires_at').execute();
      await db.schema.createTable('gateway_nodes')
        .addColumn('node_id', 'text', (c) => c.primaryKey())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];
