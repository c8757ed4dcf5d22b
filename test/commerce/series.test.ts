// GET /console/api/usage/series and GET /admin/api/usage/series: calls per China local hour/day
// and result code, from the usage ledger, only the caller's own, with strict parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/db.ts'; // runs on PostgreSQL too
import { startHarness, Browser, operatorBrowser, type Harness } from './harness.ts';
import { reserve, settle } from '../../src/billing/index.ts';

const DAY = 24 * 3600_000;

async function call(h: Harness, buyerId: number, appId: number, at: number, code: string, product = 'idcard-ocr') {
  const r = await reserve(h.tdb.store.db, { buyerId, appId, product, requestId: `s${at}-${Math.random()}`, now: at });
  assert.ok(r.ok, 'a call was taken');
  await settle(h.tdb.store.db, r.hold, { resultCode: code, latencyMs: 10, node: 't', now: at });
}

async function buyer(h: Harness, ops: Browser, email: string) {
  const b = new Browser(h.app);
  const { buyerId } = await b.signUp(email);
  await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 100_000, reason: 'test' });
  const plans = (await b.get('/console/api/products')).json().products[0].plans;
  const order = (await b.post('/console/api/orders', { planId: plans[2].id })).json().order;
  assert.equal((await b.post(`/console/api/orders/${order.id}/pay`)).statusCode, 200);
  const app1 = (await b.post('/console/api/apps', { name: '生产' })).json().app.id as number;
  const app2 = (await b.post('/console/api/apps', { name: '测试' })).json().app.id as number;
  return { b, buyerId, app1, app2 };
}

type Point = { t: number; code: string; calls: number; billed: number };
const pts = (body: { points: Point[] }) => body.points.map((p) => [p.t, p.code, p.calls, p.billed]);

test('usage series: China hours and days by result code, per app, only the caller\'s own', async () => {
  const h = await startHarness({ sessionTtlMinutes: 365 * 24 * 60 });
  try {
    const ops = await operatorBrowser(h);
    const a = await buyer(h, ops, 'series-a@example.com');
    const m = await buyer(h, ops, 'series-m@example.com');
    // China time (UTC+8): 2026-01-05 10:05, 10:25 (two), 11:40; 23:50 and 2026-01-06 00:10
    const at = (d: number, hh: number, mm: number) => Date.UTC(2026, 0, d, hh - 8, mm);
    await call(h, a.buyerId, a.app1, at(5, 10, 5), '01');
    await call(h, a.buyerId, a.app1, at(5, 10, 25), '01');
    await call(h, a.buyerId, a.app2, at(5, 10, 25), '-4'); // not billed
    await call(h, a.buyerId, a.app2, at(5, 11, 40), '02');
    await call(h, a.buyerId, a.app1, at(5, 23, 50), '01');
    await call(h, a.buyerId, a.app1, at(6, 0, 10), '01');
    await call(h, m.buyerId, m.app1, at(5, 10, 30), '01'); // the other buyer's
    h.clock.now = at(6, 0, 30);

    const from = at(5, 0, 0);
    const to = at(7, 0, 0);
    const hourly = await a.b.get(`/console/api/usage/series?bucket=hour&from=${from}&to=${to}`);
    assert.equal(hourly.statusCode, 200, hourly.body);
    const body = hourly.json();
    assert.equal(body.bucket, 'hour');
    assert.deepEqual([body.from, body.to], [from, to]);
    assert.deepEqual(pts(body), [
      [Date.UTC(2026, 0, 5, 2), '-4', 1, 0],
      [Date.UTC(2026, 0, 5, 2), '01', 2, 2],
      [Date.UTC(2026, 0, 5, 3), '02', 1, 1],
      [Date.UTC(2026, 0, 5, 15), '01', 1, 1],
      [Date.UTC(2026, 0, 5, 16), '01', 1, 1],
    ]);
    assert.deepEqual(body.codes, ['-4', '01', '02']);
    assert.deepEqual(body.apps, [{ id: a.app1, name: '生产' }, { id: a.app2, name: '测试' }]);

    // days start at China midnight: 23:50 and 00:10 fall on two days
    const daily = (await a.b.get(`/console/api/usage/series?bucket=day&from=${from}&to=${to}`)).json();
    assert.deepEqual(pts(daily), [
      [Date.UTC(2026, 0, 4, 16), '-4', 1, 0],
      [Date.UTC(2026, 0, 4, 16), '01', 3, 3],
      [Date.UTC(2026, 0, 4, 16), '02', 1, 1],
      [Date.UTC(2026, 0, 5, 16), '01', 1, 1],
    ]);

    // one app, one product, a window that cuts buckets (to is exclusive)
    const app2 = (await a.b.get(`/console/api/usage/series?bucket=day&from=${from}&to=${to}&appId=${a.app2}`)).json();
    assert.deepEqual(pts(app2), [[Date.UTC(2026, 0, 4, 16), '-4', 1, 0], [Date.UTC(2026, 0, 4, 16), '02', 1, 1]]);
    const verify = (await a.b.get(`/console/api/usage/series?bucket=day&from=${from}&to=${to}&product=idcard-verify`)).json();
    assert.deepEqual(verify.points, []);
    assert.deepEqual(verify.codes, []);
    const cut = (await a.b.get(`/console/api/usage/series?from=${at(5, 10, 25)}&to=${at(5, 23, 50)}`)).json();
    assert.deepEqual(pts(cut), [[Date.UTC(2026, 0, 5, 2), '-4', 1, 0], [Date.UTC(2026, 0, 5, 2), '01', 1, 1], [Date.UTC(2026, 0, 5, 3), '02', 1, 1]]);

    // defaults: the last 24 whole China hours (hour) or 30 days (day), the current one included
    h.clock.now = at(6, 10, 10);
    const dflt = (await a.b.get('/console/api/usage/series')).json();
    assert.deepEqual([dflt.bucket, dflt.from, dflt.to], ['hour', at(5, 11, 0), at(6, 11, 0)]);
    assert.equal(dflt.points.reduce((s: number, p: Point) => s + p.calls, 0), 3, 'from 11:00 yesterday: the 10:xx calls are left out');
    const dDay = (await a.b.get('/console/api/usage/series?bucket=day')).json();
    assert.deepEqual([dDay.from, dDay.to], [Date.UTC(2026, 0, 5, 16) - 29 * DAY, Date.UTC(2026, 0, 6, 16)]);
    assert.equal(dDay.points.reduce((s: number, p: Point) => s + p.calls, 0), 6);

    // the other buyer sees only its own call, and A's app is "not found"
    assert.deepEqual(pts((await m.b.get(`/console/api/usage/series?from=${from}&to=${to}`)).json()), [[Date.UTC(2026, 0, 5, 2), '01', 1, 1]]);
    const foreign = await m.b.get(`/console/api/usage/series?from=${from}&to=${to}&appId=${a.app1}`);
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().error.code, 'not_found');

    // operators: across buyers, or one buyer with its apps
    const all = (await ops.get(`/admin/api/usage/series?bucket=day&from=${from}&to=${to}`)).json();
    assert.deepEqual(pts(all)[1], [Date.UTC(2026, 0, 4, 16), '01', 4, 4]);
    assert.deepEqual(all.apps, []);
    const one = (await ops.get(`/admin/api/usage/series?bucket=day&from=${from}&to=${to}&buyerId=${m.buyerId}`)).json();
    assert.deepEqual(pts(one), [[Date.UTC(2026, 0, 4, 16), '01', 1, 1]]);
    assert.deepEqual(one.apps.map((x: { id: number }) => x.id), [m.app1, m.app2]);
    assert.equal((await ops.get(`/admin/api/usage/series?buyerId=999999`)).statusCode, 404);
    assert.equal((await a.b.get('/admin/api/usage/series')).statusCode, 403, 'buyers are not operators');
  } finally {
    await h.close();
  }
});

