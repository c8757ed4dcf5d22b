// `npm run bench:gateway`: calls per second and latency of full metering (AppCode auth, hold,
// settle, ledger row) on a metered POST /idcard/verify stand-in, on SQLite and PostgreSQL with
// 1 and 2 server processes, against a bare fastify route doing one SQLite transaction per call,
// measured in the same run with the same load generator. The load generator
// (bench/gateway-load.ts: raw keep-alive sockets, one request in flight per connection) runs in
// a process of its own, so its CPU is not the servers'; `--autocannon` uses autocannon in this
// process instead (as the bench did before), for comparison.
//
//   npm run bench:gateway [-- --duration 10 --connections 32 --sqlite-only | --postgres-only | --autocannon
//                            --no-access-log --no-baselines]
//
// The metered servers log every answer as production does (one info line per call to stdout,
// call metrics); --no-access-log leaves that out. Beside the yardstick, two more bare rows take
// it apart (fastify without the transaction, node:http alone); --no-baselines skips them.
//
// 32 connections by default: the closed loop's knee on our 2 cores. Past it the servers are
// saturated and more connections only lengthen the queue (p50 ≈ connections / rate): on the quiet
// machine, 1 SQLite node gave 5,730 calls/s with p99 14.2 ms at 32 and 4,831–5,474 calls/s with
// p99 21.8–22.9 ms at 50 (2026-11-30).
//
// Exits 1 when any answer was not 2xx, any request failed, or the audit after a run fails.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { openStore, migrateToLatest } from '../src/store/index.ts';
import { createBuyer, grantPackage, auditLedger } from '../src/billing/index.ts';
import { createApp } from '../src/gateway/index.ts';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import type { LoadResult, LoadSpec } from './gateway-load.ts';
import { loadInOwnProcess, spawnServer, type ServerNode } from './gateway-procs.ts';

interface CannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string; method: string; headers: Record<string, string>; body: string; connections: number; duration: number;
}) => Promise<CannonResult>;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    'sqlite-only': { type: 'boolean', default: false },
    'postgres-only': { type: 'boolean', default: false },
    autocannon: { type: 'boolean', default: false },
    'no-access-log': { type: 'boolean', default: false },
    'no-baselines': { type: 'boolean', default: false },
  },
});
const duration = Number(flags.duration);
const connections = Number(flags.connections);
const useAutocannon = flags.autocannon!;
/** the metered servers log every answer as production does (src/http/server.ts registerAccessLog) */
const accessLog = !flags['no-access-log'];

interface CpuAndBatches { us: number; holdBook?: { batches: number; ops: number; single: number } }

async function probe(node: ServerNode): Promise<CpuAndBatches> {
  return await (await fetch(`${node.url}/_cpu`)).json() as CpuAndBatches;
}

interface Result {
  label: string; rps: number; p50: number; p99: number; non2xx: number; errors: number; cpuUsPerCall: number; calls: number;
  /** the load generator's own CPU per call (its own process; not with --autocannon) */
  generatorUsPerCall?: number;
  /** group commit: mean holds + settlements per batch, and ops that took the one-call path */
  batch?: number; single: number;
}

/** One run of the load generator in its own process against every node at once. */
async function generate(nodes: ServerNode[], headersFor: (i: number) => Record<string, string>, body: string, perNode: number, seconds: number): Promise<LoadResult> {
  const spec: LoadSpec = {
    targets: nodes.map((n, i) => ({ port: n.port, method: 'POST', path: '/idcard/verify', headers: headersFor(i), body })),
    connections: perNode, duration: seconds,
  };
  return loadInOwnProcess(spec);
}

interface Measured { calls: number; rps: number; p50: number; p99: number; non2xx: number; errors: number; generatorUs?: number }

