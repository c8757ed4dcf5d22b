// The PostgreSQL hot path alone (src/billing/pg-batch.ts through openHoldBook): rounds of N
// concurrent reserves (one batch statement) then their N settlements, on one connection; prints
// the CPU per call of the PostgreSQL backend that ran them (from /proc) and of this process.
// Variants run interleaved in child processes (env per variant), e.g. the batch statements named
// (default) against unnamed (SHIMING_PG_UNNAMED=1):
//   node --import tsx bench/gateway-pg-hotpath.ts [--n 16] [--rounds 1500] [--runs 3] [--variant 'label|K=V,K=V'] …
// (CHILD_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles the children)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openStore, migrateToLatest } from '../src/store/index.ts';
import { createBuyer, grantPackage, openHoldBook, auditLedger, type Hold } from '../src/billing/index.ts';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '1500' },
    runs: { type: 'string', default: '3' },
    variant: { type: 'string', multiple: true, default: ['named|', 'unnamed|SHIMING_PG_UNNAMED=1'] },
    child: { type: 'string' },
  },
});
const n = Number(values.n);
const rounds = Number(values.rounds);

function procCpuUs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * (1e6 / 100);
}

if (values.child) {
  const store = openStore({ databaseUrl: values.child, poolSize: 1 });
  await migrateToLatest(store);
  const db = store.db;
  const buyer = await createBuyer(db, { name: 'pg' });
  await grantPackage(db, { buyerId: buyer.id, product: 'idcard-verify', calls: 100_000_000, days: 1, now: Date.now() });
  const pid = Number((await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0].pid);
  const book = await openHoldBook(db);
  let seq = 0;
  const round = async () => {
    const now = Date.now();
    const held = await Promise.all(Array.from({ length: n }, () => book.reserve({
      buyerId: buyer.id, appId: 1, product: 'idcard-verify', requestId: `r${process.pid}-${seq++}`, now,
    })));
    await Promise.all(held.map((r) => book.settle((r as { hold: Hold }).hold, { resultCode: '01', latencyMs: 1, node: 'b', now })));
  };
  for (let i = 0; i < 200; i++) await round();
  const b0 = procCpuUs(pid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await round();
  const calls = rounds * n;
  const backend = (procCpuUs(pid) - b0) / calls;
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) * 1000 / calls;
  const audit = await auditLedger(db);
  book.close();
  await store.close();
  process.stdout.write(JSON.stringify({ backend, node: (c.user + c.system) / calls, wall, audit: audit.ok, stats: book.stats() }) + '\n');
  process.exit(0);
}

const pg = await startEmbeddedPostgres('shiming-bench-pghot-');
try {
  const variants = values.variant!.map((v) => {
    const [label, env = ''] = v.split('|');
    return { label, env: Object.fromEntries(env.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) };
  });
  let k = 0;
  for (let run = 0; run < Number(values.runs); run++) {
    for (const v of variants) {
      const name = `pghot_${k++}_${process.pid}`;
      const admin = openStore({ databaseUrl: pg.url });
      await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
      await admin.close();
      const url = new URL(pg.url);
      url.pathname = `/${name}`;
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [...(process.env.CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', new URL(import.meta.url).pathname, '--n', String(n), '--rounds', String(rounds), '--child', url.toString()], {
          env: { ...process.env, ...v.env }, stdio: ['ignore', 'pipe', 'inherit'],
        });
        let text = '';
        child.stdout.on('data', (d) => { text += d; });
        child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}`))));
      });
      const r = JSON.parse(out) as { backend: number; node: number; wall: number; audit: boolean };
      console.log(`${v.label.padEnd(12)} n=${n}: PostgreSQL backend ${r.backend.toFixed(1)} µs CPU/call, node ${r.node.toFixed(1)} µs CPU/call, wall ${r.wall.toFixed(1)} µs/call, audit ${r.audit ? 'clean' : 'FAILED'}  load ${os.loadavg()[0].toFixed(2)}`);
    }
  }
} finally {
  await pg.stop();
}
