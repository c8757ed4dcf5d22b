import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialect } from '../support/db.ts';
import { startHarness, Browser, operatorBrowser, T0, type Harness } from './harness.ts';
import { startMailbox, startSmsGateway } from './mailbox.ts';
import { reserve, settle } from '../../src/billing/index.ts';
import { checkRenewalWarnings, sweepRenewalWarnings, type RenewalDeps } from '../../src/commerce/index.ts';
import { createNotifier } from '../../src/notify/index.ts';

const DAY = 24 * 3600_000;

async function useCalls(h: Harness, deps: RenewalDeps, buyerId: number, n: number, db = h.tdb.store.db) {
  const created = [];
  for (let i = 0; i < n; i++) {
    const r = await reserve(db, { buyerId, appId: 1, product: 'idcard-ocr', requestId: `c${Math.random()}`, now: h.clock.now });
    assert.ok(r.ok);
    await settle(db, r.hold, { resultCode: '01', latencyMs: 1, node: 't', now: h.clock.now });
    // what the metering path does after a billed settle
    created.push(...await checkRenewalWarnings(db, deps, { buyerId, product: 'idcard-ocr', now: h.clock.now }));
  }
  return created;
}

async function buy40(b: Browser) {
  const plan = (await b.get('/console/api/products')).json().products[0].plans[1];
  const order = (await b.post('/console/api/orders', { planId: plan.id })).json().order;
  assert.equal((await b.post(`/console/api/orders/${order.id}/pay`)).statusCode, 200);
}

test('renewal warnings by e-mail (real SMTP) and SMS (real HTTP gateway): under 20 %, at 0, once per crossing', async () => {
  const h = await startHarness({ sessionTtlMinutes: 3 * 365 * 24 * 60 });
  const mailbox = await startMailbox();
  const sms = await startSmsGateway();
  const notifier = createNotifier({ smtpHost: '127.0.0.1', smtpPort: mailbox.port, smtpSecure: false, smtpVerifyCertificate: true, mailFrom: 'noreply@shiming.test', smsUrl: sms.url, smsToken: 'sms-token-1' });
  const deps: RenewalDeps = { notifier, config: h.config };
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('renew@example.com');
    assert.deepEqual((await b.get('/console/api/contacts')).json().contacts, { email: 'renew@example.com', phone: null, warnThresholdPct: 20 });
    const set = await b.put('/console/api/contacts', { email: 'ops-team@example.com', phone: '+86 138-0013-8000' });
    assert.deepEqual(set.json().contacts, { email: 'ops-team@example.com', phone: '+8613800138000', warnThresholdPct: 20 });
    for (const bad of [{ phone: 'call me' }, { warnThresholdPct: 0 }, { warnThresholdPct: 100 }, { email: 'nope' }, {}, { extra: 1 }]) {
      assert.equal((await b.put('/console/api/contacts', bad)).statusCode, 400, JSON.stringify(bad));
    }
    await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 10_000, reason: 't' });
    await buy40(b);

    assert.deepEqual(await useCalls(h, deps, buyerId, 32), [], '8 of 40 left is 20 %: not under yet');
    const low = await useCalls(h, deps, buyerId, 1);
    assert.deepEqual(low.map((w) => [w.kind, w.remaining, w.total, w.emailStatus, w.smsStatus]), [['low', 7, 40, 'sent', 'sent']]);
    assert.deepEqual(await useCalls(h, deps, buyerId, 6), [], 'once per crossing');
    assert.equal(mailbox.mails.length, 1);
    assert.deepEqual(mailbox.mails[0].to, ['ops-team@example.com']);
    assert.equal(mailbox.mails[0].from, 'noreply@shiming.test');
    assert.equal(mailbox.mails[0].subject, '【续费提醒】身份证实名认证OCR 剩余次数不足');
    assert.equal(mailbox.mails[0].text, '您购买的「身份证实名认证OCR」套餐剩余 7/40 次，已不足 20%，请及时续费。');
    assert.deepEqual(sms.messages, [{ authorization: 'Bearer sms-token-1', to: '+8613800138000', text: '【实名】您购买的「身份证实名认证OCR」套餐剩余 7/40 次，已不足 20%，请及时续费。' }]);

    const empty = await useCalls(h, deps, buyerId, 1);
    assert.deepEqual(empty.map((w) => [w.kind, w.remaining]), [['empty', 0]]);
    assert.match(mailbox.mails[1].text, /套餐已用完（剩余 0\/40 次）/);
    assert.equal(sms.messages.length, 2);

    // the console shows them; reading one lowers the unread count
    const listed = (await b.get('/console/api/warnings')).json();
    assert.deepEqual([listed.total, listed.unread, listed.items[0].kind], [2, 2, 'empty']);
    assert.equal((await b.get('/console/api/me')).json().unreadWarnings, 2);
    assert.equal((await b.post(`/console/api/warnings/${listed.items[0].id}/read`)).statusCode, 200);
    assert.equal((await b.get('/console/api/warnings?unread=true')).json().total, 1);

    // a renewal starts a new crossing: 40 new calls (total 80 live), then under 20 % warns again
    await buy40(b);
    const threshold = await b.put('/console/api/contacts', { warnThresholdPct: 50 });
    assert.equal(threshold.json().contacts.warnThresholdPct, 50);
    assert.deepEqual(await useCalls(h, deps, buyerId, 0), []);
    const again = await useCalls(h, deps, buyerId, 1);
    assert.deepEqual(again.map((w) => [w.kind, w.remaining, w.total]), [['low', 39, 80]], '39 of 80 is under the new 50 %');
    assert.equal(mailbox.mails.length, 3);
    assert.match(mailbox.mails[2].text, /剩余 39\/80 次，已不足 50%/);

    // a package expiring within 7 days with calls left: one warning per package
    h.clock.now = T0 + 725 * DAY;
    const expiring = await checkRenewalWarnings(h.tdb.store.db, deps, { buyerId, product: 'idcard-ocr', now: h.clock.now });
    assert.deepEqual(expiring.map((w) => [w.kind, w.remaining]), [['expiring', 39]]);
    assert.match(mailbox.mails[3].text, /套餐包 \d+ 将于 2028-01-05 到期，尚余 39 次未使用/);
    assert.equal(mailbox.mails[3].subject, '【续费提醒】身份证实名认证OCR 套餐包即将到期');
    assert.equal(await sweepRenewalWarnings(h.tdb.store.db, deps, h.clock.now + DAY), 0, 'the sweep finds it already sent');
    assert.equal(mailbox.mails.length, 4);
  } finally {
    notifier.close();
    await mailbox.close();
    await sms.close();
    await h.close();
  }
});

