import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import '../support/db.ts'; // runs on PostgreSQL too
import { startHarness, Browser, operatorBrowser, T0, type Harness } from './harness.ts';
import { reserve, settle } from '../../src/billing/index.ts';

const MIN = 60_000;
const DAY = 24 * 3600_000;

async function call(h: Harness, buyerId: number, appId: number, at: number, code = '01', product = 'idcard-ocr') {
  const r = await reserve(h.tdb.store.db, { buyerId, appId, product, requestId: `r${at}-${Math.random()}`, now: at });
  assert.ok(r.ok, 'a call was taken');
  await settle(h.tdb.store.db, r.hold, { resultCode: code, latencyMs: 10, node: 't', now: at });
}

async function buy(b: Browser, planIndex: number, quantity = 1) {
  const plans = (await b.get('/console/api/products')).json().products[0].plans;
  const order = (await b.post('/console/api/orders', { planId: plans[planIndex].id, quantity })).json().order;
  const paid = await b.post(`/console/api/orders/${order.id}/pay`);
  assert.equal(paid.statusCode, 200, paid.body);
  return paid.json().order.packageIds as number[];
}

test('apps: create with AppKey/AppSecret/AppCode shown once, list, reset, disable', async () => {
  const h = await startHarness();
  try {
    const b = new Browser(h.app);
    await b.signUp('apps@example.com');
    const created = await b.post('/console/api/apps', { name: '生产' });
    assert.equal(created.statusCode, 201);
    const app = created.json().app;
    assert.match(app.appCode, /^[A-Za-z0-9]{16,64}$/);
    assert.ok(app.appKey && app.appSecret);
    const list = (await b.get('/console/api/apps')).json().apps;
    assert.deepEqual(list.map((a: { id: number; appKey: string; name: string; active: boolean }) => [a.id, a.appKey, a.name, a.active]), [[app.id, app.appKey, '生产', true]]);
    assert.ok(!JSON.stringify(list).includes(app.appSecret) && !JSON.stringify(list).includes(app.appCode), 'secrets are not listed');
    // shown once: there is no way to read the AppSecret again, only to reset it
    assert.equal((await b.get(`/console/api/apps/${app.id}/secret`)).statusCode, 404);
    const code = (await b.post(`/console/api/apps/${app.id}/reset-code`)).json();
    assert.notEqual(code.appCode, app.appCode);
    const secret = (await b.post(`/console/api/apps/${app.id}/reset-secret`)).json();
    assert.notEqual(secret.appSecret, app.appSecret);
    assert.ok(!JSON.stringify((await b.get('/console/api/apps')).json()).includes(secret.appSecret), 'nor after a reset');
    assert.equal((await b.post(`/console/api/apps/${app.id}/disable`)).statusCode, 200);
    assert.equal((await b.get('/console/api/apps')).json().apps[0].active, false);
    assert.equal((await b.post(`/console/api/apps/${app.id}/explode`)).statusCode, 400);
    assert.equal((await b.post('/console/api/apps', { name: '' })).statusCode, 400);
  } finally {
    await h.close();
  }
});

