// The metered routes of buildServer (the default wiring, as `shiming serve` runs it) notice a
// package crossing its warning threshold on the call that crosses it, and mail the buyer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/db.ts';
import { startHarness } from './harness.ts';
import { form } from './images.ts';
import { startMailbox } from '../commerce/mailbox.ts';
import { createBuyer, grantPackage } from '../../src/billing/index.ts';
import { createApp } from '../../src/gateway/index.ts';
import { setContacts } from '../../src/commerce/index.ts';
import { registerIdentity } from '../../src/verification/index.ts';

const SECRET_KEY = 'cd'.repeat(32);

test('the billed call that leaves under 20 % of a package sends one low-quota mail', async () => {
  const tdb = await createTestDatabase();
  const mailbox = await startMailbox();
  const h = await startHarness({ store: tdb.store, metering: undefined }, {
    SHIMING_SECRET_KEY: SECRET_KEY, SHIMING_SMTP_HOST: '127.0.0.1', SHIMING_SMTP_PORT: String(mailbox.port),
  });
  after(async () => { await h.app.close(); await mailbox.close(); await tdb.close(); });
  const db = tdb.store.db;
  const buyerId = (await createBuyer(db, { name: 'renewal buyer' })).id;
  await setContacts(db, h.config.commerce, buyerId, { email: 'buyer@example.test' }, Date.now());
  const { appCode } = await createApp(db, h.config.gateway, { buyerId });
  await grantPackage(db, { buyerId, product: 'idcard-verify', calls: 10, now: Date.now() });
  await registerIdentity(tdb.store, h.config, { name: '张三', idNumber: '522229198509112018' });
  const headers = { ...form({}).headers, authorization: `APPCODE ${appCode}` };
  const call = () => h.app.inject({ method: 'POST', url: '/idcard/verify', payload: form({ name: '张三', idCard: '522229198509112018' }).payload, headers });

  for (let i = 0; i < 8; i++) assert.equal((await call()).json().code, '01');
  // 2 of 10 left is exactly 20 %: not yet under the threshold
  await new Promise((r) => setTimeout(r, 300));
  const before = await db.selectFrom('renewal_warnings').selectAll().where('buyer_id', '=', buyerId).execute();
  assert.equal(before.length, 0);

  assert.equal((await call()).json().code, '01'); // 1 left: under 20 %
  for (let i = 0; i < 100 && mailbox.mails.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  const warnings = await db.selectFrom('renewal_warnings').selectAll().where('buyer_id', '=', buyerId).execute();
  assert.equal(warnings.length, 1);
  assert.equal(mailbox.mails.length, 1);
  assert.deepEqual(mailbox.mails[0]!.to, ['buyer@example.test']);
  // names and ID numbers of the callers never reach a warning
  assert.ok(!mailbox.mails[0]!.text.includes('522229198509112018'));
});
