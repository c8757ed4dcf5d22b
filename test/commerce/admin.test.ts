import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/db.ts'; // runs on PostgreSQL too
import { startHarness, Browser, operatorBrowser } from './harness.ts';
import { listPackages } from '../../src/billing/index.ts';

test('operators edit the catalogue; every edit is audited; bad input is refused', async () => {
  const h = await startHarness();
  try {
    const ops = await operatorBrowser(h);
    const created = await ops.post('/admin/api/products', { code: 'idcard-batch', name: '批量核验', description: '批量', apiPath: '/idcard/batch' });
    assert.equal(created.statusCode, 201);
    const productId = created.json().id;
    assert.equal((await ops.post('/admin/api/products', { code: 'idcard-batch', name: 'dup', description: 'd', apiPath: '/x' })).statusCode, 409);
    for (const bad of [
      { code: 'Bad Code', name: 'n', description: 'd', apiPath: '/x' }, { code: 'ok', name: '', description: 'd', apiPath: '/x' },
      { code: 'ok', name: 'n', description: 'd', apiPath: 'http://evil' }, { code: 'ok', name: 'n', description: 'd' },
    ]) assert.equal((await ops.post('/admin/api/products', bad)).statusCode, 400, JSON.stringify(bad));
    const plan = await ops.post(`/admin/api/products/${productId}/plans`, { priceFen: 500, calls: 100, validDays: 365 });
    assert.equal(plan.statusCode, 201);
    for (const bad of [{ priceFen: -1, calls: 1, validDays: 1 }, { priceFen: 9.9, calls: 1, validDays: 1 }, { priceFen: 1, calls: 0, validDays: 1 }, { priceFen: 1, calls: 1, validDays: 0 }]) {
      assert.equal((await ops.post(`/admin/api/products/${productId}/plans`, bad)).statusCode, 400, JSON.stringify(bad));
    }
    assert.equal((await ops.post('/admin/api/products/9999/plans', { priceFen: 1, calls: 1, validDays: 1 })).statusCode, 404);
    assert.equal((await ops.patch('/admin/api/plans/9999', { priceFen: 1 })).statusCode, 404);
    assert.equal((await ops.patch(`/admin/api/plans/${plan.json().id}`, {})).statusCode, 400);
    assert.equal((await ops.patch(`/admin/api/products/${productId}`, { name: '批量核验（新）' })).statusCode, 200);
    // visible in the public catalogue until withdrawn
    const pub = async () => (await h.app.inject({ method: 'GET', url: '/console/api/products' })).json().products.map((p: { code: string }) => p.code);
    assert.ok((await pub()).includes('idcard-batch'));
    assert.equal((await ops.patch(`/admin/api/products/${productId}`, { active: false })).statusCode, 200);
    assert.ok(!(await pub()).includes('idcard-batch'));
    const all = (await ops.get('/admin/api/products')).json().products;
    assert.equal(all.find((p: { code: string }) => p.code === 'idcard-batch').active, false, 'operators still see it');
    const actions = (await ops.get('/admin/api/audit?pageSize=100')).json().items.map((a: { action: string }) => a.action);
    assert.deepEqual(actions, ['product.update', 'product.update', 'plan.create', 'product.create']);
  } finally {
    await h.close();
  }
});

