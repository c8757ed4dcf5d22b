// The hold: a two-phase transfer of one call from a package (TigerBeetle's pending -> post/void).
// reserve() takes the call with a conditional update (used + held < total in the WHERE clause),
// so no interleaving of requests, threads or nodes can take a call that is not there; settle()
// posts or voids it; a hold nobody settles (a crashed node) expires back to the buyer.
import { sql } from 'kysely';
import { isPostgres, writeTransaction, type Db } from './db.ts';
import { DEFAULT_BILLABLE_CODES } from './products.ts';

export interface Hold {
  id: number;
  packageId: number;
  buyerId: number;
  appId: number;
  product: string;
  requestId: string;
  createdAt: number;
  expiresAt: number;
}

export interface ReserveInput {
  buyerId: number;
  appId: number;
  product: string;
  requestId: string;
  now: number;
  /** how long an unsettled hold keeps its call; far above any request's duration */
  holdTtlMs?: number;
  /**
   * Take the call only while the app still has this version and is active: a credential reset
   * on any node then refuses the next call at once, with no extra round trip.
   */
  appVersion?: number;
}

export type ReserveResult =
  | { ok: true; hold: Hold }
  | { ok: false; reason: 'exhausted' | 'expired' | 'app-changed' };

export const DEFAULT_HOLD_TTL_MS = 5 * 60_000;

/**
 * PostgreSQL: every call updates its package's row, so the calls of one package queue on that
 * row's lock, and waiting for each commit's WAL flush while holding it would cap a package at
 * one call per fsync. The hold and settle statements therefore commit asynchronously
 * (set_config(…, true) lasts for their own transaction only; nothing else is affected). A crash
 * of PostgreSQL itself may forget the last fraction of a second of them — whole statements, in
 * order, so the books still balance; the calls forgotten are simply not billed.
 */
const ASYNC_COMMIT = sql`SELECT set_config('synchronous_commit', 'off', true) AS relaxed`;
/** PostgreSQL: a concurrent request may fill the package we picked; pick again this often. */
const MAX_PICKS = 64;

/** Takes one call from the buyer's package that expires first, as a pending hold. */
export async function reserve(db: Db, input: ReserveInput): Promise<ReserveResult> {
  const hold = await takeCall(db, input);
  if (hold) return { ok: true, hold };
  // The slow path, only when nothing was taken: find out why, reclaim expired holds, try again.
  if (input.appVersion !== undefined) {
    const app = await db.selectFrom('apps').select(['version', 'status']).where('id', '=', input.appId).executeTakeFirst();
    if (!app || Number(app.version) !== input.appVersion || Number(app.status) !== 1) return { ok: false, reason: 'app-changed' };
  }
  const swept = await sweepExpiredHolds(db, { now: input.now, buyerId: input.buyerId, product: input.product });
  if (swept > 0) {
    const again = await takeCall(db, input);
    if (again) return { ok: true, hold: again };
  }
  return { ok: false, reason: await onlyExpired(db, input) ? 'expired' : 'exhausted' };
}

async function onlyExpired(db: Db, q: { buyerId: number; product: string; now: number }): Promise<boolean> {
  const row = await db.selectFrom('call_packages')
    .select([sql<number>`count(*)`.as('all'), sql<number>`sum(case when valid_to <= ${q.now} then 1 else 0 end)`.as('expired')])
    .where('buyer_id', '=', q.buyerId).where('product', '=', q.product)
    .executeTakeFirstOrThrow();
  return Number(row.all) > 0 && Number(row.all) === Number(row.expired);
}

