// 联系我们: what the operator configures is what the console's page reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.ts';

test('GET /console/support.json serves SHIMING_SUPPORT', async () => {
  const support = { hours: '9:30 到 22:30', phones: ['4008005185 转 13127'], emails: ['support@example.test'] };
  const h = await startHarness({}, { SHIMING_SUPPORT: JSON.stringify(support) });
  try {
    const res = await h.app.inject({ url: '/console/support.json' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), support);
  } finally {
    await h.close();
  }
});