test('operators: buyers (search, detail), grants by hand with reason, disable, orders across buyers, audit', async () => {
  const h = await startHarness();
  try {
    const ops = await operatorBrowser(h);
    const alice = new Browser(h.app);
    const { buyerId } = await alice.signUp('alice@corp.example', 'correct horse 1', '爱丽丝科技');
    const bob = new Browser(h.app);
    await bob.signUp('bob@example.com');
    const list = (await ops.get('/admin/api/buyers')).json();
    assert.equal(list.total, 2);
    const found = (await ops.get('/admin/api/buyers?search=' + encodeURIComponent('爱丽丝'))).json();
    assert.deepEqual(found.items.map((b: { email: string }) => b.email), ['alice@corp.example']);
    assert.equal((await ops.get('/admin/api/buyers?search=' + encodeURIComponent('%'))).json().total, 0, 'LIKE wildcards are literal');
    assert.equal((await ops.get('/admin/api/buyers?search=' + encodeURIComponent('bob@example'))).json().total, 1);
    assert.equal((await ops.get('/admin/api/buyers?search=' + encodeURIComponent("x' or '1'='1"))).json().total, 0);
    assert.equal((await ops.get('/admin/api/buyers/99999')).statusCode, 404);

    // a package by hand
    assert.equal((await ops.post(`/admin/api/buyers/${buyerId}/grants`, { product: 'idcard-ocr', calls: 50 })).statusCode, 400, 'reason required');
    assert.equal((await ops.post(`/admin/api/buyers/${buyerId}/grants`, { product: 'nope', calls: 50, reason: 'x' })).statusCode, 400);
    assert.equal((await ops.post(`/admin/api/buyers/${buyerId}/grants`, { product: 'idcard-ocr', calls: 0, reason: 'x' })).statusCode, 400);
    assert.equal((await ops.post('/admin/api/buyers/99999/grants', { product: 'idcard-ocr', calls: 5, reason: 'x' })).statusCode, 404);
    const grant = await ops.post(`/admin/api/buyers/${buyerId}/grants`, { product: 'idcard-verify', calls: 500, days: 30, reason: '试点补偿' });
    assert.equal(grant.statusCode, 201, grant.body);
    const pk = await listPackages(h.tdb.store.db, { buyerId, now: h.clock.now });
    assert.deepEqual(pk.map((p) => [p.product, p.total, p.source]), [['idcard-verify', 500, 'admin']]);
    const detail = (await ops.get(`/admin/api/buyers/${buyerId}`)).json().buyer;
    assert.deepEqual([detail.email, detail.packages.length, detail.balanceFen], ['alice@corp.example', 1, 0]);
    assert.deepEqual((await alice.get('/console/api/services')).json().services.map((s: { productCode: string; total: number }) => [s.productCode, s.total]), [['idcard-verify', 500]]);

    // orders across buyers, filterable
    const plans = (await bob.get('/console/api/products')).json().products[0].plans;
    await bob.post('/console/api/orders', { planId: plans[1].id });
    await alice.post('/console/api/orders', { planId: plans[2].id });
    assert.equal((await ops.get('/admin/api/orders')).json().total, 2);
    assert.equal((await ops.get(`/admin/api/orders?buyerId=${buyerId}`)).json().items[0].buyerId, buyerId);

    // disabling ends the buyer's sessions and refuses logins
    assert.equal((await ops.post(`/admin/api/buyers/${buyerId}/disable`)).statusCode, 200);
    assert.equal((await alice.get('/console/api/me')).statusCode, 401);
    assert.equal((await alice.logIn('alice@corp.example', 'correct horse 1')).statusCode, 401);
    assert.equal((await ops.post(`/admin/api/buyers/${buyerId}/enable`)).statusCode, 200);
    assert.equal((await alice.logIn('alice@corp.example', 'correct horse 1')).statusCode, 200);

    const audit = (await ops.get('/admin/api/audit')).json().items;
    assert.deepEqual(audit.map((a: { action: string }) => a.action), ['buyer.enable', 'buyer.disable', 'package.grant']);
    assert.equal(audit[2].detail.reason, '试点补偿');
    assert.equal(audit[2].operatorEmail, 'ops@example.com');
    // CSRF holds on the admin API too
    assert.equal((await ops.request('POST', `/admin/api/buyers/${buyerId}/disable`, undefined, { 'x-csrf-token': 'forged-token-forged-token' })).statusCode, 403);
    assert.equal((await ops.get('/admin/api/nowhere')).statusCode, 404);
    assert.equal((await ops.get('/admin/api/audit?page=0')).statusCode, 400);
    assert.equal((await ops.get('/admin/api/usage?from=1')).statusCode, 400);
  } finally {
    await h.close();
  }
});