async function takeCall(db: Db, input: ReserveInput): Promise<Hold | undefined> {
  const now = input.now;
  const expiresAt = now + (input.holdTtlMs ?? DEFAULT_HOLD_TTL_MS);
  const appGuard = input.appVersion === undefined
    ? sql``
    : sql`AND EXISTS (SELECT 1 FROM apps WHERE apps.id = ${input.appId} AND apps.version = ${input.appVersion} AND apps.status = 1)`;
  const pick = sql`SELECT id FROM call_packages
      WHERE buyer_id = ${input.buyerId} AND product = ${input.product} AND valid_from <= ${now} AND valid_to > ${now}
        AND used + held < total
      ORDER BY valid_to, id LIMIT 1`;
  const make = (row: { id: number; package_id: number }): Hold => ({
    id: Number(row.id), packageId: Number(row.package_id), buyerId: input.buyerId, appId: input.appId,
    product: input.product, requestId: input.requestId, createdAt: now, expiresAt,
  });

  if (isPostgres(db)) {
    // One statement, one round trip. Under READ COMMITTED a concurrent update of the picked row
    // makes PostgreSQL re-check `used + held < total` on the newest version: when it no longer
    // holds, nothing is taken and we pick again.
    for (let attempt = 0; attempt < MAX_PICKS; attempt++) {
      const { rows } = await sql<{ id: number; package_id: number; picked: number | null }>`
        WITH relaxed AS (${ASYNC_COMMIT}),
        picked AS (${pick}),
        p AS (
          UPDATE call_packages SET held = held + 1
          WHERE id = (SELECT id FROM picked) AND used + held < total ${appGuard}
          RETURNING id
        ),
        h AS (
          INSERT INTO holds (package_id, buyer_id, app_id, product, request_id, state, created_at, expires_at)
          SELECT id, ${input.buyerId}, ${input.appId}, ${input.product}, ${input.requestId}, 'pending', ${now}, ${expiresAt} FROM p
          RETURNING id, package_id
        )
        SELECT h.id, h.package_id, (SELECT id FROM picked) AS picked FROM relaxed LEFT JOIN h ON true`.execute(db);
      const row = rows[0];
      if (row?.id != null) return make(row);
      if (row?.picked == null) return undefined; // nothing to pick: no capacity at all
      if (input.appVersion !== undefined) {
        const ok = await db.selectFrom('apps').select('id').where('id', '=', input.appId)
          .where('version', '=', input.appVersion).where('status', '=', 1).executeTakeFirst();
        if (!ok) return undefined;
      }
    }
    return undefined;
  }

  // SQLite: one writer at a time, so the pick and the update cannot interleave with another's.
  return writeTransaction(db, async (trx) => {
    const { rows } = await sql<{ id: number }>`
      UPDATE call_packages SET held = held + 1
      WHERE id = (${pick}) AND used + held < total ${appGuard}
      RETURNING id`.execute(trx);
    if (!rows[0]) return undefined;
    const packageId = Number(rows[0].id);
    const h = await trx.insertInto('holds').values({
      package_id: packageId, buyer_id: input.buyerId, app_id: input.appId, product: input.product,
      request_id: input.requestId, state: 'pending', result_code: null, created_at: now, expires_at: expiresAt, settled_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    return make({ id: Number(h.id), package_id: packageId });
  });
}

export interface SettleInput {
  /** the product's result code; undefined (no answer, a crash, an error) voids the hold */
  resultCode?: string;
  billableCodes?: readonly string[];
  latencyMs: number;
  node: string;
  now: number;
}

export interface SettleResult {
  billed: boolean;
  /** false when the hold had already expired or been settled: nothing changed but the ledger */
  settled: boolean;
}

/**
 * Posts the hold when the result code is billable, voids it otherwise, and writes the call's
 * ledger row, all in one transaction (one statement on PostgreSQL). A hold that already expired
 * is not billed: its call went back to the buyer.
 */
export async function settle(db: Db, hold: Hold, input: SettleInput): Promise<SettleResult> {
  const codes = input.billableCodes ?? DEFAULT_BILLABLE_CODES;
  const bill = input.resultCode !== undefined && codes.includes(input.resultCode);
  const state = bill ? 'posted' : 'voided';
  const resultCode = input.resultCode ?? null;
  const latency = Math.max(0, Math.round(input.latencyMs));
  if (isPostgres(db)) {
    const { rows } = await sql<{ billed: number; settled: number }>`
      WITH relaxed AS (${ASYNC_COMMIT}),
      h AS (
        UPDATE holds SET state = ${state}, result_code = ${resultCode}, settled_at = ${input.now}
        WHERE id = ${hold.id} AND state = 'pending' AND expires_at > ${input.now}
        RETURNING package_id
      ),
      p AS (
        UPDATE call_packages SET used = used + ${bill ? 1 : 0}, held = held - 1
        WHERE id = (SELECT package_id FROM h)
        RETURNING id
      ),
      l AS (
        INSERT INTO usage_ledger (request_id, buyer_id, app_id, product, package_id, hold_id, result_code, billed, latency_ms, node, created_at)
        VALUES (${hold.requestId}, ${hold.buyerId}, ${hold.appId}, ${hold.product}, ${hold.packageId}, ${hold.id}, ${resultCode},
          CASE WHEN ${bill} AND EXISTS (SELECT 1 FROM p) THEN 1 ELSE 0 END, ${latency}, ${input.node}, ${input.now})
        RETURNING billed
      )
      SELECT (SELECT billed FROM l) AS billed, (SELECT count(*) FROM p) AS settled FROM relaxed`.execute(db);
    return { billed: Number(rows[0]?.billed) === 1, settled: Number(rows[0]?.settled) > 0 };
  }
  return writeTransaction(db, async (trx) => {
    const { rows } = await sql<{ package_id: number }>`
      UPDATE holds SET state = ${state}, result_code = ${resultCode}, settled_at = ${input.now}
      WHERE id = ${hold.id} AND state = 'pending' AND expires_at > ${input.now} RETURNING package_id`.execute(trx);
    const settled = rows.length > 0;
    if (settled) {
      await sql`UPDATE call_packages SET used = used + ${bill ? 1 : 0}, held = held - 1 WHERE id = ${hold.packageId}`.execute(trx);
    }
    const billed = settled && bill;
    await trx.insertInto('usage_ledger').values({
      request_id: hold.requestId, buyer_id: hold.buyerId, app_id: hold.appId, product: hold.product,
      package_id: hold.packageId, hold_id: hold.id, result_code: resultCode, billed: billed ? 1 : 0,
      latency_ms: latency, node: input.node, created_at: input.now,
    }).execute();
    return { billed, settled };
  });
}

/** A call answered without taking a hold (an idempotent retry of a billed call): never billed. */
export async function recordUnbilledCall(db: Db, call: {
  requestId: string; buyerId: number; appId: number; product: string; resultCode?: string; latencyMs: number; node: string; now: number;
}): Promise<void> {
  await db.insertInto('usage_ledger').values({
    request_id: call.requestId, buyer_id: call.buyerId, app_id: call.appId, product: call.product,
    package_id: null, hold_id: null, result_code: call.resultCode ?? null, billed: 0,
    latency_ms: Math.max(0, Math.round(call.latencyMs)), node: call.node, created_at: call.now,
  }).execute();
}

/**
 * Returns every expired pending hold's call to its package. Runs lazily in reserve (for one
 * buyer and product) and periodically for everyone. Returns how many holds expired.
 */
export async function sweepExpiredHolds(db: Db, q: { now: number; buyerId?: number; product?: string }): Promise<number> {
  const scope = q.buyerId !== undefined && q.product !== undefined
    ? sql`AND buyer_id = ${q.buyerId} AND product = ${q.product}`
    : sql``;
  if (isPostgres(db)) {
    const { rows } = await sql<{ n: number }>`
      WITH e AS (
        UPDATE holds SET state = 'expired', settled_at = ${q.now}
        WHERE state = 'pending' AND expires_at <= ${q.now} ${scope}
        RETURNING package_id
      ),
      c AS (SELECT package_id, count(*) AS n FROM e GROUP BY package_id),
      p AS (UPDATE call_packages SET held = held - c.n FROM c WHERE call_packages.id = c.package_id RETURNING 1)
      SELECT coalesce(sum(n), 0) AS n FROM c`.execute(db);
    return Number(rows[0]?.n ?? 0);
  }
  return writeTransaction(db, async (trx) => {
    const { rows } = await sql<{ package_id: number }>`
      UPDATE holds SET state = 'expired', settled_at = ${q.now}
      WHERE state = 'pending' AND expires_at <= ${q.now} ${scope}
      RETURNING package_id`.execute(trx);
    const perPackage = new Map<number, number>();
    for (const r of rows) perPackage.set(Number(r.package_id), (perPackage.get(Number(r.package_id)) ?? 0) + 1);
    for (const [id, n] of perPackage) await sql`UPDATE call_packages SET held = held - ${n} WHERE id = ${id}`.execute(trx);
    return rows.length;
  });
}

/**
 * reserve() and settle() bound to one store, with group commit (src/billing/batcher.ts): the
 * holds and settlements of concurrent calls go to the database together. On a SQLite file, one
 * IMMEDIATE transaction of prepared statements per batch on a dedicated connection (refusals
 * included; only when another process keeps the database busy does an op take the ordinary
 * path on its own); on
 * PostgreSQL, one statement per batch and package (src/billing/pg-batch.ts), the calls it could
 * not place again taking the ordinary path one by one.
 */
export interface HoldBook {
  reserve(input: ReserveInput): Promise<ReserveResult>;
  settle(hold: Hold, input: SettleInput): Promise<SettleResult>;
  /**
   * reserve() and settle() without promises: `cb(undefined, result)` or `cb(error)`, never
   * synchronously. The same decisions and the same batches; for the metering hooks' fast path.
   */
  reserveCb(input: ReserveInput, cb: HoldCallback<ReserveResult>): void;
  settleCb(hold: Hold, input: SettleInput, cb: HoldCallback<SettleResult>): void;
  /** group commit so far: batches sent, ops in them, and ops that then took the one-call path */
  stats(): HoldBookStats;
  /**
   * sweepExpiredHolds for everyone, on the book's own connection (on SQLite one synchronous
   * transaction, so the hot path never waits on a sweep that holds the write lock across awaits)
   */
  sweep(now: number): Promise<number>;
  close(): void;
}

/** Node-style: `err` is undefined on success. */
export type HoldCallback<T> = (err: unknown, result: T | undefined) => void;

/** a promise's outcome to a HoldCallback (a rejection with no reason still counts as an error) */
export function toCallback<T>(p: Promise<T>, cb: HoldCallback<T>): void {
  p.then((r) => cb(undefined, r), (err: unknown) => cb(err ?? new Error('failed'), undefined));
}

export interface HoldBookStats {
  batches: number;
  ops: number;
  single: number;
}

function unbatched(db: Db): HoldBook {
  let single = 0;
  return {
    reserve: (i) => { single++; return reserve(db, i); },
    settle: (h, i) => { single++; return settle(db, h, i); },
    reserveCb: (i, cb) => { single++; toCallback(reserve(db, i), cb); },
    settleCb: (h, i, cb) => { single++; toCallback(settle(db, h, i), cb); },
    stats: () => ({ batches: 0, ops: 0, single }),
    sweep: (now) => sweepExpiredHolds(db, { now }),
    close() {},
  };
}

export interface HoldBookOptions {
  /** false: one transaction per call, as before group commit (default true) */
  batch?: boolean;
  /**
   * SQLite: run the hot path's transactions in a worker thread (default false: on the 2-core
   * test machine, shared with other work, it measured slower — 0.29-0.32 against 0.23-0.27 ms
   * of CPU per call — the messages and wake-ups costing more than the event loop saves)
   */
  thread?: boolean;
}

export function statsOf(...batchers: Array<{ sent: { batches: number; items: number } } | undefined>): { batches: number; ops: number } {
  let batches = 0;
  let ops = 0;
  for (const b of batchers) {
    batches += b?.sent.batches ?? 0;
    ops += b?.sent.items ?? 0;
  }
  return { batches, ops };
}

/** SQLite: how long a batch retries a database another process keeps busy before the ordinary path */
const SQLITE_RETRY_MS = 2000;

export async function openHoldBook(db: Db, options: HoldBookOptions = {}): Promise<HoldBook> {
  const batch = options.batch ?? true;
  if (isPostgres(db)) {
    if (!batch) return unbatched(db);
    const { openPostgresBatches } = await import('./pg-batch.ts');
    return openPostgresBatches(db, { reserve, settle, sweep: sweepExpiredHolds });
  }
  const { rows } = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(db);
  const file = rows.find((r) => r.name === 'main')?.file;
  if (!file) return unbatched(db);
  const { FastPathBusy } = await import('./sqlite-fast.ts');
  const { SqliteThread, inThread } = await import('./sqlite-thread.ts');
  const { Batcher } = await import('./batcher.ts');
  type FastOp = import('./sqlite-fast.ts').FastOp;
  type FastOutcome = import('./sqlite-fast.ts').FastOutcome;
  // The transactions run in this thread, or in a thread of their own (sqlite-thread.ts) when
  // asked and it can start. Another process (a second node, the CLI) holding the write lock: the thread
  // waits inside SQLite (50 ms busy timeout); in this thread SQLite waits only 2 ms (it blocks
  // the event loop); either way the batch is tried again after a timer (the event loop runs
  // on, so a transaction of this process's own store connection can finish too). After
  // SQLITE_RETRY_MS the ops take the ordinary path, which waits on the store's busy timeout.
  const local = () => inThread(file, 2, CHECKPOINT_MS);
  let f: import('./sqlite-thread.ts').HotPath | undefined;
  if (options.thread === true) {
    try {
      f = await SqliteThread.open(file, 50, CHECKPOINT_MS);
    } catch {
      // the hot path stays in this thread
    }
  }
  f ??= local();
  // The store's own connection (kysely: nonces, idempotency keys, housekeeping) must not
  // checkpoint in its commits either: with the hot path writing all the time the log is nearly
  // always past SQLite's 1000-page mark, so any such commit would copy it into the database and
  // wait for two fsyncs on the event loop (seen with `perf trace`: 40 ms, every 10 s from the
  // heartbeat alone, and on every signed call's nonce). The hot path's checkpointer covers it.
  await sql`PRAGMA wal_autocheckpoint = 0`.execute(db);
  const hot = (): import('./sqlite-thread.ts').HotPath => {
    if (f instanceof SqliteThread && f.failed) f = local();
    return f!;
  };
  const runWithRetry = async (ops: FastOp[]): Promise<FastOutcome[]> => {
    for (let waited = 0; ;) {
      const out = await hot().runBatch(ops);
      const busy = out.every((o) => !o.ok && o.error instanceof FastPathBusy);
      if (!busy || waited >= SQLITE_RETRY_MS) return out;
      const pause = Math.min(1 + (waited >> 3), 10);
      await new Promise((r) => setTimeout(r, pause));
      waited += pause;
    }
  };
  const run = (op: FastOp, cb: (err: unknown, out: FastOutcome | undefined) => void): void => {
    if (batch) batcher.pushCb(op, cb);
    else toCallback(runWithRetry([op]).then((out) => out[0]), cb);
  };
  const batcher = new Batcher<FastOp, FastOutcome>(runWithRetry, { maxItems: 256, maxInFlight: 1 });
  let single = 0;
  const reserveCb = (input: ReserveInput, cb: HoldCallback<ReserveResult>): void => run({ kind: 'reserve', input }, (err, out) => {
    if (err !== undefined) return cb(err, undefined);
    if (out!.ok) return cb(undefined, out!.value as ReserveResult);
    if (!(out!.error instanceof FastPathBusy)) return cb(out!.error ?? new Error('reserve failed'), undefined);
    // The database was busy (another process's transaction): the ordinary path waits its turn.
    single++;
    toCallback(reserve(db, input), cb);
  });
  const settleCb = (hold: Hold, input: SettleInput, cb: HoldCallback<SettleResult>): void => run({ kind: 'settle', hold, input }, (err, out) => {
    if (err !== undefined) return cb(err, undefined);
    if (out!.ok) return cb(undefined, out!.value as SettleResult);
    if (!(out!.error instanceof FastPathBusy)) return cb(out!.error ?? new Error('settle failed'), undefined);
    single++;
    toCallback(settle(db, hold, input), cb);
  });
  return {
    reserve: (input) => promised<ReserveResult>((cb) => reserveCb(input, cb)),
    settle: (hold, input) => promised<SettleResult>((cb) => settleCb(hold, input, cb)),
    reserveCb,
    settleCb,
    stats: () => ({ ...statsOf(batch ? batcher : undefined), single }),
    async sweep(now) {
      try {
        return await hot().sweep(now);
      } catch (err) {
        if (!(err instanceof FastPathBusy)) throw err;
        return sweepExpiredHolds(db, { now });
      }
    },
    close: () => {
      f!.close();
      sql`PRAGMA wal_autocheckpoint = 1000`.execute(db).catch(() => {});
    },
  };
}

function promised<T>(start: (cb: HoldCallback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start((err, r) => (err === undefined ? resolve(r as T) : reject(err))));
}

/** SQLite: WAL checkpoints from a worker thread this often (see sqlite-fast.ts) */
const CHECKPOINT_MS = 250;
