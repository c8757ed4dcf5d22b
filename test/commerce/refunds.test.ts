// Refunds go through billing's revokeUnusedPackage: a package with a call in flight cannot be
// refunded, a refunded package never bills again, and a refund racing a call never lets both win.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/db.ts'; // runs on PostgreSQL too
import { startHarness, Browser, operatorBrowser } from './harness.ts';
import { auditLedger, createBuyer, getPackage, reserve, settle } from '../../src/billing/index.ts';
import { createOrder, defaultCommerceConfig, listProducts, payOrder, refundPackage, topUp } from '../../src/commerce/index.ts';

const DAY = 24 * 3600_000;

test('a package with an open hold cannot be refunded; once refunded it never bills again', async () => {
  const h = await startHarness({ sessionTtlMinutes: 30 * 24 * 60 });
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('hold-refund@example.com');
    await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 990, reason: 'test' });
    const plan = (await b.get('/console/api/products')).json().products[0].plans[1];
    const order = (await b.post('/console/api/orders', { planId: plan.id })).json().order;
    const [pkg] = (await b.post(`/console/api/orders/${order.id}/pay`)).json().order.packageIds as number[];
    const db = h.tdb.store.db;
    const bought = h.clock.now;

    // a call is in flight: its hold keeps the package from being refunded
    h.clock.now += 60_000;
    const r = await reserve(db, { buyerId, appId: 1, product: 'idcard-ocr', requestId: 'in-flight', now: h.clock.now });
    assert.ok(r.ok);
    const refused = await ops.post(`/admin/api/packages/${pkg}/refund`, { reason: '客户要求' });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, 'package_used');
    assert.equal((await getPackage(db, pkg!, h.clock.now))!.total, 40, 'untouched by the refused refund');
    assert.equal((await b.get('/console/api/balance')).json().balanceFen, 0);

    // the call ends unbilled (a failure code): the hold is voided and nothing was used
    await settle(db, r.hold, { resultCode: '-4', latencyMs: 5, node: 't', now: h.clock.now });
    const ok = await ops.post(`/admin/api/packages/${pkg}/refund`, { reason: '客户要求' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().refund.balanceFen, 990);

    // revoked: no call is taken from it, now or at any earlier or later moment of its old window
    for (const at of [h.clock.now, bought + 1000, h.clock.now + DAY, bought + 700 * DAY]) {
      const again = await reserve(db, { buyerId, appId: 1, product: 'idcard-ocr', requestId: `after-${at}`, now: at });
      assert.equal(again.ok, false, `no call at ${at}`);
    }
    const view = (await b.get('/console/api/services/idcard-ocr/packages')).json().items[0];
    assert.deepEqual([view.id, view.used, view.total, view.status], [pkg, 0, 40, '已退款']);
    const detail = (await ops.get(`/admin/api/buyers/${buyerId}`)).json().buyer.packages[0];
    assert.deepEqual([detail.id, detail.used, detail.total, detail.status], [pkg, 0, 40, '已退款']);
    assert.equal((await auditLedger(db)).ok, true);
  } finally {
    await h.close();
  }
});

test('a refund racing a call: never both succeed, and the books balance', async () => {
  const h = await startHarness();
  try {
    const ops = await operatorBrowser(h);
    const db = h.tdb.store.db;
    const plan = (await listProducts(db))[0]!.plans[1]!;
    const outcomes = { refunded: 0, called: 0 };
    for (let i = 0; i < 12; i++) {
      const now = h.clock.now;
      const buyerId = (await createBuyer(db, { name: `race ${i}`, now })).id;
      await topUp(db, { buyerId, amountFen: plan.priceFen, reason: 'race', operatorId: 1, now });
      const order = await createOrder(db, h.config, { buyerId, planId: plan.id, quantity: 1, now });
      const [pkg] = (await payOrder(db, { buyerId, orderId: order.id, now })).packageIds as number[];
      // both at once (on PostgreSQL on two connections of the pool), the call a little later
      // each trial so that either may win
      const [refund, call] = await Promise.all([
        ops.post(`/admin/api/packages/${pkg}/refund`, { reason: 'race' }),
        new Promise((r) => setTimeout(r, i % 6)).then(() => reserve(db, { buyerId, appId: 1, product: 'idcard-ocr', requestId: `race-${i}`, now })),
      ]);
      const refunded = refund.statusCode === 200;
      assert.ok(refunded || refund.json().error.code === 'package_used', refund.body);
      assert.notEqual(refunded, call.ok, `trial ${i}: exactly one of the refund and the call wins`);
      if (call.ok) {
        await settle(db, call.hold, { resultCode: '01', latencyMs: 1, node: 't', now });
        outcomes.called++;
      } else outcomes.refunded++;
      const p = (await getPackage(db, pkg!, now))!;
      assert.deepEqual([p.used, p.held], refunded ? [0, 0] : [1, 0]);
      const holds = await db.selectFrom('holds').select('id').where('package_id', '=', pkg!).execute();
      assert.equal(holds.length, refunded ? 0 : 1);
    }
    assert.equal(outcomes.called + outcomes.refunded, 12);
    console.log(`race outcomes: ${JSON.stringify(outcomes)}`);
    assert.equal((await auditLedger(db)).ok, true);
  } finally {
    await h.close();
  }
});

test('a call that picked the package before the refund committed takes nothing from it', async () => {
  const h = await startHarness();
  try {
    const db = h.tdb.store.db;
    const now = h.clock.now;
    const plan = (await listProducts(db))[0]!.plans[1]!;
    const buyerId = (await createBuyer(db, { name: 'interleaved', now })).id;
    await topUp(db, { buyerId, amountFen: plan.priceFen, reason: 'x', operatorId: 1, now });
    const order = await createOrder(db, h.config, { buyerId, planId: plan.id, quantity: 1, now });
    const [pkg] = (await payOrder(db, { buyerId, orderId: order.id, now })).packageIds as number[];
    let call: Promise<Awaited<ReturnType<typeof reserve>>> | undefined;
    await db.transaction().execute(async (trx) => {
      await refundPackage(trx, defaultCommerceConfig, { packageId: pkg!, reason: 'x', operatorId: 1, now });
      // the call starts while the refund is not committed: it still sees the package as it was
      // (PostgreSQL: picks it, then waits for the row; SQLite: waits for the writer)
      call = reserve(db, { buyerId, appId: 1, product: 'idcard-ocr', requestId: 'interleaved', now });
      await new Promise((r) => setTimeout(r, 300));
    });
    const result = await call!;
    assert.equal(result.ok, false, 'the revoked package gave no call');
    const p = (await getPackage(db, pkg!, now))!;
    assert.deepEqual([p.used, p.held, p.total], [0, 0, 0]);
    assert.equal((await auditLedger(db)).ok, true);
  } finally {
    await h.close();
  }
});
