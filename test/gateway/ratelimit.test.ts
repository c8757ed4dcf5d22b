// Calls-per-second limits per app, per buyer and per API, through HTTP, and their share per node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createTestDatabase } from '../support/db.ts';
import { buildMeteredApp } from './support/metered-server.ts';
import { createBuyer, grantPackage, auditLedger } from '../../src/billing/index.ts';
import { createApp, RateLimiter } from '../../src/gateway/index.ts';

test('throttled by APP, USER and API flow control, counted per second', async () => {
  const tdb = await createTestDatabase();
  const secretKey = crypto.randomBytes(32).toString('hex');
  let now = Date.UTC(2026, 0, 5, 2, 0, 0, 100);
  const app = await buildMeteredApp({
    store: tdb.store, clock: () => now, sweepIntervalMs: 0,
    gateway: { secretKey, rateLimits: { appPerSecond: 2, buyerPerSecond: 3, apiPerSecond: { 'idcard-ocr': 4 } } },
  });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const db = tdb.store.db;
    const b1 = await createBuyer(db, { name: 'one' });
    const b2 = await createBuyer(db, { name: 'two' });
    const [a1, a2, a3] = [await createApp(db, { secretKey }, { buyerId: b1.id }), await createApp(db, { secretKey }, { buyerId: b1.id }), await createApp(db, { secretKey }, { buyerId: b2.id })];
    for (const b of [b1, b2]) await grantPackage(db, { buyerId: b.id, product: 'idcard-ocr', calls: 100, days: 1, now });
    const hit = async (code: string) => {
      const r = await fetch(`${base}/OcridCard`, { method: 'POST', headers: { authorization: `APPCODE ${code}`, 'content-type': 'application/json' }, body: '{}' });
      await r.text();
      return r.status === 200 ? 'ok' : `${r.status} ${r.headers.get('x-ca-error-message')} ${r.headers.get('x-ca-error-code')}`;
    };
    assert.equal(await hit(a1.appCode), 'ok');
    assert.equal(await hit(a1.appCode), 'ok');
    assert.equal(await hit(a1.appCode), '403 Throttled by APP Flow Control ThrottledByApp');
    assert.equal(await hit(a2.appCode), 'ok');
    assert.equal(await hit(a2.appCode), '403 Throttled by USER Flow Control ThrottledByUser');
    assert.equal(await hit(a3.appCode), 'ok');
    assert.equal(await hit(a3.appCode), '403 Throttled by API Flow Control ThrottledByApi');
    now += 1000; // the next second starts afresh
    assert.equal(await hit(a1.appCode), 'ok');
    assert.equal(await hit(a3.appCode), 'ok');
    const billed = await db.selectFrom('usage_ledger').select((eb) => eb.fn.countAll<number>().as('n')).where('billed', '=', 1).executeTakeFirstOrThrow();
    assert.equal(Number(billed.n), 6, 'throttled calls take nothing');
    assert.ok((await auditLedger(db)).ok);
  } finally {
    await app.close();
    await tdb.close();
  }
});

test('each of N live nodes allows ceil(limit / N) per second', () => {
  const limiter = new RateLimiter({ appPerSecond: 5 });
  limiter.setNodeCount(2);
  const q = { appId: 1, buyerId: 1, product: 'idcard-ocr', now: 5000 };
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take(q) ?? 'ok'), ['ok', 'ok', 'ok', 'ThrottledByApp']);
  assert.equal(new RateLimiter({}).enabled, false);
});
