// Group commit (openHoldBook): many concurrent holds and settlements go to the database in
// batches, and the books still never take a call that is not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testDialect } from '../support/db.ts';
import { createBuyer, grantPackage, listPackages, openHoldBook, auditLedger, type Hold } from '../../src/billing/index.ts';
import { createApp, setAppActive, type CreatedApp } from '../../src/gateway/index.ts';

const T0 = Date.UTC(2026, 0, 5, 2, 0, 30);

test('two hold books, 160 concurrent calls against 30 + 20 calls: 50 held in batches, the rest exhausted, books balance', async () => {
  const tdb = await createTestDatabase();
  const other = testDialect === 'postgres' ? tdb.openAnother() : tdb.store;
  const books = [await openHoldBook(tdb.store.db), await openHoldBook(other.db)];
  try {
    const db = tdb.store.db;
    const buyer = await createBuyer(db, { name: 'g' });
    const apps: CreatedApp[] = [];
    for (let i = 0; i < 3; i++) apps.push(await createApp(db, { secretKey: 'ab'.repeat(32) }, { buyerId: buyer.id, now: T0 }));
    const early = await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 30, days: 1, now: T0 });
    const late = await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 20, days: 2, now: T0 });
    // The third app is disabled after its version was read: its calls must not be held.
    await setAppActive(db, apps[2].id, false, T0);
    const results = await Promise.all(Array.from({ length: 160 }, (_, i) => books[i % 2].reserve({
      buyerId: buyer.id, appId: apps[i % 3].id, appVersion: 1, product: 'idcard-ocr', requestId: `g${i}`, now: T0 + 1 + (i % 3),
    })));
    const held = results.flatMap((r) => (r.ok ? [r.hold] : []));
    const refused = results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason));
    const fromDisabled = results.filter((_, i) => i % 3 === 2);
    assert.ok(fromDisabled.every((r) => !r.ok && r.reason === 'app-changed'), 'a changed app takes nothing');
    assert.equal(held.length, 50);
    assert.equal(refused.filter((r) => r === 'exhausted').length, 160 - 50 - fromDisabled.length);
    assert.equal(held.filter((h) => h.packageId === early.id).length, 30, 'the package that expires first is used up first');
    assert.equal(new Set(held.map((h) => h.id)).size, 50);

    const settled = await Promise.all(held.map((h: Hold, i) => books[i % 2].settle(h, {
      resultCode: i % 5 === 0 ? '-4' : '01', latencyMs: 3, node: `n${i % 2}`, now: T0 + 10,
    })));
    assert.equal(settled.filter((s) => s.settled).length, 50);
    assert.equal(settled.filter((s) => s.billed).length, 40);
    // settling again changes nothing and bills nothing
    const again = await books[0].settle({ ...held[1], requestId: 'again' }, { resultCode: '01', latencyMs: 1, node: 'n0', now: T0 + 11 });
    assert.deepEqual(again, { billed: false, settled: false });

    const pk = await listPackages(db, { buyerId: buyer.id, product: 'idcard-ocr', now: T0 + 20 });
    assert.deepEqual(pk.map((p) => [p.id, p.held]), [[early.id, 0], [late.id, 0]]);
    assert.equal(pk[0].used + pk[1].used, 40);
    const audit = await auditLedger(db);
    assert.equal(audit.ok, true, JSON.stringify(audit.mismatches));
    assert.equal(audit.billedCalls, 40);

    // Holds nobody settles expire back through the book's sweep.
    const stuck = await Promise.all([0, 1, 2].map((i) => books[i % 2].reserve({
      buyerId: buyer.id, appId: apps[0].id, product: 'idcard-ocr', requestId: `s${i}`, now: T0 + 30, holdTtlMs: 1000,
    })));
    assert.ok(stuck.every((r) => r.ok), 'the 10 voided calls went back to the packages');
    const heldNow = async () => (await listPackages(db, { buyerId: buyer.id, product: 'idcard-ocr', now: T0 + 30 })).reduce((s, p) => s + p.held, 0);
    assert.equal(await heldNow(), 3);
    assert.equal(await books[1].sweep(T0 + 500), 0, 'not expired yet');
    assert.equal(await books[1].sweep(T0 + 2000), 3);
    assert.equal(await heldNow(), 0);
    assert.ok((await auditLedger(db)).ok);

    // It was group commit: fewer batches than calls, and most holds placed by a batch.
    const stats = books.map((b) => b.stats());
    const batches = stats.reduce((s, x) => s + x.batches, 0);
    const ops = stats.reduce((s, x) => s + x.ops, 0);
    assert.ok(ops >= 160 + 50 + 4, JSON.stringify(stats));
    assert.ok(batches * 4 <= ops, `batches ${batches} for ${ops} ops`);
    // The 110 refused calls go the one-call path (it says why); at least one package's worth of
    // holds came from batches.
    const single = stats.reduce((s, x) => s + x.single, 0);
    assert.ok(single <= 160 - 30, `one-call path taken ${single} times`);
  } finally {
    for (const b of books) b.close();
    await tdb.close();
  }
});

