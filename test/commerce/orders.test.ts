import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialect } from '../support/db.ts';
import { startHarness, Browser, operatorBrowser, T0, type Harness } from './harness.ts';
import { auditLedger, listPackages, reserve, settle } from '../../src/billing/index.ts';
import { payOrder, createOrder, topUp, CommerceError } from '../../src/commerce/index.ts';

type Plan = { id: number; priceFen: number; calls: number; validDays: number; oncePerBuyer: boolean };
const DAY = 24 * 3600_000;

async function plans(b: Browser, code = 'idcard-ocr'): Promise<Plan[]> {
  const res = await b.get('/console/api/products');
  return res.json().products.find((p: { code: string }) => p.code === code).plans;
}

async function fund(h: Harness, ops: Browser, buyerId: number, amountFen: number) {
  const res = await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen, reason: '线下转账 #1' });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().balanceFen as number;
}

test('the public catalogue: the seed product with its eleven plans, and the verify product', async () => {
  const h = await startHarness();
  try {
    const res = await h.app.inject({ method: 'GET', url: '/console/api/products' });
    assert.equal(res.statusCode, 200, 'no login needed');
    const products = res.json().products as Array<{ code: string; name: string; apiPath: string; plans: Plan[] }>;
    assert.deepEqual(products.map((p) => p.code), ['idcard-ocr', 'idcard-verify']);
    const ocr = products[0];
    assert.equal(ocr.name, '身份证实名认证OCR');
    assert.equal(ocr.apiPath, '/OcridCard');
    assert.deepEqual(ocr.plans.map((p) => [p.priceFen, p.calls]), [
      [0, 2], [990, 40], [2200, 100], [19000, 1000], [188000, 10000], [360000, 20000], [880000, 50000],
      [1680000, 100000], [3300000, 200000], [7000000, 500000], [13000000, 1000000],
    ]);
    assert.ok(ocr.plans.every((p) => p.validDays === 730 && Number.isInteger(p.priceFen)));
    assert.deepEqual(ocr.plans.map((p) => p.oncePerBuyer), [true, ...Array(10).fill(false)]);
    assert.equal(products[1].apiPath, '/idcard/verify');
    assert.ok(products[1].plans.length > 0);
  } finally {
    await h.close();
  }
});

