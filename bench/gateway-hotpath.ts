// The SQLite hot path alone (src/billing/sqlite-fast.ts): batches of N reserves and N settlements in one
// transaction each, as group commit sends them under load; CPU µs per call. Extra arguments are SQL run
// on the database first (to try an index change):
//   node --import tsx bench/gateway-hotpath.ts [N] ['SQL' ...]
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { openStore, migrateToLatest } from '../src/store/index.ts';
import { createBuyer, grantPackage } from '../src/billing/index.ts';
import { createApp } from '../src/gateway/index.ts';
import { SqliteFastPath, FastPathBusy } from '../src/billing/sqlite-fast.ts';
import { newRequestId } from '../src/gateway/index.ts';
import Database from 'better-sqlite3';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hot-'));
const file = path.join(tmp, 'db.sqlite');
const store = openStore({ sqlitePath: file });
await migrateToLatest(store);
const buyer = await createBuyer(store.db, { name: 'b' });
const app = await createApp(store.db, { secretKey: 'ab'.repeat(32) }, { buyerId: buyer.id });
await grantPackage(store.db, { buyerId: buyer.id, product: 'idcard-verify', calls: 100_000_000, days: 1, now: Date.now() });
await store.close();
const extra = process.argv.slice(3);
if (extra.length) { const d = new Database(file); for (const s of extra) d.exec(s); d.close(); }
const f = new SqliteFastPath(file, 2, 250);
const N = Number(process.argv[2] ?? 23);
let busy = 0;
const run = (batches: number) => {
  let pending: any[] = [];
  for (let b = 0; b < batches; b++) {
    const now = Date.now();
    const ops: any[] = pending.map((hold) => ({ kind: 'settle', hold, input: { resultCode: '01', latencyMs: 1, node: 'n', now } }));
    for (let i = 0; i < N; i++) ops.push({ kind: 'reserve', input: { buyerId: buyer.id, appId: app.id, product: 'idcard-verify', requestId: newRequestId(), now, appVersion: 1 } });
    let out = f.runBatch(ops);
    while (out.every((o: any) => !o.ok && o.error instanceof FastPathBusy)) { busy++; out = f.runBatch(ops); }
    const bad = out.find((o: any) => !o.ok || (o.value.ok === false));
    if (bad) throw new Error(JSON.stringify(bad) + String((bad as any).error));
    pending = out.filter((o: any, i) => ops[i].kind === 'reserve').map((o: any) => o.value.hold);
  }
};
run(500);
const c0 = process.cpuUsage(); const t0 = performance.now();
const B = 3000; run(B);
const c = process.cpuUsage(c0); const t = performance.now() - t0;
console.log(`N=${N} ${extra.join(' ; ')}: ${((c.user + c.system) / (B * N)).toFixed(1)} µs CPU/call (user ${(c.user / (B * N)).toFixed(1)} sys ${(c.system / (B * N)).toFixed(1)}), busy retries ${busy}, wall ${(t * 1000 / (B * N)).toFixed(1)} µs/call`);
f.close();
fs.rmSync(tmp, { recursive: true, force: true });
