// Where the gateway's latency tail comes from: one metered SQLite server (or the bare route)
// loaded by bench/gateway-load.ts in its own process, with the slowest requests' send times
// set beside the server's garbage collection pauses and event loop delay, and the generator's
// own pauses. Variants run interleaved (A B A B …) so that a busy machine hits each alike.
//
//   node --import tsx bench/gateway-tail.ts [--duration 6] [--connections 50] [--runs 2]
//     [--variant 'label|node args|K=V,K=V'] … [--bare]
//
// e.g. --variant 'default||' --variant 'semi 64|--max-semi-space-size=64|' --variant 'no log||ACCESS_LOG=0'
// (the metered server logs every answer as production does unless a variant sets ACCESS_LOG=0)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore, migrateToLatest } from '../src/store/index.ts';
import { createBuyer, grantPackage, auditLedger } from '../src/billing/index.ts';
import { createApp } from '../src/gateway/index.ts';
import { loadInOwnProcess, spawnServer } from './gateway-procs.ts';
import type { LoadSpec } from './gateway-load.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' },
    connections: { type: 'string', default: '50' },
    runs: { type: 'string', default: '1' },
    variant: { type: 'string', multiple: true, default: ['default||'] },
    bare: { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const variants = values.variant!.map((v) => {
  const [label, nodeArgs = '', env = ''] = v.split('|');
  return {
    label, nodeArgs: nodeArgs.split(' ').filter(Boolean),
    env: Object.fromEntries(env.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  };
});

interface Probe { us: number; mainUs?: number; holdBook?: { batches: number; ops: number }; loopDelay?: { p50: number; p99: number; max: number }; gc?: Array<[number, number]> }

async function once(v: (typeof variants)[number]): Promise<string> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-gwtail-'));
  const secretKey = crypto.randomBytes(32).toString('hex');
  const store = openStore({ sqlitePath: path.join(tmp, 'shiming.sqlite') });
  await migrateToLatest(store);
  const buyer = await createBuyer(store.db, { name: 'bench' });
  const app = await createApp(store.db, { secretKey }, { buyerId: buyer.id });
  await grantPackage(store.db, { buyerId: buyer.id, product: 'idcard-verify', calls: 100_000_000, days: 1, now: Date.now() });
  const server = await spawnServer(values.bare ? 'bench/gateway-bare.ts' : 'test/gateway/support/metered-server.ts', {
    SHIMING_DATA_DIR: tmp, SQLITE_FILE: path.join(tmp, 'bare.sqlite'), SHIMING_SECRET_KEY: secretKey, NODE_ID: 'tail', ACCESS_LOG: '1', ...v.env,
  }, { nodeArgs: v.nodeArgs });
  const probe = async () => (await (await fetch(`${server.url}/_cpu`)).json()) as Probe;
  const spec = (seconds: number): LoadSpec => ({
    targets: [{
      port: server.port, method: 'POST', path: '/idcard/verify', body: values.bare ? '{}' : '{"result":"01"}',
      headers: values.bare ? { 'content-type': 'application/json' } as Record<string, string> : { authorization: `APPCODE ${app.appCode}`, 'content-type': 'application/json' },
    }],
    connections, duration: seconds, slowest: 0.01,
  });
  try {
    await loadInOwnProcess(spec(2));
    const p0 = await probe();
    const load0 = os.loadavg()[0];
    const r = await loadInOwnProcess(spec(duration));
    const p1 = await probe();
    const gc = p1.gc ?? [];
    const gcMs = gc.reduce((s, g) => s + g[1], 0);
    const gcMax = gc.reduce((m, g) => Math.max(m, g[1]), 0);
    // a slow request "met" a pause when a pause started while it was in flight
    const slow = r.slow ?? [];
    const met = slow.filter(([at, ms]) => gc.some(([g, d]) => g + d >= at && g <= at + ms)).length;
    const all = [...slow].sort((a, b) => a[0] - b[0]);
    // do the slowest 1 % come in bursts? the spread of their send times in 10 ms bins
    const bins = new Set(all.map(([at]) => Math.floor(at / 10))).size;
    const batch = p1.holdBook && p0.holdBook ? (p1.holdBook.ops - p0.holdBook.ops) / Math.max(1, p1.holdBook.batches - p0.holdBook.batches) : undefined;
    if (!values.bare) {
      const audit = await auditLedger(store.db);
      if (!audit.ok) throw new Error(`audit failed: ${JSON.stringify(audit).slice(0, 300)}`);
    }
    const f = (x: number) => x.toFixed(2);
    return `${v.label.padEnd(14)} ${r.rps.toFixed(0).padStart(5)}/s p50 ${f(r.p50)} p90 ${f(r.p90)} p99 ${f(r.p99)} max ${f(r.max)}`
      + ` | CPU ${((p1.us - p0.us) / 1000 / r.requests).toFixed(3)} ms/call (event loop thread ${p1.mainUs !== undefined && p0.mainUs !== undefined ? ((p1.mainUs - p0.mainUs) / 1000 / r.requests).toFixed(3) : '?'})${batch ? ` batch ${batch.toFixed(1)}` : ''}`
      + ` | server loop p99 ${f(p1.loopDelay?.p99 ?? 0)} max ${f(p1.loopDelay?.max ?? 0)}, gc ${gc.length}× ${f(gcMs)} ms (max ${f(gcMax)}, ${(100 * gcMs / (r.seconds * 1000)).toFixed(1)} %)`
      + ` | slowest 1 %: ${(100 * met / Math.max(1, slow.length)).toFixed(0)} % met a gc, in ${bins} 10-ms bins`
      + ` | generator loop p99 ${f(r.own.loopP99)} max ${f(r.own.loopMax)} gc ${r.own.gcCount}× ${f(r.own.gcMs)} ms (max ${f(r.own.gcMaxMs)})`
      + ` | load ${load0.toFixed(1)}`;
  } finally {
    await server.stop();
    await store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

for (let run = 0; run < Number(values.runs); run++) {
  for (const v of variants) console.log(await once(v));
}