async function measure(nodes: ServerNode[], headersFor: (i: number) => Record<string, string>, body: string, perNode: number, seconds: number): Promise<Measured> {
  if (!useAutocannon) {
    const r = await generate(nodes, headersFor, body, perNode, seconds);
    // latency percentiles of the slowest node (as with autocannon: one histogram per node)
    return {
      calls: r.requests, rps: r.rps, p50: Math.max(...r.targets.map((t) => t.p50)), p99: Math.max(...r.targets.map((t) => t.p99)),
      non2xx: r.non2xx, errors: r.errors, generatorUs: r.cpuUs,
    };
  }
  const runs = await Promise.all(nodes.map((n, i) => autocannon({
    url: `${n.url}/idcard/verify`, method: 'POST', headers: headersFor(i), body, connections: perNode, duration: seconds,
  })));
  return {
    calls: runs.reduce((s, r) => s + r.requests.total, 0),
    rps: runs.reduce((s, r) => s + r.requests.average, 0),
    p50: Math.max(...runs.map((r) => r.latency.p50)),
    p99: Math.max(...runs.map((r) => r.latency.p99)),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    errors: runs.reduce((s, r) => s + r.errors + r.timeouts, 0),
  };
}

async function load(label: string, nodes: ServerNode[], headersFor: (i: number) => Record<string, string>, body: string): Promise<Result> {
  const perNode = Math.max(1, Math.round(connections / nodes.length));
  await measure(nodes, headersFor, body, perNode, 2); // warm-up
  const p0 = await Promise.all(nodes.map(probe));
  const m = await measure(nodes, headersFor, body, perNode, duration);
  const p1 = await Promise.all(nodes.map(probe));
  const cpu = p1.reduce((s, v, i) => s + v.us - p0[i].us, 0);
  const delta = (k: 'batches' | 'ops' | 'single') => p1.reduce((s, v, i) => s + (v.holdBook?.[k] ?? 0) - (p0[i].holdBook?.[k] ?? 0), 0);
  const batches = delta('batches');
  const result: Result = {
    label, rps: m.rps, p50: m.p50, p99: m.p99, non2xx: m.non2xx, errors: m.errors, calls: m.calls,
    cpuUsPerCall: m.calls ? cpu / m.calls : 0,
    generatorUsPerCall: m.generatorUs !== undefined && m.calls ? m.generatorUs / m.calls : undefined,
    batch: batches ? delta('ops') / batches : undefined,
    single: delta('single'),
  };
  const batching = result.batch ? `  batch ${result.batch.toFixed(1)} ops, ${result.single} one-call` : '';
  const gen = result.generatorUsPerCall !== undefined ? `  generator CPU ${(result.generatorUsPerCall / 1000).toFixed(3)} ms/call` : '';
  console.log(`${label.padEnd(34)} ${result.rps.toFixed(0).padStart(7)} calls/s  p50 ${result.p50} ms  p99 ${result.p99} ms  server CPU ${(result.cpuUsPerCall / 1000).toFixed(3)} ms/call${gen}  non-2xx ${result.non2xx}  errors ${result.errors}${batching}`);
  if (result.non2xx > 0 || result.errors > 0) failed.push(`${label}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result;
}

const failed: string[] = [];

async function startPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: async () => {} };
  return startEmbeddedPostgres('shiming-bench-pg-');
}

async function metered(label: string, storeEnv: Record<string, string>, nodeCount: number): Promise<Result> {
  const secretKey = crypto.randomBytes(32).toString('hex');
  const store = openStore({ databaseUrl: storeEnv.DATABASE_URL, sqlitePath: storeEnv.SHIMING_DATA_DIR ? path.join(storeEnv.SHIMING_DATA_DIR, 'shiming.sqlite') : undefined });
  await migrateToLatest(store);
  const buyer = await createBuyer(store.db, { name: 'bench' });
  const apps: Array<{ appCode: string }> = [];
  for (let i = 0; i < nodeCount; i++) apps.push(await createApp(store.db, { secretKey }, { buyerId: buyer.id }));
  await grantPackage(store.db, { buyerId: buyer.id, product: 'idcard-verify', calls: 100_000_000, days: 1, now: Date.now() });
  const nodes: ServerNode[] = [];
  for (let i = 0; i < nodeCount; i++) {
    nodes.push(await spawnServer('test/gateway/support/metered-server.ts', {
      ...storeEnv, SHIMING_SECRET_KEY: secretKey, NODE_ID: `bench-${i}`, POOL_SIZE: '10', ACCESS_LOG: accessLog ? '1' : '0',
    }));
  }
  try {
    const r = await load(label, nodes, (i) => ({ authorization: `APPCODE ${apps[i].appCode}`, 'content-type': 'application/json' }), '{"result":"01"}');
    const auditStart = performance.now();
    const audit = await auditLedger(store.db);
    console.log(`${''.padEnd(34)} audit of ${audit.billedCalls} billed calls: ${audit.ok ? 'clean' : 'FAILED'} in ${((performance.now() - auditStart) / 1000).toFixed(2)} s`);
    if (!audit.ok || audit.billedCalls < r.calls) throw new Error(`audit after ${label}: ${JSON.stringify({ ok: audit.ok, billed: audit.billedCalls, calls: r.calls })}`);
    return r;
  } finally {
    for (const n of nodes) await n.stop();
    await store.close();
  }
}

const results: Result[] = [];
const loadAtStart = os.loadavg();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-bench-'));
try {
  // the yardstick (first row: the ratios are to it), then, unless --no-baselines, the same route
  // taken apart: fastify without the transaction, and node:http alone
  const bares: Array<[string, string]> = [['bare fastify + 1 SQLite transaction', 'fastify+sqlite']];
  if (!flags['no-baselines']) bares.push(['bare fastify, no SQLite', 'fastify'], ['bare node:http, no SQLite', 'http']);
  for (const [label, mode] of bares) {
    const bare = await spawnServer('bench/gateway-bare.ts', { SQLITE_FILE: path.join(tmp, `bare-${mode}.sqlite`), BARE_MODE: mode });
    try {
      results.push(await load(label, [bare], () => ({ 'content-type': 'application/json' }), '{}'));
    } finally {
      await bare.stop();
    }
  }
  for (const n of flags['postgres-only'] ? [] : [1, 2]) {
    const dir = fs.mkdtempSync(path.join(tmp, `sqlite-${n}-`));
    results.push(await metered(`metered, SQLite, ${n} node${n > 1 ? 's' : ''}`, { SHIMING_DATA_DIR: dir }, n));
  }
  if (!flags['sqlite-only']) {
    const pg = await startPostgres();
    try {
      for (const n of [1, 2]) {
        const name = `bench_${n}_${crypto.randomBytes(4).toString('hex')}`;
        const admin = openStore({ databaseUrl: pg.url });
        await (await import('kysely')).sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
        await admin.close();
        const url = new URL(pg.url);
        url.pathname = `/${name}`;
        results.push(await metered(`metered, PostgreSQL, ${n} node${n > 1 ? 's' : ''}`, { DATABASE_URL: url.toString() }, n));
      }
    } finally {
      await pg.stop();
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const base = results[0];
console.log('\n| setup | calls/s | ratio to bare | p50 ms | p99 ms | server CPU ms/call | CPU ratio to bare | generator CPU ms/call | ops per batch |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const gen = r.generatorUsPerCall !== undefined ? (r.generatorUsPerCall / 1000).toFixed(3) : '–';
  console.log(`| ${r.label} | ${r.rps.toFixed(0)} | ${(r.rps / base.rps).toFixed(2)} | ${r.p50} | ${r.p99} | ${(r.cpuUsPerCall / 1000).toFixed(3)} | ${(r.cpuUsPerCall / base.cpuUsPerCall).toFixed(2)} | ${gen} | ${r.batch ? r.batch.toFixed(1) : '–'} |`);
}
console.log(`\nload average (1/5/15 min) at the start: ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`\n${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString()}, ${duration} s per run, ${connections} connections, load generator: ${useAutocannon ? 'autocannon (in the bench process)' : 'bench/gateway-load.ts (own process)'}, metered servers ${accessLog ? 'with production\'s access log (info, stdout) and renewal checks' : 'without the access log and renewal checks (--no-access-log)'}`);
if (failed.length > 0) {
  console.error(`\nFAILED:\n${failed.join('\n')}`);
  process.exitCode = 1;
}