test('one batch decides as its calls would one by one: a void frees a call for a later hold, a package not yet valid is skipped', async () => {
  const tdb = await createTestDatabase();
  const book = await openHoldBook(tdb.store.db);
  try {
    const db = tdb.store.db;
    const buyer = await createBuyer(db, { name: 'o' });
    const app = await createApp(db, { secretKey: 'ab'.repeat(32) }, { buyerId: buyer.id, now: T0 });
    // expires first but starts later: not usable at T0 + 10
    const future = await grantPackage(db, { buyerId: buyer.id, product: 'idcard-verify', calls: 5, days: 1, validFrom: T0 + 60_000, now: T0 });
    const now = await grantPackage(db, { buyerId: buyer.id, product: 'idcard-verify', calls: 3, days: 2, now: T0 });
    const input = (requestId: string, at = T0 + 10) => ({ buyerId: buyer.id, appId: app.id, appVersion: 1, product: 'idcard-verify', requestId, now: at });
    const first = await Promise.all(['a', 'b', 'c', 'd'].map((id) => book.reserve(input(id))));
    assert.deepEqual(first.map((r) => (r.ok ? r.hold.packageId : r.reason)), [now.id, now.id, now.id, 'exhausted']);
    const holds = first.flatMap((r) => (r.ok ? [r.hold] : []));
    // one batch, in this order: a void gives one call back, the next hold takes it, the one after finds nothing
    const [voided, e, f, posted] = await Promise.all([
      book.settle(holds[0], { resultCode: '-4', latencyMs: 1, node: 'n', now: T0 + 20 }),
      book.reserve(input('e', T0 + 20)),
      book.reserve(input('f', T0 + 20)),
      book.settle(holds[1], { resultCode: '01', latencyMs: 1, node: 'n', now: T0 + 20 }),
    ]);
    assert.deepEqual(voided, { billed: false, settled: true });
    assert.deepEqual(posted, { billed: true, settled: true });
    if (testDialect === 'sqlite') {
      assert.ok(e.ok && e.hold.packageId === now.id, JSON.stringify(e));
      assert.deepEqual(f, { ok: false, reason: 'exhausted' });
    } else {
      // PostgreSQL sends holds and settlements as separate statements that may commit in
      // either order: the freed call goes to at most one of them
      assert.ok([e, f].filter((r) => r.ok).length <= 1, JSON.stringify([e, f]));
    }
    // once the later-starting package is valid, it is the one that expires first
    const g = await Promise.all([book.reserve(input('g', T0 + 60_000)), book.reserve(input('h', T0 + 60_001))]);
    assert.deepEqual(g.map((r) => (r.ok ? r.hold.packageId : r.reason)), [future.id, future.id]);
    const pk = await listPackages(db, { buyerId: buyer.id, product: 'idcard-verify', now: T0 + 60_001 });
    const heldOfNow = 1 + [e, f].filter((r) => r.ok).length;
    assert.deepEqual(pk.map((p) => [p.id, p.used, p.held]).sort((x, y) => Number(x[0]) - Number(y[0])), [[future.id, 0, 2], [now.id, 1, heldOfNow]]);
    if (testDialect === 'sqlite' || heldOfNow === 2) {
      // `now` (expires first) is full; in one batch a hold goes to `later`, then a void frees a call
      // of `now`, and the next hold must take that one
      const later = await grantPackage(db, { buyerId: buyer.id, product: 'idcard-verify', calls: 5, days: 3, now: T0 });
      const [x, freed, y] = await Promise.all([
        book.reserve(input('x', T0 + 30)),
        book.settle(holds[2], { resultCode: '-1', latencyMs: 1, node: 'n', now: T0 + 30 }),
        book.reserve(input('y', T0 + 30)),
      ]);
      assert.ok(x.ok && (x.hold.packageId === later.id || testDialect === 'postgres'), JSON.stringify(x));
      assert.deepEqual(freed, { billed: false, settled: true });
      // SQLite runs holds and settlements in one batch in order; PostgreSQL batches holds and
      // settlements apart (both holds may be placed before the void), so there either will do
      assert.ok(y.ok && (y.hold.packageId === now.id || (testDialect === 'postgres' && y.hold.packageId === later.id)), JSON.stringify(y));
    }
    const audit = await auditLedger(db);
    assert.equal(audit.ok, true, JSON.stringify(audit.mismatches));
  } finally {
    book.close();
    await tdb.close();
  }
});

