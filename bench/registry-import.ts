// Registry import benchmark: generates a CSV of N identities (default 1,000,000; 0.1% bad rows),
// imports it into a fresh SQLite file (or DATABASE_URL when set), imports it again (every row
// unchanged: the upsert path), then times single verifications. Reports rows/s and peak RSS.
//
//   npm run bench:registry               # 1,000,000 rows on SQLite
//   npm run bench:registry -- 200000     # another size
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { checkDigitOf } from '../src/idcard/index.ts';
import { migrateToLatest, openStore } from '../src/store/index.ts';
import { createVerificationSource, importRegistryCsv, registrySize, type VerificationSettings } from '../src/verification/index.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const outDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'out');
fs.mkdirSync(outDir, { recursive: true });
const csvPath = path.join(outDir, `registry-${rows}.csv`);
const config: VerificationSettings = { verification: { source: 'registry', hmacKey: 'f'.repeat(64), cacheTtlMs: 0 } };

const REGIONS = ['110101', '310104', '440305', '522229', '650102', '330106'];
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌亮玉梅海燕德宁晨欣怡浩然子轩梓涵雨萱一诺思远'];

/** the i-th identity: a distinct valid number (region, birth date 1950+, sequence) and a name */
function identity(i: number): string {
  const region = REGIONS[i % REGIONS.length]!;
  const rest = Math.floor(i / REGIONS.length);
  const day = rest % 18_000;
  const seq = Math.floor(rest / 18_000);
  const d = new Date(Date.UTC(1950, 0, 1) + day * 86_400_000);
  const birth = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  const first17 = `${region}${birth}${String(seq).padStart(3, '0')}`;
  const name = SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]! + (i % 3 ? GIVEN[(i * 13) % GIVEN.length]! : '');
  return `${name},${first17}${checkDigitOf(first17)}`;
}

async function writeCsv(): Promise<number> {
  if (fs.existsSync(csvPath)) return fs.statSync(csvPath).size;
  const out = fs.createWriteStream(csvPath);
  out.write('\uFEFFname,idNumber\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    // one bad row in a thousand: a wrong check digit
    buf += (i % 1000 === 999 ? identity(i).replace(/.$/, (c) => (c === '0' ? '1' : '0')) : identity(i)) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return fs.statSync(csvPath).size;
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

async function timedImport(label: string, store: ReturnType<typeof openStore>) {
  peakRss = process.memoryUsage().rss;
  const rssBefore = peakRss;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const report = await importRegistryCsv(store, config, fs.createReadStream(csvPath, { highWaterMark: 1 << 20 }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  // on a shared machine wall time depends on the neighbours; rows per CPU-second much less so
  console.log(`${label}: ${report.lines.toLocaleString()} lines in ${seconds.toFixed(1)} s = ${Math.round(report.lines / seconds).toLocaleString()} rows/s ` +
    `(${cpuSeconds.toFixed(1)} CPU s = ${Math.round(report.lines / cpuSeconds).toLocaleString()} rows per CPU-second); ` +
    `imported ${report.imported}, updated ${report.updated}, unchanged ${report.unchanged}, rejected ${report.rejected}; ` +
    `RSS ${mb(rssBefore)} before, peak ${mb(peakRss)}`);
  return report;
}

const size = await writeCsv();
console.log(`CSV: ${rows.toLocaleString()} rows, ${mb(size)} (${csvPath})`);
const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-bench-registry-'));
const store = openStore(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { sqlitePath: path.join(dbDir, 'bench.sqlite') });
console.log(`database: ${store.dialect}; node ${process.version}; ${os.cpus().length} × ${os.cpus()[0]?.model}; ${mb(os.totalmem())} RAM; ` +
  `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
try {
  await migrateToLatest(store);
  await store.db.deleteFrom('verification_registry').execute();
  const first = await timedImport('first import ', store);
  await timedImport('second import', store);
  console.log(`registry holds ${(await registrySize(store)).toLocaleString()} identities`);
  if (first.rejected !== Math.floor(rows / 1000)) throw new Error(`expected ${Math.floor(rows / 1000)} rejected rows`);

  const source = createVerificationSource(store, config);
  const n = 20_000;
  const started = process.hrtime.bigint();
  const outcomes = { match: 0, mismatch: 0, unknown: 0 };
  for (let k = 0; k < n; k++) {
    const i = (k * 7919) % rows;
    const [name, id] = identity(i).split(',') as [string, string];
    outcomes[await source.verify({ name: k % 2 ? name : '张冒名', idNumber: id })]++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`verify: ${n} lookups in ${seconds.toFixed(2)} s = ${Math.round(n / seconds).toLocaleString()}/s, ${(seconds / n * 1e6).toFixed(0)} µs each ` +
    `(${outcomes.match} match, ${outcomes.mismatch} mismatch, ${outcomes.unknown} unknown)`);
  if (process.env.DATABASE_URL === undefined) {
    const files = fs.readdirSync(dbDir).map((f) => fs.statSync(path.join(dbDir, f)).size);
    console.log(`SQLite files: ${mb(files.reduce((a, b) => a + b, 0))}`);
  }
  console.log(`process max RSS (getrusage): ${mb(process.resourceUsage().maxRSS * 1024)}`);
} finally {
  clearInterval(sampler);
  await store.close();
  fs.rmSync(dbDir, { recursive: true, force: true });
}
