// A fresh, migrated database for one test file, on the engine the runner chose (TEST_DB):
// SQLite in a temp folder, or a new database on the PostgreSQL server at TEST_DATABASE_URL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { openStore, migrateToLatest, type Store } from '../../src/store/index.ts';

export const testDialect: 'sqlite' | 'postgres' = process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  store: Store;
  /** how another process (a spawned server, the CLI) reaches the same data */
  env: Record<string, string>;
  /** open another connection pool on the same data, as a second node would */
  openAnother(): Store;
  close(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (testDialect === 'postgres') {
    const base = process.env.TEST_DATABASE_URL;
    if (!base) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL');
    const name = `shiming_test_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    const store = openStore({ databaseUrl });
    await migrateToLatest(store);
    const opened: Store[] = [store];
    return {
      store,
      env: { DATABASE_URL: databaseUrl },
      openAnother() { const s = openStore({ databaseUrl }); opened.push(s); return s; },
      async close() {
        for (const s of opened) await s.close().catch(() => {});
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-test-'));
  const sqlitePath = path.join(dir, 'shiming.sqlite');
  const store = openStore({ sqlitePath });
  await migrateToLatest(store);
  const opened: Store[] = [store];
  return {
    store,
    env: { SHIMING_DATA_DIR: dir },
    openAnother() { const s = openStore({ sqlitePath }); opened.push(s); return s; },
    async close() {
      for (const s of opened) await s.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
