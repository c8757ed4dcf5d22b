import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../support/db.ts';
import { createVerificationSource, runRegistryAdmin, type VerificationSettings } from '../../src/verification/index.ts';

const config: VerificationSettings = { verification: { source: 'registry', hmacKey: '9'.repeat(64), cacheTtlMs: 0 } };

test('registry import from a file: summary on out, rejected line numbers on err, no PII', async () => {
  const tdb = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-registry-cli-'));
  try {
    const file = path.join(dir, 'people.csv');
    fs.writeFileSync(file, '\uFEFFname,idNumber\r\n张三,522229198509112018\r\n李四,522229198509112019\r\n');
    const out: string[] = [];
    const err: string[] = [];
    const io = { store: tdb.store, config, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    assert.equal(await runRegistryAdmin(['import', file], io), 0);
    const summary = JSON.parse(out.at(-1)!);
    assert.equal(summary.imported, 1);
    assert.equal(summary.rejected, 1);
    assert.equal(summary.header, true);
    assert.deepEqual(err, ['line 3: invalid ID number']);
    const all = out.join('\n') + err.join('\n');
    assert.ok(!all.includes('522229198509112') && !all.includes('张三') && !all.includes('李四'));
    assert.equal(await createVerificationSource(tdb.store, config).verify({ name: '张三', idNumber: '522229198509112018' }), 'match');

    out.length = 0;
    assert.equal(await runRegistryAdmin(['count'], io), 0);
    assert.deepEqual(JSON.parse(out[0]!), { identities: 1 });

    err.length = 0;
    assert.equal(await runRegistryAdmin(['import', path.join(dir, 'missing.csv')], io), 1);
    assert.match(err[0]!, /cannot read .*missing\.csv: ENOENT/);
    assert.equal(await runRegistryAdmin(['import'], io), 2);
    assert.equal(await runRegistryAdmin(['drop'], io), 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await tdb.close();
  }
});
