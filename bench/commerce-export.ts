// 导出明细 benchmark: a package with a year of 10-minute usage records (52,560 windows, three
// billed calls each), exported as XLSX and CSV through the streaming writers into a slow
// client. Reports rows, bytes, time and peak heap/RSS above the start, for one month and for
// the whole year: if the export streams, the peaks stay about the same while the size grows 12×.
//
//   node --import tsx bench/commerce-export.ts           # SQLite in a temp folder
//   DATABASE_URL=postgres://… node --import tsx bench/commerce-export.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { migrateToLatest, openStore } from '../src/store/index.ts';
import { createBuyer, grantPackage } from '../src/billing/index.ts';
import { usageCsv, usageXlsx } from '../src/commerce/index.ts';

const WINDOW = 10 * 60_000;
const YEAR_WINDOWS = 365 * 144;
const CALLS_PER_WINDOW = 3;
const T0 = Date.UTC(2025, 0, 1, 0, 0, 5);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-bench-export-'));
const store = process.env.DATABASE_URL ? openStore({ databaseUrl: process.env.DATABASE_URL }) : openStore({ sqlitePath: path.join(dir, 'bench.sqlite') });
await migrateToLatest(store);
const db = store.db;
const buyer = await createBuyer(db, { name: 'bench' });
const pkg = await grantPackage(db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 1_000_000, days: 730, now: T0 });

const started = Date.now();
const BATCH = 500;
let batch: Array<Record<string, unknown>> = [];
for (let w = 0; w < YEAR_WINDOWS; w++) {
  for (let c = 0; c < CALLS_PER_WINDOW; c++) {
    batch.push({
      request_id: `b${w}-${c}`, buyer_id: buyer.id, app_id: 1, product: 'idcard-ocr', package_id: pkg.id, hold_id: null,
      result_code: '01', billed: 1, latency_ms: 50, node: 'bench', created_at: T0 + w * WINDOW + c * 1000,
    });
  }
  if (batch.length >= BATCH || w === YEAR_WINDOWS - 1) {
    await db.insertInto('usage_ledger').values(batch as never).execute();
    batch = [];
  }
}
console.log(`seeded ${YEAR_WINDOWS * CALLS_PER_WINDOW} ledger rows in ${((Date.now() - started) / 1000).toFixed(1)} s (${store.dialect})`);

/** a client that reads 64 KB every millisecond or so */
function slowClient(): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      setTimeout(cb, chunk.length > 32 * 1024 ? 1 : 0);
    },
  });
  return { sink, bytes: () => bytes };
}

async function measure(label: string, make: () => Readable, windows: number) {
  global.gc?.();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 10);
  const t = Date.now();
  const client = slowClient();
  await pipeline(make(), client.sink);
  clearInterval(sampler);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(`| ${label} | ${windows} | ${mb(client.bytes())} MB | ${((Date.now() - t) / 1000).toFixed(1)} s | +${mb(peakHeap - base.heapUsed)} MB | +${mb(peakRss - base.rss)} MB |`);
}

console.log('| export | records | size | time | peak heap above start | peak RSS above start |');
console.log('| --- | --- | --- | --- | --- | --- |');
const month = { packageId: pkg.id, from: T0, to: T0 + 31 * 144 * WINDOW };
const year = { packageId: pkg.id };
await measure('CSV, one month', () => usageCsv(db, month), 31 * 144);
await measure('CSV, one year', () => usageCsv(db, year), YEAR_WINDOWS);
await measure('XLSX, one month', () => usageXlsx(db, month), 31 * 144);
await measure('XLSX, one year', () => usageXlsx(db, year), YEAR_WINDOWS);
await store.close();
fs.rmSync(dir, { recursive: true, force: true });