test('已购买的服务, 套餐包列表 (10 a page), 使用明细 per package and product, filtered by time', async () => {
  const h = await startHarness({ sessionTtlMinutes: 365 * 24 * 60 });
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('usage@example.com');
    await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 1_000_000, reason: 'test' });
    assert.deepEqual((await b.get('/console/api/services')).json().services, []);
    const ids = await buy(b, 2, 23); // 22元/100次 × 23
    assert.equal(ids.length, 23);
    // calls in three 10-minute windows: 3 + 2 + 1 billed, plus one unbilled failure
    const w = T0 + 5 * MIN;
    for (const at of [w, w + 1000, w + 2000, w + 10 * MIN, w + 10 * MIN + 5, w + 30 * MIN]) await call(h, buyerId, 7, at);
    await call(h, buyerId, 7, w + 30 * MIN + 9, '-4');
    h.clock.now = w + 40 * MIN;

    const services = (await b.get('/console/api/services')).json().services;
    assert.equal(services.length, 1);
    assert.deepEqual(
      { ...services[0], createdAt: 0 },
      { productCode: 'idcard-ocr', productName: '身份证实名认证OCR', apiPath: '/OcridCard', status: '已开通', paymentMode: '套餐包', createdAt: 0, used: 6, total: 2300 },
    );
    const page1 = (await b.get('/console/api/services/idcard-ocr/packages')).json();
    assert.deepEqual([page1.total, page1.page, page1.pageSize, page1.items.length], [23, 1, 10, 10]);
    assert.equal(page1.items[0].id, Math.max(...ids), 'newest first');
    assert.equal(page1.items[0].name, '使用次数套餐包');
    const page3 = (await b.get('/console/api/services/idcard-ocr/packages?page=3')).json();
    assert.equal(page3.items.length, 3);
    const usedPkg = [...page1.items, ...(await b.get('/console/api/services/idcard-ocr/packages?page=2')).json().items, ...page3.items]
      .find((p: { used: number }) => p.used > 0);
    assert.deepEqual([usedPkg.used, usedPkg.total, usedPkg.status], [6, 100, '正常']);
    assert.equal(usedPkg.validTo - usedPkg.validFrom, 730 * DAY);

    const detail = (await b.get(`/console/api/packages/${usedPkg.id}/usage`)).json();
    assert.equal(detail.total, 3);
    assert.deepEqual(detail.records.map((r: { calls: number; consumed: string; note: string }) => [r.calls, r.consumed, r.note]), [[1, '1次', '套餐包消耗'], [2, '2次', '套餐包消耗'], [3, '3次', '套餐包消耗']]);
    assert.equal(detail.records[2].processedAt, '2026-01-05 10:00:01 - 2026-01-05 10:10:01');
    const filtered = (await b.get(`/console/api/packages/${usedPkg.id}/usage?from=${w + 10 * MIN}&to=${w + 20 * MIN}`)).json();
    assert.deepEqual(filtered.records.map((r: { calls: number }) => r.calls), [2]);
    const byProduct = (await b.get('/console/api/services/idcard-ocr/usage?pageSize=2')).json();
    assert.deepEqual([byProduct.total, byProduct.records.length], [3, 2]);
    assert.equal((await b.get(`/console/api/packages/${usedPkg.id}/usage?from=10&to=5`)).statusCode, 400);
    assert.equal((await b.get(`/console/api/packages/${usedPkg.id}/usage?from=abc`)).statusCode, 400);
    assert.equal((await b.get('/console/api/services/../../admin/packages')).statusCode, 404);
    assert.equal((await b.get('/console/api/services/IDCARD;drop/packages')).statusCode, 400);

    // per-app and per-code breakdowns for a period
    const byCode = (await b.get(`/console/api/usage/breakdown?by=code&from=${T0}&to=${h.clock.now}`)).json().rows;
    assert.deepEqual(byCode, [{ key: '01', calls: 6, billed: 6 }, { key: '-4', calls: 1, billed: 0 }]);
    const byApp = (await b.get(`/console/api/usage/breakdown?by=app&from=${T0}&to=${h.clock.now}`)).json().rows;
    assert.deepEqual(byApp, [{ key: '7', calls: 7, billed: 6 }]);
    const none = (await b.get(`/console/api/usage/breakdown?by=app&from=${T0 - DAY}&to=${T0}`)).json().rows;
    assert.deepEqual(none, []);
    assert.equal((await b.get('/console/api/usage/breakdown?by=buyer&from=0&to=1')).statusCode, 400, 'buyers do not see others');

    // operators: usage across buyers
    const all = (await ops.get(`/admin/api/usage?by=buyer&from=${T0}&to=${h.clock.now}`)).json().rows;
    assert.deepEqual(all, [{ key: String(buyerId), calls: 7, billed: 6 }]);
  } finally {
    await h.close();
  }
});

test('导出明细: CSV and XLSX streams with the same records', async () => {
  const h = await startHarness();
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('export@example.com');
    await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 10_000, reason: 'test' });
    const [pkg] = await buy(b, 1);
    for (let i = 0; i < 25; i++) await call(h, buyerId, 1, T0 + i * 10 * MIN);
    const csv = await b.get(`/console/api/packages/${pkg}/usage.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /attachment; filename="usage-package-\d+\.csv"/);
    const lines = csv.body.replace(/^\ufeff/, '').trim().split('\r\n');
    assert.equal(lines[0], '流水编号,套餐包ID,处理时间,备注,消耗');
    assert.equal(lines.length, 26);
    assert.match(lines[1], new RegExp(`^\\d+,${pkg},2026-01-05 14:00:01 - 2026-01-05 14:10:01,套餐包消耗,1次$`));

    const xlsx = await b.get(`/console/api/services/idcard-ocr/usage.xlsx?from=${T0}&to=${T0 + 100 * MIN}`);
    assert.equal(xlsx.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('使用明细')!;
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), ['流水编号', '套餐包ID', '处理时间', '备注', '消耗']);
    assert.equal(sheet.rowCount, 1 + 10);
    assert.equal(sheet.getRow(2).getCell(5).value, '1次');

    // calls months apart: the export walks day by day and jumps the gaps
    for (const at of [T0 + 30 * DAY, T0 + 30 * DAY + 5, T0 + 400 * DAY]) await call(h, buyerId, 1, at);
    const gapped = (await b.get(`/console/api/services/idcard-ocr/usage.csv`)).body.replace(/^\ufeff/, '').trim().split('\r\n');
    assert.equal(gapped.length, 1 + 25 + 2);
    assert.match(gapped[1], /2027-02-09 10:00:01 - 2027-02-09 10:10:01,套餐包消耗,1次$/);
    assert.match(gapped[2], /2026-02-04 10:00:01 - 2026-02-04 10:10:01,套餐包消耗,2次$/);
    assert.match(gapped[27], /2026-01-05 10:00:01 - 2026-01-05 10:10:01,套餐包消耗,1次$/);
    const window = (await b.get(`/console/api/packages/${pkg}/usage.csv?from=${T0 + 20 * DAY}&to=${T0 + 31 * DAY}`)).body.trim().split('\r\n');
    assert.equal(window.length, 2);

    const empty = await b.get(`/console/api/packages/${pkg}/usage.csv?from=0&to=1`);
    assert.equal(empty.body.replace(/^\ufeff/, '').trim(), '流水编号,套餐包ID,处理时间,备注,消耗');
    assert.equal((await b.get('/console/api/packages/999999/usage.xlsx')).statusCode, 404);
  } finally {
    await h.close();
  }
});
