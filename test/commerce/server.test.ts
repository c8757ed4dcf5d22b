// The console and admin APIs as mounted by the real server (src/http/server.ts), with the
// operator the config creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../http/harness.ts';
import { Browser } from './harness.ts';

test('the server mounts /console/api and /admin/api; the config creates the first operator', async () => {
  const h = await startHarness({}, { SHIMING_OPERATOR_EMAIL: 'root@example.com', SHIMING_OPERATOR_PASSWORD: 'root password 1', SHIMING_COOKIE_SECURE: 'false' });
  try {
    const products = await h.app.inject({ method: 'GET', url: '/console/api/products' });
    assert.equal(products.statusCode, 200);
    assert.equal(products.json().products[0].code, 'idcard-ocr');
    const op = new Browser(h.app);
    assert.equal((await op.logIn('root@example.com', 'root password 1', '/admin/api')).statusCode, 200);
    assert.doesNotMatch(op.lastSetCookie.join(';'), /Secure/, 'SHIMING_COOKIE_SECURE=false for plain-HTTP development');
    const buyer = new Browser(h.app);
    await buyer.signUp('someone@example.com');
    const found = (await op.get('/admin/api/buyers')).json();
    assert.equal(found.items[0].email, 'someone@example.com');
    // the console keeps its JSON errors; the public API keeps the gateway's
    const missing = await h.app.inject({ method: 'GET', url: '/console/api/nope' });
    assert.deepEqual([missing.statusCode, missing.json().error.code], [404, 'not_found']);
    const bad = await h.app.inject({ method: 'POST', url: '/console/api/login', payload: '[[[[', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'invalid_request');
  } finally {
    await h.close();
  }
});