test('usage series refuses bad, oversized and hostile parameters with 400', async () => {
  const h = await startHarness();
  try {
    const ops = await operatorBrowser(h);
    const a = await buyer(h, ops, 'series-bad@example.com');
    const t = h.clock.now;
    const refused: Array<[string, string?]> = [
      ['bucket=week'],
      ['bucket=hour&from=abc'],
      ['from=-5'],
      ['from=1e30'],
      ['from=1.5'],
      [`from=${t}&to=${t - 1}`, 'invalid_range'],
      [`bucket=hour&from=${t - 31 * 86_400_000 - 1}&to=${t}`, 'range_too_long'],
      [`bucket=day&from=${t - 367 * 86_400_000}&to=${t}`, 'range_too_long'],
      ['bucket=hour&from=0', 'range_too_long'],
      ['appId=0'],
      ['appId=1%3Bdrop%20table%20usage_ledger'],
      ['appId=99999999999999999999'],
      ['product=idcard-ocr%27--'],
      ['product=other'],
      ['buyerId=1'],
      ['bucket=hour&bucket=day'],
    ];
    for (const [query, code] of refused) {
      const res = await a.b.get(`/console/api/usage/series?${query}`);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      if (code) assert.equal(res.json().error.code, code, query);
      assert.ok(res.json().error.message.length > 5, 'a message says what is wrong');
    }
    const tooLong = (await a.b.get(`/console/api/usage/series?bucket=hour&from=${t - 40 * 86_400_000}&to=${t}`)).json();
    assert.match(tooLong.error.message, /31 days/);
    // the limits themselves are allowed
    assert.equal((await a.b.get(`/console/api/usage/series?bucket=hour&from=${t - 31 * 86_400_000}&to=${t}`)).statusCode, 200);
    assert.equal((await a.b.get(`/console/api/usage/series?bucket=day&from=${t - 366 * 86_400_000}&to=${t}`)).statusCode, 200);
    assert.equal((await ops.get('/admin/api/usage/series?buyerId=abc')).statusCode, 400);
    assert.equal((await ops.get(`/admin/api/usage/series?bucket=day&from=${t - 400 * 86_400_000}&to=${t}`)).statusCode, 400);
  } finally {
    await h.close();
  }
});