test('SQLite: the hot path in a worker thread takes, posts and refuses exactly as in the event loop', { skip: testDialect !== 'sqlite' }, async () => {
  const tdb = await createTestDatabase();
  const book = await openHoldBook(tdb.store.db, { thread: true });
  try {
    const db = tdb.store.db;
    const buyer = await createBuyer(db, { name: 't' });
    const app = await createApp(db, { secretKey: 'ab'.repeat(32) }, { buyerId: buyer.id, now: T0 });
    await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 25, days: 1, now: T0 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => book.reserve({
      buyerId: buyer.id, appId: app.id, appVersion: i < 35 ? 1 : 2, product: 'idcard-ocr', requestId: `t${i}`, now: T0 + 1,
    })));
    assert.equal(results.filter((r) => r.ok).length, 25);
    assert.deepEqual(results.slice(35).map((r) => (r.ok ? 'ok' : r.reason)), Array(5).fill('app-changed'));
    assert.equal(results.filter((r) => !r.ok && r.reason === 'exhausted').length, 10);
    const held = results.flatMap((r) => (r.ok ? [r.hold] : []));
    const settled = await Promise.all(held.map((h, i) => book.settle(h, { resultCode: i % 5 === 0 ? '-4' : '01', latencyMs: 2, node: 't', now: T0 + 5 })));
    assert.equal(settled.filter((s) => s.billed).length, 20);
    assert.ok(book.stats().batches < 40, JSON.stringify(book.stats()));
    const audit = await auditLedger(db);
    assert.equal(audit.ok, true, JSON.stringify(audit.mismatches));
    assert.equal(audit.billedCalls, 20);
  } finally {
    book.close();
    await tdb.close();
  }
});

