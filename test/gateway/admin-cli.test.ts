// `shiming admin …` on the same data a server uses: each command prints one JSON object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../support/db.ts';
import { runAdmin } from '../../src/cli/admin.ts';
import { listPackages } from '../../src/billing/index.ts';

test('admin buyer/app/grant/audit print one JSON object each and act on the shared data', async () => {
  const tdb = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-admin-'));
  const env = { SHIMING_DATA_DIR: dir, ...tdb.env };
  const admin = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runAdmin([...argv, '--json'], { env, out: (l) => lines.push(l), err: (l) => lines.push(l) });
    assert.equal(lines.length, 1, lines.join('\n'));
    return { code, body: JSON.parse(lines[0]) };
  };
  try {
    const buyer = await admin('buyer', 'create', '--name', '某某科技');
    assert.equal(buyer.code, 0);
    assert.ok(Number.isInteger(buyer.body.id));
    const app = await admin('app', 'create', '--buyer', String(buyer.body.id));
    assert.match(app.body.appKey, /^\d{12}$/);
    assert.match(app.body.appSecret, /^[0-9a-f]{32}$/);
    assert.match(app.body.appCode, /^[0-9a-f]{32}$/);
    const grant = await admin('grant', '--buyer', String(buyer.body.id), '--product', 'idcard-ocr', '--calls', '100', '--days', '30');
    assert.equal(grant.body.total, 100);
    assert.equal(grant.body.status, '正常');
    assert.equal(grant.body.validTo - grant.body.validFrom, 30 * 24 * 3600_000);
    const pk = await listPackages(tdb.store.db, { buyerId: buyer.body.id, now: Date.now() });
    assert.deepEqual(pk.map((p) => p.id), [grant.body.id]);
    const bad = await admin('grant', '--buyer', String(buyer.body.id), '--product', 'face', '--calls', '1');
    assert.equal(bad.code, 1);
    assert.equal(bad.body.ok, false);
    const audit = await admin('audit');
    assert.deepEqual([audit.code, audit.body.ok, audit.body.mismatches], [0, true, []]);
    // the audit command fails when the books do not balance
    await tdb.store.db.updateTable('call_packages').set({ used: 1 }).execute();
    const broken = await admin('audit');
    assert.deepEqual([broken.code, broken.body.ok, broken.body.mismatches[0].kind], [1, false, 'used']);
  } finally {
    await tdb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
