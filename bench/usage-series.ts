// How long GET /console/api/usage/series's query takes over a busy buyer's ledger (SQLite).
//   node --import tsx bench/usage-series.ts [rows=300000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, migrateToLatest } from '../src/store/index.ts';
import { usageSeries } from '../src/commerce/index.ts';

const rows = Number(process.argv[2] ?? 300_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-series-'));
const store = openStore({ sqlitePath: path.join(dir, 'bench.sqlite') });
try {
  await migrateToLatest(store);
  const db = store.db;
  const to = Date.UTC(2026, 0, 31, 16);
  const span = 31 * 86_400_000;
  const codes = ['01', '01', '01', '01', '02', '-1', '-4', '203'];
  // the measured buyer and nine others, interleaved
  for (let i = 0; i < rows; i += 2000) {
    const batch = [];
    for (let j = i; j < Math.min(rows, i + 2000); j++) {
      const code = codes[j % codes.length]!;
      batch.push({
        request_id: `r${j}`, buyer_id: 1 + (j % 10), app_id: 1 + (j % 3), product: 'idcard-ocr', package_id: 1, hold_id: null,
        result_code: code, billed: code === '01' || code === '02' ? 1 : 0, latency_ms: 5, node: 'b', created_at: to - span + Math.floor((j / rows) * span),
      });
    }
    await db.insertInto('usage_ledger').values(batch).execute();
  }
  const measure = async (label: string, q: Parameters<typeof usageSeries>[1]) => {
    await usageSeries(db, q);
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      const s = await usageSeries(db, q);
      times.push(performance.now() - t);
      if (k === 0) process.stdout.write(`${label}: ${s.points.length} points, `);
    }
    times.sort((a, b) => a - b);
    process.stdout.write(`median ${times[2]!.toFixed(1)} ms\n`);
  };
  process.stdout.write(`${rows} ledger rows over 31 days, 10 buyers\n`);
  await measure('one buyer, hour buckets, 31 days', { buyerId: 1, bucket: 'hour', from: to - span, to, now: to });
  await measure('one buyer, day buckets, 31 days', { buyerId: 1, bucket: 'day', from: to - span, to, now: to });
  await measure('all buyers, hour buckets, 31 days', { bucket: 'hour', from: to - span, to, now: to });
  await measure('one buyer, one app, last 24 h', { buyerId: 1, appId: 2, bucket: 'hour', now: to });
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