test('SQLite: while a hold book is open the store connection leaves checkpoints to its checkpointer thread', { skip: testDialect !== 'sqlite' }, async () => {
  const tdb = await createTestDatabase();
  const db = tdb.store.db;
  const { sql } = await import('kysely');
  const autocheckpoint = async () => Number(Object.values((await sql<Record<string, number>>`PRAGMA wal_autocheckpoint`.execute(db)).rows[0])[0]);
  assert.equal(await autocheckpoint(), 1000);
  const book = await openHoldBook(db);
  try {
    // a commit of the store's connection (heartbeat, nonce) no longer copies the log on the event loop
    assert.equal(await autocheckpoint(), 0);
    const buyer = await createBuyer(db, { name: 'c' });
    await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 3, days: 1, now: T0 });
    const r = await book.reserve({ buyerId: buyer.id, appId: 1, product: 'idcard-ocr', requestId: 'c1', now: T0 + 1 });
    assert.ok(r.ok);
    assert.equal((await book.settle(r.hold, { resultCode: '01', latencyMs: 1, node: 't', now: T0 + 2 })).billed, true);
    assert.equal((await auditLedger(db)).ok, true);
  } finally {
    book.close();
  }
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await autocheckpoint(), 1000, 'closed: the store checkpoints in its commits again');
  await tdb.close();
});

test('PostgreSQL: the batch statements run as named prepared statements, parsed once per connection', { skip: testDialect !== 'postgres' }, async () => {
  const tdb = await createTestDatabase();
  // one connection, so the statements and pg_prepared_statements are the same session's
  const { openStore } = await import('../../src/store/index.ts');
  const store = openStore({ databaseUrl: tdb.env.DATABASE_URL, poolSize: 1 });
  const { sql } = await import('kysely');
  const book = await openHoldBook(store.db);
  try {
    const db = store.db;
    const buyer = await createBuyer(db, { name: 'p' });
    await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 10, days: 1, now: T0 });
    for (let round = 0; round < 2; round++) {
      const held = await Promise.all([0, 1, 2].map((i) => book.reserve({ buyerId: buyer.id, appId: 1, product: 'idcard-ocr', requestId: `p${round}-${i}`, now: T0 + 1 })));
      assert.ok(held.every((r) => r.ok));
      const settled = await Promise.all(held.map((r) => book.settle((r as { hold: Hold }).hold, { resultCode: '01', latencyMs: 1, node: 't', now: T0 + 2 })));
      assert.ok(settled.every((s) => s.billed));
    }
    const { rows } = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements ORDER BY name`.execute(db);
    assert.deepEqual(rows.map((r) => r.name), ['billing_reserve_batch', 'billing_settle_batch']);
    const audit = await auditLedger(db);
    assert.equal(audit.ok, true);
    assert.equal(audit.billedCalls, 6);
  } finally {
    book.close();
    await store.close();
    await tdb.close();
  }
});

test('SQLite: while another connection holds the write lock, calls wait (retried after timers) and then go through', { skip: testDialect !== 'sqlite' }, async () => {
  const tdb = await createTestDatabase();
  const db = tdb.store.db;
  const { sql } = await import('kysely');
  const Database = (await import('better-sqlite3')).default;
  const file = (await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(db)).rows.find((r) => r.name === 'main')!.file;
  const book = await openHoldBook(db);
  const other = new Database(file);
  try {
    const buyer = await createBuyer(db, { name: 'l' });
    await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 5, days: 1, now: T0 });
    // as a second node would: the write lock taken, for 150 ms
    other.exec('BEGIN IMMEDIATE');
    let released = false;
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 1);
    setTimeout(() => { other.exec('COMMIT'); released = true; }, 150);
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => book.reserve({ buyerId: buyer.id, appId: 1, product: 'idcard-ocr', requestId: `l${i}`, now: T0 + 1 })));
    clearInterval(ticker);
    assert.ok(released, 'nothing was written while the other connection held the lock');
    assert.ok(ticks > 5, 'timers ran while the calls waited');
    assert.equal(results.filter((r) => r.ok).length, 5);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'exhausted').length, 1);
    for (const r of results) if (r.ok) await book.settle(r.hold, { resultCode: '01', latencyMs: 1, node: 't', now: T0 + 2 });
    const audit = await auditLedger(db);
    assert.equal(audit.ok, true);
    assert.equal(audit.billedCalls, 5);
  } finally {
    other.close();
    book.close();
    await tdb.close();
  }
});
