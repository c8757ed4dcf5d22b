// Where a metered call's server CPU goes: one metered server (test/gateway/support/metered-server.ts)
// on a fresh SQLite file (or DATABASE_URL), run under `node --cpu-prof`, loaded by
// bench/gateway-load.ts in its own process; prints the server's CPU ms per call and the functions
// with the most self time (and the profile's path, for Chrome DevTools / speedscope).
//
//   node --import tsx bench/gateway-profile.ts [--duration 8] [--connections 50] [--top 40] [--no-profile] [--bare]
//     [--no-access-log] [--node-args=--trace-gc]
// The metered server logs every answer as production does unless --no-access-log.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore, migrateToLatest } from '../src/store/index.ts';
import { createBuyer, grantPackage, auditLedger } from '../src/billing/index.ts';
import { createApp } from '../src/gateway/index.ts';
import type { LoadResult } from './gateway-load.ts';
import { loadInOwnProcess, spawnServer } from './gateway-procs.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '40' },
    'no-profile': { type: 'boolean', default: false },
    'no-access-log': { type: 'boolean', default: false },
    bare: { type: 'boolean', default: false },
    /** more flags for the server's node, e.g. --node-args=--trace-gc (its stdout goes to this process's stderr) */
    'node-args': { type: 'string', multiple: true, default: [] },
  },
});
const duration = Number(flags.duration);
const connections = Number(flags.connections);
const top = Number(flags.top);
const profile = !flags['no-profile'];
const bare = flags.bare!;
const nodeArgs = flags['node-args']!.flatMap((a) => a.split(' ').filter(Boolean));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-gwprof-'));
const secretKey = crypto.randomBytes(32).toString('hex');
const databaseUrl = process.env.DATABASE_URL;
const store = openStore({ databaseUrl, sqlitePath: databaseUrl ? undefined : path.join(tmp, 'shiming.sqlite') });
await migrateToLatest(store);
const buyer = await createBuyer(store.db, { name: 'bench' });
const app = await createApp(store.db, { secretKey }, { buyerId: buyer.id });
await grantPackage(store.db, { buyerId: buyer.id, product: 'idcard-verify', calls: 100_000_000, days: 1, now: Date.now() });

function load(port: number, seconds: number): Promise<LoadResult> {
  return loadInOwnProcess({
    targets: [{
      port, method: 'POST', path: '/idcard/verify', body: bare ? '{}' : '{"result":"01"}',
      headers: bare ? { 'content-type': 'application/json' } : { authorization: `APPCODE ${app.appCode}`, 'content-type': 'application/json' },
    }],
    connections, duration: seconds,
  });
}

const profDir = path.join(tmp, 'prof');
const server = await spawnServer(bare ? 'bench/gateway-bare.ts' : 'test/gateway/support/metered-server.ts', {
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { SHIMING_DATA_DIR: tmp }), SQLITE_FILE: path.join(tmp, 'bare.sqlite'),
  SHIMING_SECRET_KEY: secretKey, NODE_ID: 'prof', ACCESS_LOG: flags['no-access-log'] ? '0' : '1',
}, { nodeArgs: [...nodeArgs, ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [])], echo: nodeArgs.length > 0 });
const { port } = server;
const cpu = async () => (await (await fetch(`http://127.0.0.1:${port}/_cpu`)).json()) as {
  us: number; holdBook?: { batches: number; ops: number }; loopDelay?: { p50: number; p99: number; max: number };
};
await load(port, 2);
const c0 = await cpu();
const r = await load(port, duration);
const c1 = await cpu();
await server.stop();
const perCall = (c1.us - c0.us) / 1000 / r.requests;
const batch = c1.holdBook && c0.holdBook ? (c1.holdBook.ops - c0.holdBook.ops) / Math.max(1, c1.holdBook.batches - c0.holdBook.batches) : undefined;
console.log(`${r.rps.toFixed(0)} calls/s  p50 ${r.p50} p99 ${r.p99} max ${r.max} ms  non-2xx ${r.non2xx} errors ${r.errors}  server CPU ${perCall.toFixed(3)} ms/call${batch ? `  batch ${batch.toFixed(1)} ops` : ''}${c1.loopDelay ? `  event loop delay p50 ${c1.loopDelay.p50.toFixed(1)} p99 ${c1.loopDelay.p99.toFixed(1)} max ${c1.loopDelay.max.toFixed(1)} ms` : ''}  load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (!bare) {
  const audit = await auditLedger(store.db);
  if (!audit.ok) console.log('AUDIT FAILED', JSON.stringify(audit).slice(0, 500));
}
await store.close();

if (profile) {
  interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
  const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  const p = JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const t = self.get(n.id) ?? 0;
    total += t;
    const f = n.callFrame.url.replace(/^file:\/\//, '').replace(root + '/', '').replace(/.*node_modules\//, 'nm:');
    const key = `${n.callFrame.functionName || '(anon)'} ${f}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
    const fk = f.startsWith('nm:') ? f.split('/').slice(0, f.startsWith('nm:@') ? 2 : 1).join('/') : f || n.callFrame.functionName;
    byFile.set(fk, (byFile.get(fk) ?? 0) + t);
  }
  const show = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k)
    .forEach(([name, t]) => console.log(`${(100 * t / total).toFixed(1).padStart(5)} %  ${name}`));
  console.log('\nself time by file / package:');
  show(byFile, 25);
  console.log('\nself time by function:');
  show(byFn, top);
  const keep = path.join(os.tmpdir(), `gateway-${bare ? 'bare' : 'metered'}.cpuprofile`);
  fs.copyFileSync(path.join(profDir, file), keep);
  console.log(`\nprofile: ${keep}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
