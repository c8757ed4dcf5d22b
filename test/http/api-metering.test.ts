// The public routes behind the gateway's metering, on SQLite and PostgreSQL: the AppCode is
// checked before the route runs, and the route's result code decides what is charged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startHarness, type Harness } from './harness.ts';
import { form, pngOf } from './images.ts';
import { registerMetering } from '../../src/http/metering.ts';
import { createBuyer, grantPackage, remainingCalls } from '../../src/billing/index.ts';
import { createApp } from '../../src/gateway/index.ts';
import { registerIdentity } from '../../src/verification/index.ts';

const SECRET_KEY = 'ab'.repeat(32);
let tdb: TestDatabase;
let h: Harness;
let appCode: string;
let buyerId: number;

before(async () => {
  tdb = await createTestDatabase();
  h = await startHarness({
    store: tdb.store,
    metering: (app) => registerMetering(app, { store: tdb.store, gateway: { secretKey: SECRET_KEY }, sweepIntervalMs: 0 }),
  }, { SHIMING_SECRET_KEY: SECRET_KEY });
  buyerId = (await createBuyer(tdb.store.db, { name: 'metered buyer' })).id;
  appCode = (await createApp(tdb.store.db, h.config.gateway, { buyerId })).appCode;
  for (const product of ['idcard-ocr', 'idcard-verify'] as const) await grantPackage(tdb.store.db, { buyerId, product, calls: 5, now: Date.now() });
  await registerIdentity(tdb.store, h.config, { name: '张三', idNumber: '522229198509112018' });
});
after(async () => {
  await h.app.close();
  await tdb.close();
});

const left = (product: string) => remainingCalls(tdb.store.db, { buyerId, product, now: Date.now() });

test('no credentials: 401 Empty Signature; unknown AppCode: 400; nothing charged', async () => {
  const none = await h.app.inject({ method: 'POST', url: '/idcard/verify', ...form({ name: '张三', idCard: '522229198509112018' }) });
  assert.equal(none.statusCode, 401);
  assert.equal(none.headers['x-ca-error-message'], 'Empty Signature');
  const wrong = await h.app.inject({ method: 'POST', url: '/idcard/verify', ...form({ name: '张三', idCard: '522229198509112018' }), headers: { ...form({}).headers, authorization: 'APPCODE 0123456789abcdef0123' } });
  assert.equal(wrong.statusCode, 400);
  assert.equal(wrong.headers['x-ca-error-message'], 'Invalid AppCode `not exists`');
  assert.equal(await left('idcard-verify'), 5);
});

test('01 is charged, 204 is not; /OcridCard -1 is not charged', async () => {
  const headers = { ...form({}).headers, authorization: `APPCODE ${appCode}` };
  const pass = await h.app.inject({ method: 'POST', url: '/idcard/verify', payload: form({ name: '张三', idCard: '522229198509112018' }).payload, headers });
  assert.equal(pass.statusCode, 200);
  assert.equal(pass.json().code, '01');
  assert.equal(pass.json().requestId, pass.headers['x-ca-request-id']);
  assert.equal(await left('idcard-verify'), 4);

  const badName = await h.app.inject({ method: 'POST', url: '/idcard/verify', payload: form({ name: 'x', idCard: '522229198509112018' }).payload, headers });
  assert.equal(badName.json().code, '204');
  assert.equal(await left('idcard-verify'), 4);

  const empty = await h.app.inject({ method: 'POST', url: '/OcridCard', payload: form({ image: '' }).payload, headers });
  assert.equal(empty.json().code, '-1');
  const image = await h.app.inject({ method: 'POST', url: '/OcridCard', payload: form({ image: (await pngOf(100, 80)).toString('base64') }).payload, headers });
  assert.equal(image.json().code, '-4');
  assert.equal(await left('idcard-ocr'), 5);
});