test('two nodes seeing the same crossing at once send one warning; failures are recorded', async () => {
  const h = await startHarness();
  const mailbox = await startMailbox();
  const sms = await startSmsGateway(500);
  const notifier = createNotifier({ smtpHost: '127.0.0.1', smtpPort: mailbox.port, smtpSecure: false, smtpVerifyCertificate: true, mailFrom: 'noreply@shiming.test', smsUrl: sms.url });
  const deps: RenewalDeps = { notifier, config: h.config };
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('twonodes@example.com');
    await b.put('/console/api/contacts', { phone: '13800138000' });
    await ops.post(`/admin/api/buyers/${buyerId}/topups`, { amountFen: 10_000, reason: 't' });
    await buy40(b);
    const db = h.tdb.store.db;
    for (let i = 0; i < 35; i++) {
      const r = await reserve(db, { buyerId, appId: 1, product: 'idcard-ocr', requestId: `n${i}`, now: h.clock.now });
      assert.ok(r.ok);
      await settle(db, r.hold, { resultCode: '01', latencyMs: 1, node: 't', now: h.clock.now });
    }
    const other = testDialect === 'postgres' ? h.tdb.openAnother().db : db;
    const results = await Promise.all([
      checkRenewalWarnings(db, deps, { buyerId, product: 'idcard-ocr', now: h.clock.now }),
      checkRenewalWarnings(other, deps, { buyerId, product: 'idcard-ocr', now: h.clock.now }),
      checkRenewalWarnings(db, deps, { buyerId, product: 'idcard-ocr', now: h.clock.now }),
    ]);
    assert.equal(results.flat().length, 1);
    assert.equal(mailbox.mails.length, 1);
    assert.deepEqual(mailbox.mails[0].to, ['twonodes@example.com'], 'the login e-mail by default');
    const w = (await b.get('/console/api/warnings')).json().items[0];
    const all = (await ops.get('/admin/api/warnings')).json();
    assert.deepEqual(all.items.map((x: { buyerId: number; kind: string }) => [x.buyerId, x.kind]), [[buyerId, 'low']]);
    assert.equal(w.emailStatus, 'sent');
    assert.equal(w.smsStatus, 'failed: HTTP 500', 'a failed SMS is recorded, not retried into a second warning');
    // an unconfigured channel is recorded as such
    const quiet = createNotifier({ smtpPort: 25, smtpSecure: false, smtpVerifyCertificate: true, mailFrom: 'x@y.z' });
    assert.equal(await quiet.email({ to: 'a@b.cn', subject: 's', text: 't' }), 'not configured');
    assert.equal(await quiet.sms({ to: '1', text: 't' }), 'not configured');
  } finally {
    notifier.close();
    await mailbox.close();
    await sms.close();
    await h.close();
  }
});
