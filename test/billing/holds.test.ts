import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testDialect } from '../support/db.ts';
import {
  createBuyer, grantPackage, listPackages, reserve, settle, sweepExpiredHolds, auditLedger, usageRecords, writeTransaction,
} from '../../src/billing/index.ts';

const DAY = 24 * 3600_000;
const T0 = Date.UTC(2026, 0, 5, 2, 0, 30); // 10:00:30 in China

test('a call takes from the package that expires first; billable codes post, others void', async () => {
  const tdb = await createTestDatabase();
  try {
    const db = tdb.store.db;
    const buyer = await createBuyer(db, { name: 'acme' });
    const late = await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 5, days: 30, now: T0 });
    const early = await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 2, days: 10, now: T0 });
    assert.equal(early.status, '正常');
    const opts = { buyerId: buyer.id, appId: 1, product: 'idcard-ocr', now: T0 };
    const r1 = await reserve(db, { ...opts, requestId: 'r1' });
    assert.ok(r1.ok);
    assert.equal(r1.hold.packageId, early.id);
    assert.deepEqual(await settle(db, r1.hold, { resultCode: '01', latencyMs: 5, node: 'n1', now: T0 + 5 }), { billed: true, settled: true });
    const r2 = await reserve(db, { ...opts, requestId: 'r2' });
    assert.ok(r2.ok && r2.hold.packageId === early.id);
    assert.deepEqual(await settle(db, r2.hold, { resultCode: '-4', latencyMs: 5, node: 'n1', now: T0 + 6 }), { billed: false, settled: true });
    const r3 = await reserve(db, { ...opts, requestId: 'r3' });
    assert.ok(r3.ok && r3.hold.packageId === early.id);
    assert.equal((await settle(db, r3.hold, { resultCode: '02', latencyMs: 5, node: 'n1', now: T0 + 7 })).billed, true);
    const r4 = await reserve(db, { ...opts, requestId: 'r4' });
    assert.ok(r4.ok && r4.hold.packageId === late.id, 'the used-up package is skipped');
    // settling twice changes nothing
    await settle(db, r4.hold, { resultCode: '01', latencyMs: 1, node: 'n1', now: T0 + 8 });
    const again = await settle(db, { ...r4.hold, requestId: 'r4-again' }, { resultCode: '01', latencyMs: 1, node: 'n1', now: T0 + 9 });
    assert.deepEqual(again, { billed: false, settled: false });
    const pk = await listPackages(db, { buyerId: buyer.id, product: 'idcard-ocr', now: T0 });
    assert.deepEqual(pk.map((p) => [p.id, p.used, p.held, p.status]), [[early.id, 2, 0, '已用完'], [late.id, 1, 0, '正常']]);
    const audit = await auditLedger(db);
    assert.equal(audit.ok, true, JSON.stringify(audit.mismatches));
    assert.equal(audit.billedCalls, 3);

    const rec = await usageRecords(db, { buyerId: buyer.id, product: 'idcard-ocr', page: 1, pageSize: 10 });
    assert.equal(rec.total, 2);
    assert.deepEqual(rec.records.map((r) => [r.packageId, r.calls, r.consumed, r.note, r.processedAt]), [
      [early.id, 2, '2次', '套餐包消耗', '2026-01-05 10:00:01 - 2026-01-05 10:10:01'],
      [late.id, 1, '1次', '套餐包消耗', '2026-01-05 10:00:01 - 2026-01-05 10:10:01'],
    ]);
    assert.notEqual(rec.records[0].serial, rec.records[1].serial);
  } finally {
    await tdb.close();
  }
});

