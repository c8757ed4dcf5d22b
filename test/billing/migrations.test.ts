import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, testDialect } from '../support/db.ts';
import { migrateToLatest } from '../../src/store/index.ts';
import { createBuyer, grantPackage, reserve, settle, sweepExpiredHolds, auditLedger } from '../../src/billing/index.ts';
import type { Db } from '../../src/billing/db.ts';

async function holdIndexes(db: Db): Promise<string[]> {
  const { rows } = testDialect === 'postgres'
    ? await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'holds' ORDER BY indexname`.execute(db)
    : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'holds' AND sql IS NOT NULL ORDER BY name`.execute(db);
  return rows.map((r) => r.name);
}

test('0202 (pending holds only in the holds indexes) runs on a database that already ran the later areas\' migrations', async () => {
  const tdb = await createTestDatabase();
  try {
    const db = tdb.store.db;
    assert.deepEqual((await holdIndexes(db)).filter((n) => !n.endsWith('_pkey') && !n.includes('request_id')), ['holds_pending_expiry', 'holds_pending_package']);
    // As a database deployed before 0202: the old indexes, 03xx and 04xx applied, 0202 not.
    await db.schema.dropIndex('holds_pending_expiry').execute();
    await db.schema.dropIndex('holds_pending_package').execute();
    await db.schema.createIndex('holds_pending').on('holds').columns(['state', 'expires_at']).execute();
    await db.schema.createIndex('holds_package').on('holds').column('package_id').execute();
    await sql`DELETE FROM kysely_migration WHERE name = '0202_holds_pending_partial'`.execute(db);
    const later = await sql<{ n: number }>`SELECT count(*) AS n FROM kysely_migration WHERE name > '0202_holds_pending_partial'`.execute(db);
    assert.ok(Number(later.rows[0].n) > 0, 'later migrations were applied');

    await migrateToLatest(tdb.store);
    const names = await holdIndexes(db);
    assert.ok(names.includes('holds_pending_expiry') && names.includes('holds_pending_package'), names.join(', '));
    assert.ok(!names.includes('holds_pending') && !names.includes('holds_package'), names.join(', '));
    await migrateToLatest(tdb.store); // and again: nothing left to run

    // the books still balance through the partial indexes: pending holds counted, expired swept
    const buyer = await createBuyer(db, { name: 'm' });
    const T0 = Date.UTC(2026, 0, 5);
    await grantPackage(db, { buyerId: buyer.id, product: 'idcard-verify', calls: 3, days: 1, now: T0 });
    const opts = { buyerId: buyer.id, appId: 1, product: 'idcard-verify', now: T0, holdTtlMs: 1000 };
    const a = await reserve(db, { ...opts, requestId: 'a' });
    const b = await reserve(db, { ...opts, requestId: 'b' });
    assert.ok(a.ok && b.ok);
    await settle(db, a.hold, { resultCode: '01', latencyMs: 1, node: 'n', now: T0 + 10 });
    const mid = await auditLedger(db);
    assert.equal(mid.ok, true, JSON.stringify(mid.mismatches));
    assert.equal(mid.pendingHolds, 1);
    assert.equal(await sweepExpiredHolds(db, { now: T0 + 5000 }), 1);
    const end = await auditLedger(db);
    assert.equal(end.ok, true, JSON.stringify(end.mismatches));
    assert.deepEqual([end.pendingHolds, end.billedCalls], [0, 1]);
  } finally {
    await tdb.close();
  }
});
