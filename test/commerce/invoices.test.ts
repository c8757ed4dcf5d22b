import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/db.ts'; // runs on PostgreSQL too
import { startHarness, Browser, operatorBrowser, multipart, T0 } from './harness.ts';

const DAY = 24 * 3600_000;

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('1 0 obj << /Type /Catalog >> endobj\n'), Buffer.from('%%EOF\n')]);

async function buyPlans(b: Browser, indexes: number[]) {
  const plans = (await b.get('/console/api/products')).json().products[0].plans;
  const ids: number[] = [];
  for (const i of indexes) {
    const order = (await b.post('/console/api/orders', { planId: plans[i].id })).json().order;
    assert.equal((await b.post(`/console/api/orders/${order.id}/pay`)).statusCode, 200);
    ids.push(order.id);
  }
  return ids;
}

test('invoices: pick paid orders, 待开发票金额, request, issue with PDF, reject, never twice', async () => {
  const h = await startHarness({ invoicePdfMaxBytes: 4096, sessionTtlMinutes: 60 * 24 * 60 });
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('invoice@example.com');
    await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 100_000, reason: 't' });
    const [trial, o990, o2200, o19000] = await buyPlans(b, [0, 1, 2, 3]);
    const unpaid = (await b.post('/console/api/orders', { planId: (await b.get('/console/api/products')).json().products[0].plans[1].id })).json().order;

    const invoiceable = (await b.get('/console/api/invoices/invoiceable')).json();
    assert.deepEqual(invoiceable.orders.map((o: { orderId: number }) => o.orderId).sort(), [o990, o2200, o19000].sort(), 'free and unpaid orders are not invoiceable');
    assert.equal(invoiceable.pendingFen, 990 + 2200 + 19000);

    const request = { orderIds: [o990, o2200], title: '某某科技有限公司', taxId: '91510100MA6CXXXX1X', type: 'normal', email: 'finance@example.com' };
    for (const bad of [
      { ...request, orderIds: [] }, { ...request, taxId: 'short' }, { ...request, type: 'golden' }, { ...request, email: 'x' },
      { ...request, title: ' ' }, { ...request, orderIds: ['1'] }, { ...request, amountFen: 1 },
    ]) {
      assert.equal((await b.post('/console/api/invoices', bad)).statusCode, 400, JSON.stringify(bad).slice(0, 100));
    }
    assert.equal((await b.post('/console/api/invoices', { ...request, orderIds: [trial] })).statusCode, 409);
    assert.equal((await b.post('/console/api/invoices', { ...request, orderIds: [unpaid.id] })).statusCode, 409);
    assert.equal((await b.post('/console/api/invoices', { ...request, orderIds: [987654] })).statusCode, 404);

    // two requests racing for the same order: one invoice
    const raced = await Promise.all([b.post('/console/api/invoices', request), b.post('/console/api/invoices', request)]);
    assert.deepEqual(raced.map((r) => r.statusCode).sort(), [201, 409]);
    const inv = raced.find((r) => r.statusCode === 201)!.json().invoice;
    assert.deepEqual([inv.status, inv.amountFen, inv.orderIds.sort()], ['requested', 3190, [o990, o2200].sort()]);
    assert.equal((await b.get('/console/api/invoices/invoiceable')).json().pendingFen, 19000);
    const second = (await b.post('/console/api/invoices', { ...request, orderIds: [o19000] })).json().invoice;

    // the operator's queue, oldest first
    const queue = (await ops.get('/admin/api/invoices?status=requested')).json();
    assert.deepEqual(queue.items.map((i: { id: number }) => i.id), [inv.id, second.id]);

    // issuing needs a number and a real, small PDF in a multipart form
    const issue = (fields: Record<string, string>, data?: Buffer, type = 'application/pdf') => {
      const m = multipart(fields, data && { name: 'pdf', filename: 'x.pdf', type, data });
      return ops.request('POST', `/admin/api/invoices/${inv.id}/issue`, m.body, { 'content-type': m.contentType });
    };
    assert.equal((await ops.post(`/admin/api/invoices/${inv.id}/issue`, { number: '1' })).statusCode, 415);
    assert.equal((await issue({ number: '04400123' })).statusCode, 400, 'no PDF');
    assert.equal((await issue({ number: '04400123' }, Buffer.from('<html>not a pdf</html>'))).json().error.code, 'invalid_pdf');
    assert.equal((await issue({ number: '0440 <script>' }, PDF)).json().error.code, 'invalid_number');
    const tooBig = await issue({ number: '04400123' }, Buffer.concat([PDF, Buffer.alloc(5000, 32)]));
    assert.ok([400, 413].includes(tooBig.statusCode), String(tooBig.statusCode));
    const issued = await issue({ number: '04400123' }, PDF);
    assert.equal(issued.statusCode, 200, issued.body);
    assert.deepEqual([issued.json().invoice.status, issued.json().invoice.number, issued.json().invoice.hasPdf], ['issued', '04400123', true]);
    assert.equal((await issue({ number: '04400124' }, PDF)).json().error.code, 'invoice_issued', 'never issued twice');

    const mine = (await b.get(`/console/api/invoices/${inv.id}`)).json().invoice;
    assert.equal(mine.status, 'issued');
    const pdf = await b.get(`/console/api/invoices/${inv.id}/pdf`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.deepEqual(pdf.rawPayload, PDF);
    assert.equal((await b.get(`/console/api/invoices/${second.id}/pdf`)).statusCode, 404, 'not issued yet');

    // rejecting releases the orders
    assert.equal((await ops.post(`/admin/api/invoices/${second.id}/reject`, { reason: '' })).statusCode, 400);
    const rejected = await ops.post(`/admin/api/invoices/${second.id}/reject`, { reason: '税号与抬头不符' });
    assert.equal(rejected.json().invoice.status, 'rejected');
    assert.equal(rejected.json().invoice.rejectReason, '税号与抬头不符');
    assert.equal((await ops.post(`/admin/api/invoices/${second.id}/reject`, { reason: 'again' })).statusCode, 409);
    assert.equal((await b.get('/console/api/invoices/invoiceable')).json().pendingFen, 19000);
    assert.equal((await b.get('/console/api/invoices')).json().total, 2);
    // an order on an invoice cannot be refunded behind its back
    const pk = (await b.get(`/console/api/orders/${o990}`)).json().order.packageIds[0];
    assert.equal((await ops.post(`/admin/api/packages/${pk}/refund`, { reason: 'x' })).json().error.code, 'invoiced');
    const actions = (await ops.get('/admin/api/audit')).json().items.map((a: { action: string }) => a.action);
    assert.ok(actions.includes('invoice.issue') && actions.includes('invoice.reject'));
  } finally {
    await h.close();
  }
});

