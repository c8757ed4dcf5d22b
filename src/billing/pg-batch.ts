// Group commit on PostgreSQL: the holds (and the settlements) of the calls that arrive together
// go to the database as one statement per buyer, product and package, one round trip and one
// commit for the lot, instead of one of each per call. Calls on one package queue on its row
// lock; with batches, the queue moves a batch at a time.
//
// Taking calls stays exact: the batch locks the package it picked (FOR UPDATE, so it sees the
// newest used/held), gives holds to at most as many calls as are free, and raises `held` only
// `WHERE used + held + n <= total`; the holds are inserted only if that update happened. Calls
// the batch could not place (the package filled up, an app changed, no package) take the
// ordinary one-call path, which picks the next package or says why there is none.
import { sql } from 'kysely';
import type { Db } from './db.ts';
import type { Hold, HoldCallback, ReserveInput, ReserveResult, SettleInput, SettleResult, HoldBook } from './holds.ts';
import { DEFAULT_HOLD_TTL_MS, statsOf, toCallback } from './holds.ts';
import { DEFAULT_BILLABLE_CODES } from './products.ts';
import { Batcher } from './batcher.ts';

const ASYNC_COMMIT = sql`SELECT set_config('synchronous_commit', 'off', true) AS relaxed`;

/**
 * The batch statements go as named prepared statements (src/store/connect.ts PREPARED_STATEMENT):
 * PostgreSQL parses and plans each once per connection instead of once per batch.
 * SHIMING_PG_UNNAMED=1 sends them unnamed, only to measure against.
 */
const prepared = (name: string) => (process.env.SHIMING_PG_UNNAMED === '1' ? sql`` : sql.raw(`/* prepared:${name} */ `));
const RESERVE_BATCH = prepared('billing_reserve_batch');
const SETTLE_BATCH = prepared('billing_settle_batch');

/** Serialization failures and deadlocks: the statement changed nothing; run it again. */
function retryable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '40P01' || code === '40001';
}