test('nothing left is exhausted, only expired packages is expired, and holds expire back', async () => {
  const tdb = await createTestDatabase();
  try {
    const db = tdb.store.db;
    const buyer = await createBuyer(db, { name: 'b' });
    const opts = { buyerId: buyer.id, appId: 1, product: 'idcard-verify' };
    assert.deepEqual(await reserve(db, { ...opts, requestId: 'x0', now: T0 }), { ok: false, reason: 'exhausted' });
    await writeTransaction(db, (trx) => grantPackage(trx, { buyerId: buyer.id, product: 'idcard-verify', calls: 1, days: 1, now: T0 }));
    const r1 = await reserve(db, { ...opts, requestId: 'x1', now: T0, holdTtlMs: 1000 });
    assert.ok(r1.ok);
    assert.deepEqual(await reserve(db, { ...opts, requestId: 'x2', now: T0 + 10 }), { ok: false, reason: 'exhausted' });
    // the first node never settles: after the TTL the call goes back (lazily, in reserve)
    const r3 = await reserve(db, { ...opts, requestId: 'x3', now: T0 + 2000 });
    assert.ok(r3.ok);
    // a late settle of the expired hold bills nothing
    assert.deepEqual(await settle(db, r1.hold, { resultCode: '01', latencyMs: 2000, node: 'n', now: T0 + 2001 }), { billed: false, settled: false });
    assert.equal((await settle(db, r3.hold, { resultCode: '01', latencyMs: 1, node: 'n', now: T0 + 2002 })).billed, true);
    assert.equal((await auditLedger(db)).ok, true);
    // a second package that expires unused: only expired packages left -> expired
    await grantPackage(db, { buyerId: buyer.id, product: 'idcard-verify', calls: 3, days: 1, now: T0 });
    assert.deepEqual(await reserve(db, { ...opts, requestId: 'x4', now: T0 + 2 * DAY }), { ok: false, reason: 'expired' });
    const r5 = await reserve(db, { ...opts, requestId: 'x5', now: T0 + 3000, holdTtlMs: 10 });
    assert.ok(r5.ok);
    assert.equal(await sweepExpiredHolds(db, { now: T0 + 4000 }), 1);
    const audit = await auditLedger(db);
    assert.equal(audit.ok, true, JSON.stringify(audit.mismatches));
    assert.equal(audit.pendingHolds, 0);
    // the audit can fail: corrupt a package and it says so
    await db.updateTable('call_packages').set({ used: 0 }).where('id', '=', r3.hold.packageId).execute();
    const bad = await auditLedger(db);
    assert.equal(bad.ok, false);
    assert.equal(bad.mismatches[0].kind, 'used');
    // a posted hold whose billed ledger row is gone is found too (the anti-join on hold ids)
    await db.updateTable('call_packages').set({ used: 1 }).where('id', '=', r3.hold.packageId).execute();
    assert.equal((await auditLedger(db)).ok, true);
    await db.updateTable('usage_ledger').set({ billed: 0 }).where('hold_id', '=', r3.hold.id).execute();
    const lost = await auditLedger(db);
    assert.deepEqual(lost.mismatches.filter((m) => m.kind === 'posted-hold-without-ledger').map((m) => m.holdId), [r3.hold.id]);
  } finally {
    await tdb.close();
  }
});

test('concurrent reserves on two connections never take more than the package holds', async () => {
  const tdb = await createTestDatabase();
  // Two pools on PostgreSQL. SQLite serves one process through one connection (a second
  // connection in the same thread would wait on the first's lock while blocking it); other
  // processes are covered by the HTTP tests.
  const other = testDialect === 'postgres' ? tdb.openAnother() : tdb.store;
  try {
    const db = tdb.store.db;
    const buyer = await createBuyer(db, { name: 'c' });
    await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 30, days: 1, now: T0 });
    await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 20, days: 2, now: T0 });
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) =>
      reserve(i % 2 ? db : other.db, { buyerId: buyer.id, appId: 1 + (i % 7), product: 'idcard-ocr', requestId: `c${i}`, now: T0 + 1 })));
    const ok = results.filter((r) => r.ok);
    assert.equal(ok.length, 50);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'exhausted').length, 70);
    await Promise.all(ok.map((r, i) => r.ok && settle(i % 2 ? db : other.db, r.hold, { resultCode: '01', latencyMs: 1, node: 'n', now: T0 + 2 })));
    const audit = await auditLedger(db);
    assert.equal(audit.ok, true, JSON.stringify(audit.mismatches));
    assert.equal(audit.billedCalls, 50);
  } finally {
    await tdb.close();
  }
});