test('消费趋势: spend per month for the last 12 months, less refunds, and the balance', async () => {
  const h = await startHarness({ sessionTtlMinutes: 400 * 24 * 60 });
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('spend@example.com');
    await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 1_000_000, reason: 't' });
    await buyPlans(b, [1, 2]); // 2026-01: 3190
    h.clock.now = T0 + 40 * DAY; // 2026-02
    await buyPlans(b, [3]); // 19000
    const [refundable] = await buyPlans(b, [1]); // 990, refunded in the same month
    const pk = (await b.get(`/console/api/orders/${refundable}`)).json().order.packageIds[0];
    assert.equal((await ops.post(`/admin/api/packages/${pk}/refund`, { reason: '误购' })).statusCode, 200);
    h.clock.now = T0 + 370 * DAY; // 2027-01: January 2026 is out of the window
    const spend = (await b.get('/console/api/spend')).json();
    assert.equal(spend.months.length, 12);
    assert.equal(spend.months[0].month, '2026-02');
    assert.equal(spend.months[11].month, '2027-01');
    assert.equal(spend.months[0].spendFen, 19000);
    assert.ok(spend.months.slice(1).every((m: { spendFen: number }) => m.spendFen === 0));
    assert.equal(spend.balanceFen, 1_000_000 - 3190 - 19000);
  } finally {
    await h.close();
  }
});