test('order → pay from the balance → packages; quantity; cancel; expiry; once-per-buyer; insufficient balance', async () => {
  const h = await startHarness({ orderTtlMinutes: 30 });
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('buyer@example.com');
    const [free, p40, p100] = await plans(b);

    // 9.9元/40次 × 3 = 29.70元
    const created = await b.post('/console/api/orders', { planId: p40.id, quantity: 3 });
    assert.equal(created.statusCode, 201);
    const order = created.json().order;
    assert.deepEqual([order.status, order.amountFen, order.quantity, order.calls], ['unpaid', 2970, 3, 40]);
    assert.equal((await b.get('/console/api/me')).json().unpaidOrders, 1);

    const poor = await b.post(`/console/api/orders/${order.id}/pay`);
    assert.equal(poor.statusCode, 402);
    assert.equal(poor.json().error.code, 'insufficient_balance');
    assert.equal((await b.get(`/console/api/orders/${order.id}`)).json().order.status, 'unpaid', 'nothing changed');

    assert.equal(await fund(h, ops, buyerId, 5000), 5000);
    const paid = await b.post(`/console/api/orders/${order.id}/pay`);
    assert.equal(paid.statusCode, 200, paid.body);
    assert.equal(paid.json().order.status, 'paid');
    assert.equal(paid.json().order.packageIds.length, 3);
    assert.equal(paid.json().balanceFen, 2030);
    const pk = await listPackages(h.tdb.store.db, { buyerId, product: 'idcard-ocr', now: h.clock.now });
    assert.deepEqual(pk.map((p) => [p.total, p.used, p.validTo - p.validFrom]), [[40, 0, 730 * DAY], [40, 0, 730 * DAY], [40, 0, 730 * DAY]]);
    const again = await b.post(`/console/api/orders/${order.id}/pay`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'already_paid');
    assert.equal((await listPackages(h.tdb.store.db, { buyerId, now: h.clock.now })).length, 3);

    // the balance is explained by its entries
    const balance = (await b.get('/console/api/balance')).json();
    assert.equal(balance.balanceFen, 2030);
    assert.deepEqual(balance.entries.items.map((e: { kind: string; deltaFen: number }) => [e.kind, e.deltaFen]), [['payment', -2970], ['topup', 5000]]);

    // the free trial: once per buyer, quantity 1
    assert.equal((await b.post('/console/api/orders', { planId: free.id, quantity: 2 })).statusCode, 400);
    const trial = (await b.post('/console/api/orders', { planId: free.id })).json().order;
    const trial2 = (await b.post('/console/api/orders', { planId: free.id })).json().order;
    assert.equal((await b.post(`/console/api/orders/${trial.id}/pay`)).statusCode, 200);
    const second = await b.post(`/console/api/orders/${trial2.id}/pay`);
    assert.equal(second.statusCode, 409);
    assert.equal(second.json().error.code, 'once_per_buyer');
    assert.equal((await b.post('/console/api/orders', { planId: free.id })).json().error.code, 'once_per_buyer');

    // cancel, and expiry after the configured time
    const c = (await b.post('/console/api/orders', { planId: p100.id })).json().order;
    assert.equal((await b.post(`/console/api/orders/${c.id}/cancel`)).json().order.status, 'cancelled');
    assert.equal((await b.post(`/console/api/orders/${c.id}/pay`)).json().error.code, 'order_cancelled');
    const e = (await b.post('/console/api/orders', { planId: p100.id })).json().order;
    h.clock.now += 31 * 60_000;
    const late = await b.post(`/console/api/orders/${e.id}/pay`);
    assert.equal(late.statusCode, 409);
    assert.equal((await b.get(`/console/api/orders/${e.id}`)).json().order.status, 'expired');
    const unpaid = await b.get('/console/api/orders?status=unpaid');
    assert.equal(unpaid.json().total, 0);
    assert.equal((await b.get('/console/api/orders')).json().total, 5);

    // hostile and malformed order input
    for (const body of [{ planId: p40.id, quantity: 0 }, { planId: p40.id, quantity: 1001 }, { planId: p40.id, quantity: 1.5 }, { planId: '1' }, { planId: -1 }, { planId: p40.id, priceFen: 1 }]) {
      assert.equal((await b.post('/console/api/orders', body)).statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await b.post('/console/api/orders', { planId: 999999 })).statusCode, 404);
    assert.equal((await b.post('/console/api/orders/abc/pay')).statusCode, 400);
    assert.equal((await b.get('/console/api/orders?status=weird')).statusCode, 400);

    // a withdrawn plan cannot be ordered; a changed price does not change an order placed before
    const pending = (await b.post('/console/api/orders', { planId: p100.id })).json().order;
    assert.equal((await ops.patch(`/admin/api/plans/${p100.id}`, { priceFen: 9999 })).statusCode, 200);
    assert.equal((await b.get(`/console/api/orders/${pending.id}`)).json().order.amountFen, 2200);
    assert.equal((await ops.patch(`/admin/api/plans/${p40.id}`, { active: false })).statusCode, 200);
    assert.equal((await b.post('/console/api/orders', { planId: p40.id })).statusCode, 404);
    assert.ok(!(await plans(b)).some((p) => p.id === p40.id));
  } finally {
    await h.close();
  }
});

test('paying twice at the same moment: one payment, one set of packages, one debit', async () => {
  const h = await startHarness();
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('race@example.com');
    const [, , p100] = await plans(b);
    await fund(h, ops, buyerId, 100_000);
    const db = h.tdb.store.db;
    // a second node with its own connection pool (PostgreSQL: truly concurrent transactions)
    const other = testDialect === 'postgres' ? h.tdb.openAnother().db : db;
    for (let round = 0; round < 3; round++) {
      const order = await createOrder(db, h.config, { buyerId, planId: p100.id, quantity: 2, now: h.clock.now });
      const attempts = await Promise.allSettled([
        payOrder(db, { buyerId, orderId: order.id, now: h.clock.now }),
        payOrder(other, { buyerId, orderId: order.id, now: h.clock.now }),
        b.post(`/console/api/orders/${order.id}/pay`),
      ]);
      const ok = attempts.filter((a) => a.status === 'fulfilled' && !('statusCode' in (a.value as object) && (a.value as { statusCode: number }).statusCode !== 200));
      assert.equal(ok.length, 1, JSON.stringify(attempts.map((a) => a.status === 'rejected' ? String(a.reason) : 'ok')));
      for (const a of attempts) {
        if (a.status === 'rejected') assert.ok(a.reason instanceof CommerceError && a.reason.code === 'already_paid', String(a.reason));
      }
    }
    const pk = await listPackages(db, { buyerId, now: h.clock.now });
    assert.equal(pk.length, 6);
    const balance = (await b.get('/console/api/balance')).json();
    assert.equal(balance.balanceFen, 100_000 - 3 * 4400);
    assert.equal(balance.entries.items.filter((e: { kind: string }) => e.kind === 'payment').length, 3);
  } finally {
    await h.close();
  }
});