async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!retryable(err) || attempt >= 3) throw err;
    }
  }
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  items.forEach((t, i) => {
    const k = key(t);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  return groups;
}

/** Holds for as many of `inputs` (one buyer and product) as the first package can give. */
async function reserveGroup(db: Db, inputs: ReserveInput[]): Promise<Map<string, Hold>> {
  const { buyerId, product } = inputs[0];
  const nows = inputs.map((i) => i.now);
  const minNow = Math.min(...nows);
  const maxNow = Math.max(...nows);
  const { rows } = await withRetry(() => sql<{ id: number | null; request_id: string | null; package_id: number | null }>`${RESERVE_BATCH}
    WITH relaxed AS (${ASYNC_COMMIT}),
    req AS (
      SELECT * FROM unnest(${inputs.map((i) => i.requestId)}::text[], ${inputs.map((i) => i.appId)}::bigint[],
        ${inputs.map((i) => i.appVersion ?? null)}::bigint[], ${nows}::bigint[],
        ${inputs.map((i) => i.now + (i.holdTtlMs ?? DEFAULT_HOLD_TTL_MS))}::bigint[])
        WITH ORDINALITY AS r(request_id, app_id, app_version, now, expires_at, ord)
    ),
    ok AS (
      SELECT req.*, row_number() OVER (ORDER BY req.ord) AS rn FROM req
      WHERE req.app_version IS NULL
        OR EXISTS (SELECT 1 FROM apps WHERE apps.id = req.app_id AND apps.version = req.app_version AND apps.status = 1)
    ),
    pkg AS (
      SELECT id, total - used - held AS free FROM call_packages
      WHERE buyer_id = ${buyerId} AND product = ${product} AND valid_from <= ${minNow} AND valid_to > ${maxNow}
        AND used + held < total
      ORDER BY valid_to, id LIMIT 1
      FOR UPDATE
    ),
    chosen AS (SELECT ok.*, pkg.id AS package_id FROM ok CROSS JOIN pkg WHERE ok.rn <= pkg.free),
    p AS (
      UPDATE call_packages SET held = held + (SELECT count(*) FROM chosen)
      WHERE id = (SELECT id FROM pkg) AND EXISTS (SELECT 1 FROM chosen)
        AND used + held + (SELECT count(*) FROM chosen) <= total
      RETURNING id
    ),
    h AS (
      INSERT INTO holds (package_id, buyer_id, app_id, product, request_id, state, created_at, expires_at)
      SELECT c.package_id, ${buyerId}, c.app_id, ${product}, c.request_id, 'pending', c.now, c.expires_at
      FROM chosen c WHERE EXISTS (SELECT 1 FROM p)
      RETURNING id, request_id, package_id
    )
    SELECT h.id, h.request_id, h.package_id FROM relaxed LEFT JOIN h ON true`.execute(db));
  const byRequest = new Map(inputs.map((i) => [i.requestId, i]));
  const out = new Map<string, Hold>();
  for (const r of rows) {
    if (r.id == null || r.request_id == null) continue;
    const input = byRequest.get(r.request_id)!;
    out.set(r.request_id, {
      id: Number(r.id), packageId: Number(r.package_id), buyerId, appId: input.appId, product, requestId: input.requestId,
      createdAt: input.now, expiresAt: input.now + (input.holdTtlMs ?? DEFAULT_HOLD_TTL_MS),
    });
  }
  return out;
}

interface SettleItem { hold: Hold; input: SettleInput }

/**
 * Closes the holds of one package, moves its counters and writes every call's ledger row.
 * The holds are found by their ids only: `(state = 'pending') IS TRUE` cannot use the index on
 * (state, expires_at), which the planner otherwise chose (it guesses few pending holds) and
 * which, between vacuums, holds an entry for every version of every hold updated since, all
 * 'pending' (a settled hold's update is not HOT): 4,800 entries read per batch after 5,000 calls
 * (EXPLAIN ANALYZE in bench/gateway-pg-explain.ts), more the longer the load.
 */
async function settleGroup(db: Db, items: SettleItem[]): Promise<SettleResult[]> {
  const bill = items.map(({ input }) => input.resultCode !== undefined && (input.billableCodes ?? DEFAULT_BILLABLE_CODES).includes(input.resultCode));
  const { rows } = await withRetry(() => sql<{ hold_id: number; settled: boolean; billed: number | null }>`${SETTLE_BATCH}
    WITH relaxed AS (${ASYNC_COMMIT}),
    i AS (
      SELECT * FROM unnest(
        ${items.map((t) => t.hold.id)}::bigint[], ${bill.map((b) => (b ? 'posted' : 'voided'))}::text[],
        ${items.map((t) => t.input.resultCode ?? null)}::text[], ${items.map((t) => Math.max(0, Math.round(t.input.latencyMs)))}::int[],
        ${items.map((t) => t.input.now)}::bigint[], ${items.map((t) => t.hold.requestId)}::text[],
        ${items.map((t) => t.hold.buyerId)}::bigint[], ${items.map((t) => t.hold.appId)}::bigint[],
        ${items.map((t) => t.hold.product)}::text[], ${items.map((t) => t.hold.packageId)}::bigint[],
        ${items.map((t) => t.input.node)}::text[])
        AS t(hold_id, state, result_code, latency_ms, now, request_id, buyer_id, app_id, product, package_id, node)
    ),
    h AS (
      UPDATE holds SET state = i.state, result_code = i.result_code, settled_at = i.now
      FROM i WHERE holds.id = ANY(${items.map((t) => t.hold.id)}::bigint[]) AND holds.id = i.hold_id
        AND (holds.state = 'pending') IS TRUE AND holds.expires_at > i.now
      RETURNING holds.id, holds.package_id, i.state AS new_state
    ),
    c AS (
      SELECT package_id, count(*) AS n, count(*) FILTER (WHERE new_state = 'posted') AS b FROM h GROUP BY package_id
    ),
    p AS (
      UPDATE call_packages SET used = used + c.b, held = held - c.n FROM c WHERE call_packages.id = c.package_id
      RETURNING call_packages.id
    ),
    l AS (
      INSERT INTO usage_ledger (request_id, buyer_id, app_id, product, package_id, hold_id, result_code, billed, latency_ms, node, created_at)
      SELECT i.request_id, i.buyer_id, i.app_id, i.product, i.package_id, i.hold_id, i.result_code,
        CASE WHEN i.state = 'posted' AND h.id IS NOT NULL THEN 1 ELSE 0 END, i.latency_ms, i.node, i.now
      FROM i LEFT JOIN h ON h.id = i.hold_id
      RETURNING hold_id, billed
    )
    SELECT l.hold_id, EXISTS (SELECT 1 FROM h WHERE h.id = l.hold_id) AS settled, l.billed FROM relaxed CROSS JOIN l`.execute(db));
  const byHold = new Map(rows.map((r) => [Number(r.hold_id), r]));
  return items.map((t) => {
    const r = byHold.get(t.hold.id);
    return { billed: Number(r?.billed) === 1, settled: r?.settled === true };
  });
}

// Two batches of each kind in flight per node: with several nodes on one package, a batch often
// waits on another node's lock, and a second one keeps the node's pipeline moving (measured:
// two nodes made 634 calls/s with two in flight against 354 with one, same load).
export function openPostgresBatches(db: Db, single: {
  reserve: (db: Db, input: ReserveInput) => Promise<ReserveResult>;
  settle: (db: Db, hold: Hold, input: SettleInput) => Promise<SettleResult>;
  sweep: (db: Db, q: { now: number }) => Promise<number>;
}): HoldBook {
  const reserves = new Batcher<ReserveInput, Hold | undefined>(async (inputs) => {
    const found = new Map<string, Hold>();
    await Promise.all([...groupBy(inputs, (i) => `${i.buyerId}\u0000${i.product}`).values()].map(async (idx) => {
      // A failed batch took nothing (one statement): its calls go the one-call path below.
      const placed = await reserveGroup(db, idx.map((i) => inputs[i])).catch(() => new Map<string, Hold>());
      for (const [k, v] of placed) found.set(k, v);
    }));
    return inputs.map((i) => found.get(i.requestId));
  }, { maxItems: 512, maxInFlight: 2 });
  let alone = 0;
  const settles = new Batcher<SettleItem, SettleResult>(async (items) => {
    const results: SettleResult[] = new Array(items.length);
    await Promise.all([...groupBy(items, (t) => String(t.hold.packageId)).values()].map(async (idx) => {
      const group = idx.map((i) => items[i]);
      // A failed batch changed nothing (one statement): settle its calls one by one instead.
      const r = await settleGroup(db, group).catch(() => {
        alone += group.length;
        return Promise.all(group.map((t) => single.settle(db, t.hold, t.input)));
      });
      idx.forEach((i, j) => { results[i] = r[j]; });
    }));
    return results;
  }, { maxItems: 512, maxInFlight: 2 });
  const reserveCb = (input: ReserveInput, cb: HoldCallback<ReserveResult>): void => reserves.pushCb(input, (err, hold) => {
    if (err !== undefined) return cb(err, undefined);
    if (hold) return cb(undefined, { ok: true, hold });
    alone++;
    toCallback(single.reserve(db, input), cb);
  });
  return {
    async reserve(input) {
      const hold = await reserves.push(input);
      if (hold) return { ok: true, hold };
      alone++;
      return single.reserve(db, input);
    },
    async settle(hold, input) {
      return settles.push({ hold, input });
    },
    reserveCb,
    settleCb: (hold, input, cb) => settles.pushCb({ hold, input }, cb),
    stats: () => ({ ...statsOf(reserves, settles), single: alone }),
    sweep: (now) => single.sweep(db, { now }),
    close() {},
  };
}
