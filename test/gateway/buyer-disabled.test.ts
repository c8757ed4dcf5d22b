// A disabled buyer is refused at the gateway, on every node at once: two servers with their own
// app caches (long TTL) on one database; the operator's setBuyerDisabled disables the buyer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, testDialect } from '../support/db.ts';
import { buildMeteredApp } from './support/metered-server.ts';
import { createBuyer, grantPackage, auditLedger, listPackages } from '../../src/billing/index.ts';
import { createApp, setBuyerActive } from '../../src/gateway/index.ts';
import { setBuyerDisabled } from '../../src/commerce/operators.ts';

const secretKey = crypto.randomBytes(32).toString('hex');
const hmac = (secret: string, s: string) => crypto.createHmac('sha256', secret).update(s, 'utf8').digest('base64');
const md5 = (s: string) => crypto.createHash('md5').update(s, 'utf8').digest('base64');

test('a disabled buyer: AppCode and signed calls refused 403 Unauthorized on both nodes, nothing charged; enabled again, both work', async () => {
  const tdb = await createTestDatabase();
  const other = testDialect === 'postgres' ? tdb.openAnother() : tdb.store;
  const servers: FastifyInstance[] = [];
  try {
    const db = tdb.store.db;
    for (const store of [tdb.store, other]) {
      const s = await buildMeteredApp({ store, gateway: { secretKey, appCacheTtlMs: 3600_000 }, sweepIntervalMs: 0 });
      await s.listen({ host: '127.0.0.1', port: 0 });
      servers.push(s);
    }
    const bases = servers.map((s) => `http://127.0.0.1:${(s.server.address() as { port: number }).port}`);
    const buyer = await createBuyer(db, { name: 'to-disable' });
    const bystander = await createBuyer(db, { name: 'bystander' });
    const app = await createApp(db, { secretKey }, { buyerId: buyer.id });
    const app2 = await createApp(db, { secretKey }, { buyerId: buyer.id });
    const otherApp = await createApp(db, { secretKey }, { buyerId: bystander.id });
    for (const b of [buyer, bystander]) await grantPackage(db, { buyerId: b.id, product: 'idcard-verify', calls: 100, days: 1, now: Date.now() });
    // An account for the buyer, as the console creates it, so the operator action applies.
    await db.insertInto('accounts').values({
      email: `d${crypto.randomBytes(4).toString('hex')}@example.com`, password_hash: 'x', role: 'buyer', buyer_id: buyer.id,
      name: 'to-disable', disabled: 0, created_at: Date.now(),
    }).execute();

    const byCode = async (base: string, code: string) => {
      const r = await fetch(`${base}/idcard/verify`, { method: 'POST', headers: { authorization: `APPCODE ${code}`, 'content-type': 'application/json' }, body: '{"result":"01"}' });
      await r.text();
      return { status: r.status, message: r.headers.get('x-ca-error-message'), code: r.headers.get('x-ca-error-code'), requestId: r.headers.get('x-ca-request-id') };
    };
    const signed = async (base: string) => {
      const body = '{"result":"01"}';
      const h: Record<string, string> = {
        accept: 'application/json', 'content-type': 'application/json', 'content-md5': md5(body),
        'x-ca-key': app.appKey, 'x-ca-timestamp': String(Date.now()), 'x-ca-nonce': crypto.randomUUID(),
        'x-ca-signature-headers': 'x-ca-key,x-ca-nonce,x-ca-timestamp',
      };
      const sts = `POST\napplication/json\n${h['content-md5']}\napplication/json\n\nx-ca-key:${h['x-ca-key']}\nx-ca-nonce:${h['x-ca-nonce']}\nx-ca-timestamp:${h['x-ca-timestamp']}\n/idcard/verify`;
      h['x-ca-signature'] = hmac(app.appSecret, sts);
      const r = await fetch(`${base}/idcard/verify`, { method: 'POST', headers: h, body });
      await r.text();
      return { status: r.status, message: r.headers.get('x-ca-error-message'), code: r.headers.get('x-ca-error-code'), requestId: r.headers.get('x-ca-request-id') };
    };
    const used = async () => (await listPackages(db, { buyerId: buyer.id, product: 'idcard-verify', now: Date.now() }))[0].used;

    // Both nodes have the apps cached.
    for (const base of bases) {
      assert.equal((await byCode(base, app.appCode)).status, 200);
      assert.equal((await byCode(base, app2.appCode)).status, 200);
      assert.equal((await signed(base)).status, 200);
    }
    assert.equal(await used(), 6);

    await setBuyerDisabled(db, { buyerId: buyer.id, disabled: true, operatorId: 0, now: Date.now() });
    for (const base of bases) {
      for (const r of [await byCode(base, app.appCode), await byCode(base, app2.appCode), await signed(base)]) {
        assert.deepEqual([r.status, r.message, r.code], [403, 'Unauthorized', 'Unauthorized']);
        assert.match(r.requestId ?? '', /^[0-9A-F-]{36}$/);
      }
      // another buyer is not affected
      assert.equal((await byCode(base, otherApp.appCode)).status, 200);
    }
    assert.equal(await used(), 6, 'refused calls are not charged');
    // An app created while disabled is refused too.
    const late = await createApp(db, { secretKey }, { buyerId: buyer.id });
    assert.equal((await byCode(bases[1], late.appCode)).status, 403);

    await setBuyerDisabled(db, { buyerId: buyer.id, disabled: false, operatorId: 0, now: Date.now() });
    for (const base of bases) {
      assert.equal((await byCode(base, app.appCode)).status, 200);
      assert.equal((await signed(base)).status, 200);
    }
    assert.equal((await byCode(bases[1], late.appCode)).status, 200);
    assert.equal(await used(), 11);

    // setBuyerActive on its own does the same.
    await setBuyerActive(db, buyer.id, false);
    assert.equal((await byCode(bases[0], app.appCode)).status, 403);
    await setBuyerActive(db, buyer.id, true);
    assert.equal((await byCode(bases[0], app.appCode)).status, 200);
    await assert.rejects(setBuyerActive(db, 999_999, false), /no buyer/);

    const audit = await auditLedger(db);
    assert.ok(audit.ok, JSON.stringify(audit.mismatches));
  } finally {
    for (const s of servers) await s.close();
    await tdb.close();
  }
});
