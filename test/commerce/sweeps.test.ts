import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/db.ts'; // runs on PostgreSQL too
import { startHarness, Browser, operatorBrowser, T0 } from './harness.ts';
import { startMailbox } from './mailbox.ts';
import { sweepCommerce, startCommerceSweeps } from '../../src/commerce/index.ts';
import { createNotifier } from '../../src/notify/index.ts';

const DAY = 24 * 3600_000;

test('the sweep expires orders, warns about packages nearing expiry without calls, deletes dead sessions', async () => {
  const h = await startHarness({ sessionTtlMinutes: 60 });
  const mailbox = await startMailbox();
  const notifier = createNotifier({ smtpHost: '127.0.0.1', smtpPort: mailbox.port, smtpSecure: false, smtpVerifyCertificate: true, mailFrom: 'n@shiming.test' });
  try {
    const ops = await operatorBrowser(h);
    const b = new Browser(h.app);
    const { buyerId } = await b.signUp('sweep@example.com');
    assert.equal((await ops.post(`/admin/api/buyers/${buyerId}/grants`, { product: 'idcard-ocr', calls: 10, days: 10, reason: 'trial' })).statusCode, 201);
    const plan = (await b.get('/console/api/products')).json().products[0].plans[1];
    await b.post('/console/api/orders', { planId: plan.id });
    const db = h.tdb.store.db;
    const deps = { notifier, config: h.config };
    const first = await sweepCommerce(db, deps, T0 + DAY);
    assert.deepEqual(first, { expiredOrders: 1, warningsSent: 0, sessionsDeleted: 2 });
    const second = await sweepCommerce(db, deps, T0 + 4 * DAY);
    assert.equal(second.warningsSent, 1);
    assert.equal((await sweepCommerce(db, deps, T0 + 5 * DAY)).warningsSent, 0, 'once');
    assert.equal(mailbox.mails.length, 1);
    assert.match(mailbox.mails[0].text, /尚余 10 次未使用/);
    const timers = startCommerceSweeps(db, deps, { intervalMs: 20, now: () => T0 + 6 * DAY });
    await new Promise((r) => setTimeout(r, 120));
    timers.stop();
    assert.equal(mailbox.mails.length, 1);
  } finally {
    notifier.close();
    await mailbox.close();
    await h.close();
  }
});
