import { sql } from 'kysely';
import type { AreaMigration } from './types.ts';
import { withIdColumn } from '../id.ts';

// Migrations owned by src/commerce/, in order. Never edit one that has shipped: add another.
export const commerceMigrations: AreaMigration[] = [
  {
    name: '0400_commerce',
    async up(db, dialect) {
      const blob = dialect === 'postgres' ? 'bytea' : 'blob';
      await withIdColumn(db.schema.createTable('accounts'), dialect)
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('buyer_id', 'bigint', (c) => c.unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'bigint', (c) => c.notNull())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_account').on('sessions').column('account_id').execute();
      await withIdColumn(db.schema.createTable('login_failures'), dialect)
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_failures_scope_at').on('login_failures').columns(['scope', 'at']).execute();
      await db.schema.createTable('buyer_contacts')
        .addColumn('buyer_id', 'bigint', (c) => c.primaryKey())
        .addColumn('email', 'text')
        .addColumn('phone', 'text')
        .addColumn('warn_threshold_pct', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await withIdColumn(db.schema.createTable('products'), dialect)
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('api_path', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await withIdColumn(db.schema.createTable('plans'), dialect)
        .addColumn('product_id', 'bigint', (c) => c.notNull().references('products.id'))
        .addColumn('price_fen', 'bigint', (c) => c.notNull())
        .addColumn('calls', 'bigint', (c) => c.notNull())
        .addColumn('valid_days', 'integer', (c) => c.notNull())
        .addColumn('once_per_buyer', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await withIdColumn(db.schema.createTable('orders'), dialect)
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('plan_id', 'bigint', (c) => c.notNull().references('plans.id'))
        .addColumn('product_code', 'text', (c) => c.notNull())
        .addColumn('unit_price_fen', 'bigint', (c) => c.notNull())
        .addColumn('calls', 'bigint', (c) => c.notNull())
        .addColumn('valid_days', 'integer', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('amount_fen', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('payment_method', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('paid_at', 'bigint')
        .addColumn('closed_at', 'bigint')
        .execute();
      await db.schema.createIndex('orders_buyer').on('orders').columns(['buyer_id', 'created_at']).execute();
      await db.schema.createTable('order_packages')
        .addColumn('package_id', 'bigint', (c) => c.primaryKey())
        .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id'))
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('unit_price_fen', 'bigint', (c) => c.notNull())
        .addColumn('refunded_at', 'bigint')
        .execute();
      await db.schema.createIndex('order_packages_order').on('order_packages').column('order_id').execute();
      await db.schema.createTable('plan_claims')
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('plan_id', 'bigint', (c) => c.notNull())
        .addColumn('order_id', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('plan_claims_pk', ['buyer_id', 'plan_id'])
        .execute();
      await db.schema.createTable('balances')
        .addColumn('buyer_id', 'bigint', (c) => c.primaryKey())
        .addColumn('balance_fen', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('balances_not_negative', sql`balance_fen >= 0`)
        .execute();
      await withIdColumn(db.schema.createTable('balance_entries'), dialect)
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('delta_fen', 'bigint', (c) => c.notNull())
        .addColumn('balance_after_fen', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('order_id', 'bigint')
        .addColumn('package_id', 'bigint')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('operator_id', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('balance_entries_buyer').on('balance_entries').columns(['buyer_id', 'created_at']).execute();
      await withIdColumn(db.schema.createTable('invoices'), dialect)
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('tax_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('amount_fen', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('number', 'text')
        .addColumn('reject_reason', 'text')
        .addColumn('pdf', blob)
        .addColumn('pdf_name', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .addColumn('decided_by', 'bigint')
        .execute();
      await db.schema.createIndex('invoices_buyer').on('invoices').column('buyer_id').execute();
      await db.schema.createIndex('invoices_status').on('invoices').column('status').execute();
      await db.schema.createTable('invoice_orders')
        .addColumn('order_id', 'bigint', (c) => c.primaryKey())
        .addColumn('invoice_id', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('invoice_orders_invoice').on('invoice_orders').column('invoice_id').execute();
      await withIdColumn(db.schema.createTable('renewal_warnings'), dialect)
        .addColumn('buyer_id', 'bigint', (c) => c.notNull())
        .addColumn('product_code', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('crossing', 'text', (c) => c.notNull())
        .addColumn('remaining', 'bigint', (c) => c.notNull())
        .addColumn('total', 'bigint', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('email_to', 'text')
        .addColumn('email_status', 'text', (c) => c.notNull())
        .addColumn('sms_to', 'text')
        .addColumn('sms_status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('read_at', 'bigint')
        .addUniqueConstraint('renewal_warnings_once', ['buyer_id', 'product_code', 'kind', 'crossing'])
        .execute();
      await withIdColumn(db.schema.createTable('operator_audit'), dialect)
        .addColumn('operator_id', 'bigint', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('operator_audit_at').on('operator_audit').column('created_at').execute();
    },
  },
  {
    // The catalogue of the seed document: 身份证实名认证OCR with its eleven plans, each valid two
    // years from purchase, and a verify-only product. Operators edit both afterwards.
    name: '0401_commerce_catalogue',
    async up(db) {
      const now = Date.now();
      const products = [
        {
          code: 'idcard-ocr',
          name: '身份证实名认证OCR',
          description: '身份证图像识别 + 身份证二要素核验：识别身份证姓名、出生日期、身份证号等信息，并实时核验身份证号码和姓名是否一致。支持URL网络图片或base64，PNG、JPG、JPEG、BMP。',
          api_path: '/OcridCard',
          sort: 1,
          plans: [[0, 2, 1], [990, 40], [2200, 100], [19000, 1000], [188000, 10000], [360000, 20000], [880000, 50000],
            [1680000, 100000], [3300000, 200000], [7000000, 500000], [13000000, 1000000]],
        },
        {
          code: 'idcard-verify',
          name: '身份证二要素核验',
          description: '姓名与身份证号码一致性核验（不含图像识别）。',
          api_path: '/idcard/verify',
          sort: 2,
          plans: [[0, 2, 1], [500, 100], [4500, 1000], [40000, 10000], [350000, 100000]],
        },
      ];
      for (const p of products) {
        const row = await db.insertInto('products')
          .values({ code: p.code, name: p.name, description: p.description, api_path: p.api_path, active: 1, sort: p.sort, created_at: now, updated_at: now })
          .returning('id').executeTakeFirstOrThrow();
        let sort = 0;
        for (const [price, calls, once] of p.plans) {
          await db.insertInto('plans').values({
            product_id: row.id, price_fen: price, calls, valid_days: 730, once_per_buyer: once ?? 0,
            active: 1, sort: sort++, created_at: now, updated_at: now,
          }).execute();
        }
      }
    },
  },
  {
    // The operator's health page names each serving node's host and process.
    name: '0402_commerce_node_host',
    async up(db) {
      await db.schema.alterTable('nodes').addColumn('host', 'text').execute();
      await db.schema.alterTable('nodes').addColumn('pid', 'integer').execute();
    },
  },
];
