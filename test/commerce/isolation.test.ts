// A buyer sees only what is theirs: every console endpoint that takes an id answers 404 for
// another buyer's id, changes nothing, and no list shows another buyer's rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/db.ts'; // runs on PostgreSQL too
import { startHarness, Browser, operatorBrowser, multipart, type Harness } from './harness.ts';
import { reserve, settle } from '../../src/billing/index.ts';
import { checkRenewalWarnings } from '../../src/commerce/index.ts';
import { createNotifier } from '../../src/notify/index.ts';

async function populate(h: Harness, ops: Browser, email: string) {
  const b = new Browser(h.app);
  const { buyerId } = await b.signUp(email);
  await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 100_000, reason: 't' });
  const plans = (await b.get('/console/api/products')).json().products[0].plans;
  const paid = (await b.post('/console/api/orders', { planId: plans[1].id })).json().order;
  const paidOrder = (await b.post(`/console/api/orders/${paid.id}/pay`)).json().order;
  const unpaid = (await b.post('/console/api/orders', { planId: plans[2].id })).json().order;
  const app = (await b.post('/console/api/apps', { name: email })).json().app;
  for (let i = 0; i < 35; i++) {
    const r = await reserve(h.tdb.store.db, { buyerId, appId: app.id, product: 'idcard-ocr', requestId: `${email}-${i}`, now: h.clock.now });
    assert.ok(r.ok);
    await settle(h.tdb.store.db, r.hold, { resultCode: '01', latencyMs: 1, node: 't', now: h.clock.now });
  }
  await checkRenewalWarnings(h.tdb.store.db, { notifier: createNotifier({ smtpPort: 25, smtpSecure: false, smtpVerifyCertificate: true, mailFrom: 'x@y.z' }), config: h.config }, { buyerId, product: 'idcard-ocr', now: h.clock.now });
  const warning = (await b.get('/console/api/warnings')).json().items[0];
  const invoice = (await b.post('/console/api/invoices', { orderIds: [paid.id], title: 'T', taxId: '91510100MA6CXXXX1X', type: 'normal', email })).json().invoice;
  const m = multipart({ number: `N${buyerId}` }, { name: 'pdf', filename: 'a.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') });
  assert.equal((await ops.request('POST', `/admin/api/invoices/${invoice.id}/issue`, m.body, { 'content-type': m.contentType })).statusCode, 200);
  return { b, buyerId, paidId: paid.id, unpaidId: unpaid.id, packageId: paidOrder.packageIds[0] as number, appId: app.id as number, warningId: warning.id as number, invoiceId: invoice.id as number };
}

