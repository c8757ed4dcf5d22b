// AppCode authentication, quota refusals, resets and idempotent retries, through HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { buildMeteredApp } from './support/metered-server.ts';
import { createBuyer, grantPackage, auditLedger, listPackages } from '../../src/billing/index.ts';
import { createApp, resetAppCode, setAppActive } from '../../src/gateway/index.ts';

const secretKey = crypto.randomBytes(32).toString('hex');
let tdb: TestDatabase;
let app: FastifyInstance;
let base: string;

before(async () => {
  tdb = await createTestDatabase();
  app = await buildMeteredApp({ store: tdb.store, gateway: { secretKey }, sweepIntervalMs: 0 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
after(async () => {
  await app.close();
  await tdb.close();
});

async function call(path: string, init: { code?: string; authorization?: string; body?: unknown; headers?: Record<string, string>; method?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.authorization !== undefined) headers.authorization = init.authorization;
  else if (init.code !== undefined) headers.authorization = `APPCODE ${init.code}`;
  const res = await fetch(base + path, { method: init.method ?? 'POST', headers, body: init.method === 'GET' ? undefined : JSON.stringify(init.body ?? {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

function assertRefused(r: Awaited<ReturnType<typeof call>>, status: number, message: string, code: string) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('x-ca-error-message'), message);
  assert.equal(r.headers.get('x-ca-error-code'), code);
  assert.match(r.headers.get('x-ca-request-id') ?? '', /^[0-9A-F-]{36}$/);
  assert.equal(r.json.errorMessage, message);
  assert.equal(r.json.requestId, r.headers.get('x-ca-request-id'));
}

async function newBuyerWithApp(calls: number, product: 'idcard-verify' | 'idcard-ocr' = 'idcard-verify', days = 30, now = Date.now()) {
  const buyer = await createBuyer(tdb.store.db, { name: 'buyer' });
  const created = await createApp(tdb.store.db, { secretKey }, { buyerId: buyer.id });
  const pkg = calls > 0 ? await grantPackage(tdb.store.db, { buyerId: buyer.id, product, calls, days, now }) : undefined;
  return { buyer, app: created, pkg };
}

test('no credentials, a bad AppCode, an unknown path', async () => {
  assertRefused(await call('/idcard/verify'), 401, 'Empty Signature', 'EmptySignature');
  assertRefused(await call('/idcard/verify', { authorization: 'Bearer abc' }), 401, 'Empty Signature', 'EmptySignature');
  assertRefused(await call('/idcard/verify', { code: 'f'.repeat(32) }), 400, 'Invalid AppCode `not exists`', 'InvalidAppCode');
  assertRefused(await call('/idcard/verify', { authorization: 'APPCODE' }), 400, 'Invalid AppCode `not exists`', 'InvalidAppCode');
  assertRefused(await call('/idcard/verify', { authorization: 'APPCODE a b' }), 400, 'Invalid AppCode `not exists`', 'InvalidAppCode');
  assertRefused(await call('/nowhere', { code: 'x' }), 400, 'Invalid Url', 'InvalidUrl');
  const free = await fetch(base + '/free');
  assert.equal(free.status, 200);
  assert.match(free.headers.get('x-ca-request-id') ?? '', /^[0-9A-F-]{36}$/);
});

test('billable codes are charged, others are not, then Quota Exhausted', async () => {
  const { app: a, pkg } = await newBuyerWithApp(2);
  const ok = await call('/idcard/verify', { authorization: `  appcode   ${a.appCode}  `, body: { result: '01' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.code, '01');
  assert.deepEqual(ok.json.caller, { buyerId: a.buyerId, appId: a.id, requestId: ok.headers.get('x-ca-request-id') });
  const failed = await call('/idcard/verify', { code: a.appCode, body: { result: '-4' } });
  assert.equal(failed.json.code, '-4');
  const crashed = await call('/idcard/verify', { code: a.appCode, body: { result: 'crash' } });
  assert.equal(crashed.status, 500);
  const second = await call('/idcard/verify', { code: a.appCode, body: { result: '02' } });
  assert.equal(second.json.code, '02');
  assertRefused(await call('/idcard/verify', { code: a.appCode }), 403, 'Quota Exhausted', 'QuotaExhausted');
  // the other product has no package at all
  assertRefused(await call('/OcridCard', { code: a.appCode }), 403, 'Quota Exhausted', 'QuotaExhausted');
  const [p] = await listPackages(tdb.store.db, { buyerId: a.buyerId, now: Date.now() });
  assert.equal(p.id, pkg!.id);
  assert.equal(p.used, 2);
  assert.equal(p.held, 0);
  assert.equal(p.status, '已用完');
  const rows = await tdb.store.db.selectFrom('usage_ledger').selectAll().where('app_id', '=', a.id).orderBy('id').execute();
  assert.deepEqual(rows.map((r) => [r.result_code, Number(r.billed)]), [['01', 1], ['-4', 0], [null, 0], ['02', 1]]);
  assert.ok((await auditLedger(tdb.store.db)).ok);
});

test('only expired packages: Quota Expired', async () => {
  const { app: a } = await newBuyerWithApp(5, 'idcard-ocr', 1, Date.now() - 2 * 24 * 3600_000);
  assertRefused(await call('/OcridCard', { code: a.appCode }), 403, 'Quota Expired', 'QuotaExpired');
});

test('a reset AppCode is refused at once; a disabled app is Unauthorized', async () => {
  const { app: a } = await newBuyerWithApp(10);
  assert.equal((await call('/idcard/verify', { code: a.appCode })).status, 200); // now cached
  const { appCode } = await resetAppCode(tdb.store.db, a.id);
  assertRefused(await call('/idcard/verify', { code: a.appCode }), 400, 'Invalid AppCode `not exists`', 'InvalidAppCode');
  assert.equal((await call('/idcard/verify', { code: appCode })).status, 200);
  await setAppActive(tdb.store.db, a.id, false);
  assertRefused(await call('/idcard/verify', { code: appCode }), 403, 'Unauthorized', 'Unauthorized');
  await setAppActive(tdb.store.db, a.id, true);
  assert.equal((await call('/idcard/verify', { code: appCode })).status, 200);
  assert.ok((await auditLedger(tdb.store.db)).ok);
});

test('a retry with the same Idempotency-Key or X-Ca-Nonce is never charged twice', async () => {
  const { app: a, pkg } = await newBuyerWithApp(10);
  const used = async () => (await listPackages(tdb.store.db, { buyerId: a.buyerId, now: Date.now() })).find((p) => p.id === pkg!.id)!.used;
  const key = crypto.randomUUID();
  const first = await call('/idcard/verify', { code: a.appCode, body: { result: '01' }, headers: { 'idempotency-key': key } });
  assert.equal(first.status, 200);
  const retry = await call('/idcard/verify', { code: a.appCode, body: { result: '01' }, headers: { 'idempotency-key': key } });
  assert.equal(retry.status, 200);
  assert.equal(retry.json.code, '01');
  assert.equal(await used(), 1);
  assertRefused(await call('/idcard/verify', { code: a.appCode, body: { result: '02' }, headers: { 'idempotency-key': key } }), 422, 'Idempotency Key Reused', 'IdempotencyKeyReused');
  // concurrent duplicates: one runs, the other is told it is in progress
  const key2 = crypto.randomUUID();
  const [x, y] = await Promise.all([0, 1].map(() => call('/idcard/verify', { code: a.appCode, body: { result: '01', sleepMs: 200 }, headers: { 'idempotency-key': key2 } })));
  assert.deepEqual([x.status, y.status].sort(), [200, 409]);
  assert.equal(await used(), 2);
  // an AppCode caller's X-Ca-Nonce works the same way
  const nonce = crypto.randomUUID();
  for (let i = 0; i < 3; i++) assert.equal((await call('/idcard/verify', { code: a.appCode, body: { result: '01' }, headers: { 'x-ca-nonce': nonce } })).status, 200);
  assert.equal(await used(), 3);
  // an unbilled first attempt does not make the retry free: it is charged once, when it succeeds
  const key3 = crypto.randomUUID();
  assert.equal((await call('/idcard/verify', { code: a.appCode, body: { result: '-4' }, headers: { 'idempotency-key': key3 } })).json.code, '-4');
  assert.equal(await used(), 3);
  assert.equal((await call('/idcard/verify', { code: a.appCode, body: { result: '-4' }, headers: { 'idempotency-key': key3 } })).json.code, '-4');
  assert.equal(await used(), 3);
  const audit = await auditLedger(tdb.store.db);
  assert.ok(audit.ok, JSON.stringify(audit.mismatches));
});

test('with production logging (the benchmark server) every metered call leaves one access line, without its AppCode', async () => {
  const lines: string[] = [];
  const destination = { write: (line: string) => { lines.push(line); } };
  const logged = await buildMeteredApp({ store: tdb.store, gateway: { secretKey }, sweepIntervalMs: 0 }, { accessLog: true, logDestination: destination });
  try {
    await logged.listen({ host: '127.0.0.1', port: 0 });
    const buyer = await createBuyer(tdb.store.db, { name: 'logged' });
    const created = await createApp(tdb.store.db, { secretKey }, { buyerId: buyer.id });
    await grantPackage(tdb.store.db, { buyerId: buyer.id, product: 'idcard-verify', calls: 5, days: 1, now: Date.now() });
    const res = await fetch(`http://127.0.0.1:${(logged.server.address() as { port: number }).port}/idcard/verify`, {
      method: 'POST', headers: { authorization: `APPCODE ${created.appCode}`, 'content-type': 'application/json' }, body: '{"result":"01"}',
    });
    assert.equal(res.status, 200);
    await res.text();
    await new Promise((r) => setTimeout(r, 20));
    const answered = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'answered');
    assert.equal(answered.length, 1, lines.join(''));
    assert.equal(answered[0].route, '/idcard/verify');
    assert.equal(answered[0].code, '01');
    assert.equal(answered[0].level, 30);
    assert.ok(!lines.join('').includes(created.appCode));
  } finally {
    await logged.close();
  }
});

test('renewal checks after billed calls run one at a time per buyer and product, the last after the last call', async () => {
  const checks: Array<{ buyerId: number; product: string; now: number }> = [];
  let running = 0;
  let most = 0;
  const checked = await buildMeteredApp({
    store: tdb.store, gateway: { secretKey }, sweepIntervalMs: 0,
    afterBilled: async (call) => {
      running++;
      most = Math.max(most, running);
      checks.push(call);
      await new Promise((r) => setTimeout(r, 30));
      running--;
    },
  });
  try {
    await checked.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(checked.server.address() as { port: number }).port}/idcard/verify`;
    const buyer = await createBuyer(tdb.store.db, { name: 'renewals' });
    const created = await createApp(tdb.store.db, { secretKey }, { buyerId: buyer.id });
    await grantPackage(tdb.store.db, { buyerId: buyer.id, product: 'idcard-verify', calls: 100, days: 1, now: Date.now() });
    const post = (result: string) => fetch(url, {
      method: 'POST', headers: { authorization: `APPCODE ${created.appCode}`, 'content-type': 'application/json' }, body: JSON.stringify({ result }),
    }).then((r) => r.text());
    await Promise.all(Array.from({ length: 30 }, () => post('01')));
    const lastBilled = Date.now();
    for (let i = 0; i < 100 && (checks.length < 2 || running > 0); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(most, 1, 'never two checks at once');
    assert.ok(checks.length >= 2 && checks.length <= 4, `30 billed calls, ${checks.length} checks`);
    assert.ok(checks.at(-1)!.now >= lastBilled - 5, 'a check ran after the last billed call');
    assert.ok(checks.every((c) => c.buyerId === buyer.id && c.product === 'idcard-verify'));
    // an unbilled answer starts no check; a later billed call does, at once
    const before = checks.length;
    await post('-4');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(checks.length, before);
    await post('01');
    for (let i = 0; i < 20 && checks.length === before; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(checks.length, before + 1);
  } finally {
    await checked.close();
  }
});
