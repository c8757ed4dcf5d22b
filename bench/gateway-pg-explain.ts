// The PostgreSQL hot path's batch statements under EXPLAIN (ANALYZE, BUFFERS): an embedded
// PostgreSQL, 300 rounds of 16 reserves and settlements through openHoldBook (their statements
// captured as they go), then the last round's two statements again with new request ids and
// their plans printed, with a few settings and the tables' update counts (HOT or not).
//   node --import tsx bench/gateway-pg-explain.ts
import { sql } from 'kysely';
import { openStore, migrateToLatest } from '../src/store/index.ts';
import { createBuyer, grantPackage, openHoldBook, type Hold } from '../src/billing/index.ts';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import pgmod from 'pg';
const captured = new Map<string, { text: string; values: unknown[] }>();
const orig = pgmod.Client.prototype.query;
(pgmod.Client.prototype as any).query = function (this: unknown, ...args: any[]) {
  const c = args[0];
  if (c && typeof c === 'object' && c.name && true) captured.set(c.name, { text: c.text, values: c.values });
  return (orig as any).apply(this, args);
};
const pg = await startEmbeddedPostgres('shiming-bench-pgx-');
try {
  const store = openStore({ databaseUrl: pg.url, poolSize: 1 });
  await migrateToLatest(store);
  const db = store.db;
  const show = async (q: string) => console.log(q, JSON.stringify((await sql.raw(q).execute(db)).rows));
  await show(`SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()`);
  for (const s of ['shared_buffers', 'wal_level', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_compression', 'log_statement', 'log_min_duration_statement', 'track_io_timing', 'jit', 'autovacuum', 'checkpoint_timeout', 'max_wal_size']) await show(`SHOW ${s}`);
  const buyer = await createBuyer(db, { name: 'pg' });
  await grantPackage(db, { buyerId: buyer.id, product: 'idcard-verify', calls: 100_000_000, days: 1, now: Date.now() });
  const book = await openHoldBook(db);
  let seq = 0;
  for (let i = 0; i < 300; i++) {
    const now = Date.now();
    const held = await Promise.all(Array.from({ length: 16 }, () => book.reserve({ buyerId: buyer.id, appId: 1, product: 'idcard-verify', requestId: `r-${seq++}`, now })));
    await Promise.all(held.map((r) => book.settle((r as { hold: Hold }).hold, { resultCode: '01', latencyMs: 1, node: 'b', now })));
  }
  console.log('captured', captured.size);
  const client = new pgmod.Client({ connectionString: pg.url });
  await client.connect();
  const swap = (v: unknown) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' && x.startsWith('r-') ? 'x' + x.slice(1) : x)) : v);
  const explain = async (name: string, values: unknown[]) => {
    const q = captured.get(name)!;
    const r = await client.query({ text: 'EXPLAIN (ANALYZE, BUFFERS, TIMING on) ' + q.text.replace(/^\/\*.*?\*\/ /, ''), values });
    console.log('====', name, '\n' + r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n'));
  };
  try {
    const rv0 = captured.get('billing_reserve_batch')!.values.map((v) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' && x.startsWith('r-') ? 'w' + x.slice(1) : x)) : v));
    await explain('billing_reserve_batch', rv0);
    const rv = captured.get('billing_reserve_batch')!.values.map(swap);
    await explain('billing_reserve_batch', rv);
    const sv = captured.get('billing_settle_batch')!.values.map(swap);
    const ids = (await client.query({ text: 'SELECT id, request_id FROM holds WHERE request_id = ANY($1::text[])', values: [sv[5]] })).rows;
    const byReq = new Map(ids.map((r: { id: number; request_id: string }) => [r.request_id, r.id]));
    sv[0] = (sv[5] as string[]).map((r) => byReq.get(r));
    sv[9] = (sv[5] as string[]).map(() => (sv[9] as number[])[0]);
    if (sv.length > 11) sv[11] = sv[0];
    console.log('settle holds found', ids.length);
    await explain('billing_settle_batch', sv);
  } catch (e) { console.log('explain failed', e); }
  await client.end();
  await sql`LOAD 'auto_explain'`.execute(db).then(() => console.log('auto_explain loaded'), (e) => console.log('no auto_explain', String(e).slice(0, 100)));
  await show(`SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname IN ('holds','usage_ledger','call_packages')`);
  book.close();
  await store.close();
} finally {
  await pg.stop();
}