test("every console endpoint refuses another buyer's ids with 404 and leaks nothing in lists", async () => {
  const h = await startHarness();
  try {
    const ops = await operatorBrowser(h);
    const a = await populate(h, ops, 'a@example.com');
    const mallory = await populate(h, ops, 'mallory@example.com');
    const m = mallory.b;

    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/console/api/orders/${a.unpaidId}`],
      ['GET', `/console/api/orders/${a.paidId}`],
      ['POST', `/console/api/orders/${a.unpaidId}/pay`],
      ['POST', `/console/api/orders/${a.unpaidId}/cancel`],
      ['GET', `/console/api/packages/${a.packageId}/usage`],
      ['GET', `/console/api/packages/${a.packageId}/usage.csv`],
      ['GET', `/console/api/packages/${a.packageId}/usage.xlsx`],
      ['POST', `/console/api/warnings/${a.warningId}/read`],
      ['GET', `/console/api/invoices/${a.invoiceId}`],
      ['GET', `/console/api/invoices/${a.invoiceId}/pdf`],
      ['POST', '/console/api/invoices', { orderIds: [a.paidId], title: 'T', taxId: '91510100MA6CXXXX1X', type: 'normal', email: 'm@example.com' }],
      ['POST', `/console/api/apps/${a.appId}/reset-code`],
      ['POST', `/console/api/apps/${a.appId}/reset-secret`],
      ['POST', `/console/api/apps/${a.appId}/disable`],
      ['POST', `/console/api/apps/${a.appId}/enable`],
      ['GET', `/console/api/usage/series?appId=${a.appId}`],
      ['GET', `/console/api/usage/series?bucket=day&appId=${a.appId}&from=0&to=${86_400_000 * 300}`],
    ];
    for (const [method, url, body] of attempts) {
      const res = await m.request(method as 'GET', url, body);
      assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body.slice(0, 200)}`);
      assert.equal(res.json().error.code, 'not_found');
    }
    // every console route that takes an id is in the list above
    const tested = new Set(attempts.map(([method, url]) => `${method} ${url.replace(/\/\d+(?=\/|$)/g, '/:id')}`));
    const idRoutes = h.routes.filter((r) => r.url.startsWith('/console/api/') && r.url.includes(':id'));
    for (const r of idRoutes) {
      const concrete = r.url.replace(':action', 'disable');
      assert.ok(tested.has(`${r.method} ${concrete}`) || tested.has(`${r.method} ${r.url}`), `untested route ${r.method} ${r.url}`);
    }

    // nothing of A's changed
    assert.equal((await a.b.get(`/console/api/orders/${a.unpaidId}`)).json().order.status, 'unpaid');
    assert.equal((await a.b.get('/console/api/warnings')).json().unread, 1);
    assert.equal((await a.b.get('/console/api/apps')).json().apps[0].active, true);
    assert.equal((await a.b.get('/console/api/balance')).json().balanceFen, 100_000 - 990);

    // lists show only Mallory's own rows
    assert.deepEqual((await m.get('/console/api/orders')).json().items.map((o: { id: number }) => o.id).sort(), [mallory.paidId, mallory.unpaidId].sort());
    assert.deepEqual((await m.get('/console/api/services')).json().services.map((s: { used: number; total: number }) => [s.used, s.total]), [[35, 40]]);
    assert.deepEqual((await m.get('/console/api/services/idcard-ocr/packages')).json().items.map((p: { id: number }) => p.id), [mallory.packageId]);
    assert.equal((await m.get('/console/api/services/idcard-ocr/usage')).json().records.every((r: { packageId: number }) => r.packageId === mallory.packageId), true);
    assert.deepEqual((await m.get('/console/api/invoices')).json().items.map((i: { id: number }) => i.id), [mallory.invoiceId]);
    assert.deepEqual((await m.get('/console/api/warnings')).json().items.map((w: { id: number }) => w.id), [mallory.warningId]);
    assert.deepEqual((await m.get('/console/api/apps')).json().apps.map((x: { id: number }) => x.id), [mallory.appId]);
    assert.equal((await m.get('/console/api/balance')).json().entries.total, 2);
    assert.deepEqual((await m.get(`/console/api/usage/breakdown?by=app&from=0&to=${h.clock.now + 1}`)).json().rows, [{ key: String(mallory.appId), calls: 35, billed: 35 }]);
    const series = (await m.get('/console/api/usage/series?bucket=day')).json();
    assert.deepEqual([series.points.reduce((s: number, p: { calls: number }) => s + p.calls, 0), series.apps.map((x: { id: number }) => x.id)], [35, [mallory.appId]]);
    const csv = (await m.get('/console/api/services/idcard-ocr/usage.csv')).body;
    assert.ok(!csv.includes(`,${a.packageId},`), "A's package is not in Mallory's export");

    // the admin API is closed to buyers, and an operator sees both
    assert.equal((await m.get(`/admin/api/buyers/${a.buyerId}`)).statusCode, 403);
    assert.equal((await ops.get(`/admin/api/buyers/${a.buyerId}`)).json().buyer.email, 'a@example.com');
  } finally {
    await h.close();
  }
});