test('refunds: unused packages within the window, back to the balance, with reason and audit', async () => {
  const h = await startHarness({ refundDays: 7, sessionTtlMinutes: 30 * 24 * 60 });
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('refund@example.com');
    const [, p40] = await plans(b);
    await fund(h, ops, buyerId, 10_000);
    const order = (await b.post('/console/api/orders', { planId: p40.id, quantity: 3 })).json().order;
    const paid = (await b.post(`/console/api/orders/${order.id}/pay`)).json().order;
    const [pa, pb, pc] = paid.packageIds as number[];
    const db = h.tdb.store.db;
    // one call used from the package that expires first (they are equal: the lowest id)
    const r = await reserve(db, { buyerId, appId: 1, product: 'idcard-ocr', requestId: 'x1', now: h.clock.now });
    assert.ok(r.ok);
    await settle(db, r.hold, { resultCode: '01', latencyMs: 3, node: 't', now: h.clock.now });
    const usedId = r.hold.packageId;
    const unused = [pa, pb, pc].filter((id) => id !== usedId);

    assert.equal((await ops.post(`/admin/api/packages/${unused[0]}/refund`, {})).statusCode, 400, 'a reason is required');
    const used = await ops.post(`/admin/api/packages/${usedId}/refund`, { reason: '客户要求' });
    assert.equal(used.statusCode, 409);
    assert.equal(used.json().error.code, 'package_used');
    const ok = await ops.post(`/admin/api/packages/${unused[0]}/refund`, { reason: '客户要求' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual([ok.json().refund.amountFen, ok.json().refund.balanceFen], [990, 10_000 - 2970 + 990]);
    assert.equal((await ops.post(`/admin/api/packages/${unused[0]}/refund`, { reason: 'again' })).json().error.code, 'already_refunded');
    // the refunded package can take no call
    const pkgs = (await b.get('/console/api/services/idcard-ocr/packages')).json();
    assert.equal(pkgs.items.find((p: { id: number }) => p.id === unused[0]).status, '已退款');
    // after the window
    h.clock.now += 8 * DAY;
    const late = await ops.post(`/admin/api/packages/${unused[1]}/refund`, { reason: '客户要求' });
    assert.equal(late.json().error.code, 'refund_window_passed');
    assert.equal((await ops.post('/admin/api/packages/99999/refund', { reason: 'x' })).statusCode, 404);
    const audit = (await ops.get('/admin/api/audit?action=package.refund')).json();
    assert.equal(audit.total, 1);
    assert.equal(audit.items[0].detail.reason, '客户要求');
    assert.equal((await auditLedger(db)).ok, true);
    const refunds = (await ops.get('/admin/api/refunds')).json();
    assert.deepEqual(refunds.items.map((r: { buyerId: number; packageId: number; amountFen: number; reason: string }) => [r.buyerId, r.packageId, r.amountFen, r.reason]), [[buyerId, unused[0], 990, '客户要求']]);
    assert.equal((await ops.get('/admin/api/refunds?buyerId=424242')).json().total, 0);
    const entries = (await b.get('/console/api/balance')).json().entries.items;
    assert.deepEqual(entries[0], { ...entries[0], kind: 'refund', deltaFen: 990, reason: '客户要求' });
  } finally {
    await h.close();
  }
});

test('top-ups: operators only, positive whole fen, reason, audit trail', async () => {
  const h = await startHarness();
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('topup@example.com');
    for (const body of [{ amountFen: 0, reason: 'x' }, { amountFen: -5, reason: 'x' }, { amountFen: 9.9, reason: 'x' }, { amountFen: '100', reason: 'x' }, { amountFen: 100 }, { amountFen: 100, reason: '   ' }]) {
      assert.equal((await ops.post(`/admin/api/buyers/${buyerId}/topups`, body)).statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await ops.post('/admin/api/buyers/424242/topups', { amountFen: 100, reason: 'x' })).statusCode, 404);
    assert.equal((await b.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 100, reason: 'self' })).statusCode, 403);
    assert.equal(await fund(h, ops, buyerId, 12_345), 12_345);
    const audit = (await ops.get('/admin/api/audit')).json().items[0];
    assert.deepEqual([audit.action, audit.target, audit.detail.amountFen, audit.detail.reason], ['balance.topup', `buyer:${buyerId}`, 12_345, '线下转账 #1']);
    const ledger = (await ops.get(`/admin/api/buyers/${buyerId}/balance`)).json();
    assert.equal(ledger.balanceFen, 12_345);
    assert.equal(ledger.entries.items[0].reason, '线下转账 #1');
    // concurrent top-ups all count
    const db = h.tdb.store.db;
    const account = await db.selectFrom('accounts').select('id').where('role', '=', 'operator').executeTakeFirstOrThrow();
    await Promise.all(Array.from({ length: 10 }, () => topUp(db, { buyerId, amountFen: 100, reason: 'batch', operatorId: Number(account.id), now: T0 })));
    assert.equal((await b.get('/console/api/balance')).json().balanceFen, 13_345);
  } finally {
    await h.close();
  }
});
