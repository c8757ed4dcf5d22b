// The hot path on SQLite without the query builder: prepared statements on a connection of our
// own, a batch of reserves and settlements (group commit) in one short synchronous IMMEDIATE
// transaction. Kysely prepares every statement anew, which costs more than the work itself at
// thousands of calls per second.
//
// The connection never holds the write lock across an await, so it cannot stall the store's own
// connection. The reverse can happen (the store's connection inside a multi-statement
// transaction, or another process writing); then this connection gives up after a short busy
// timeout and openHoldBook tries the batch again after a timer, then the ordinary path.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Hold, ReserveInput, ReserveResult, SettleInput, SettleResult } from './holds.ts';
import { DEFAULT_HOLD_TTL_MS } from './holds.ts';
import { DEFAULT_BILLABLE_CODES } from './products.ts';

export class FastPathBusy extends Error {}

// WAL checkpoints off the event loop: a checkpoint copies the log into the database file and
// waits for fsync, which on the hot path's thread stalls every call in flight (SQLite runs one
// by default in the commit that grows the log past 1000 pages). A worker thread with its own
// connection checkpoints PASSIVE (never blocking a writer) every few hundred ms instead; should
// the log still grow large, it waits for a RESTART (in the worker, not the event loop).
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 200');
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r && r.log > workerData.restartPages) db.pragma('wal_checkpoint(RESTART)');
  } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;
const RESTART_PAGES = 20_000;

function startCheckpointer(file: string, intervalMs: number, onError: () => void): Worker | undefined {
  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { module, file, intervalMs, restartPages: RESTART_PAGES } });
    worker.on('error', onError);
    worker.unref();
    return worker;
  } catch {
    onError();
    return undefined;
  }
}

/** a batch reads at most this many of a buyer's usable packages at once (more: op by op) */
const CANDIDATES = 32;

/** One call's hold or settlement, as a group commit carries it. */
export type FastOp =
  | { kind: 'reserve'; input: ReserveInput }
  | { kind: 'settle'; hold: Hold; input: SettleInput };

/** Per op: its result (a Hold or undefined for a reserve, a SettleResult for a settle) or its error. */
export type FastOutcome = { ok: true; value: ReserveResult | SettleResult } | { ok: false; error: unknown };

function expiresAtOf(input: ReserveInput): number {
  return input.now + (input.holdTtlMs ?? DEFAULT_HOLD_TTL_MS);
}

function billable(input: SettleInput): boolean {
  return input.resultCode !== undefined && (input.billableCodes ?? DEFAULT_BILLABLE_CODES).includes(input.resultCode);
}

export class SqliteFastPath {
  private readonly db: Database.Database;
  private readonly pick: Database.Statement;
  private readonly pickGuarded: Database.Statement;
  private readonly insertHold: Database.Statement;
  private readonly closeHold: Database.Statement;
  private readonly settlePackage: Database.Statement;
  private readonly insertLedger: Database.Statement;
  private readonly appState: Database.Statement;
  private readonly expireHolds: Database.Statement;
  private readonly releaseHeld: Database.Statement;
  private readonly packageCounts: Database.Statement;
  private readonly reserveTx: Database.Transaction<(input: ReserveInput, expiresAt: number) => ReserveResult>;
  private readonly settleTx: Database.Transaction<(hold: Hold, input: SettleInput, bill: boolean) => SettleResult>;
  private readonly batchTx: Database.Transaction<(ops: FastOp[]) => Array<ReserveResult | SettleResult>>;
  private readonly sweepTx: Database.Transaction<(now: number) => number>;

  private readonly checkpointer?: Worker;

  /** `checkpointMs`: checkpoint from a worker thread this often instead of in this connection's commits */
  constructor(file: string, busyTimeoutMs = 25, checkpointMs?: number) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    this.db.pragma('synchronous = NORMAL');
    if (checkpointMs !== undefined && file !== ':memory:' && file !== '') {
      this.db.pragma('wal_autocheckpoint = 0');
      // no worker: checkpoints in the commits again, as SQLite does by default
      this.checkpointer = startCheckpointer(file, checkpointMs, () => {
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      });
    }
    const pickSql = (guard: string) => `UPDATE call_packages SET held = held + 1
      WHERE id = (SELECT id FROM call_packages WHERE buyer_id = @buyerId AND product = @product AND valid_from <= @now
                  AND valid_to > @now AND used + held < total ORDER BY valid_to, id LIMIT 1)
        AND used + held < total ${guard}
      RETURNING id`;
    this.pick = this.db.prepare(pickSql(''));
    this.pickGuarded = this.db.prepare(pickSql('AND EXISTS (SELECT 1 FROM apps WHERE apps.id = @appId AND apps.version = @appVersion AND apps.status = 1)'));
    this.insertHold = this.db.prepare(`INSERT INTO holds (package_id, buyer_id, app_id, product, request_id, state, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`);
    this.closeHold = this.db.prepare(`UPDATE holds SET state = ?, result_code = ?, settled_at = ?
      WHERE id = ? AND state = 'pending' AND expires_at > ?`);
    this.settlePackage = this.db.prepare('UPDATE call_packages SET used = used + ?, held = held - 1 WHERE id = ?');
    this.insertLedger = this.db.prepare(`INSERT INTO usage_ledger (request_id, buyer_id, app_id, product, package_id, hold_id, result_code, billed, latency_ms, node, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

    this.appState = this.db.prepare('SELECT version, status FROM apps WHERE id = ?');
    this.expireHolds = this.db.prepare(`UPDATE holds SET state = 'expired', settled_at = @now
      WHERE state = 'pending' AND expires_at <= @now AND buyer_id = @buyerId AND product = @product RETURNING package_id`);
    this.releaseHeld = this.db.prepare('UPDATE call_packages SET held = held - ? WHERE id = ?');
    this.packageCounts = this.db.prepare(`SELECT count(*) AS n, coalesce(sum(CASE WHEN valid_to <= @now THEN 1 ELSE 0 END), 0) AS expired
      FROM call_packages WHERE buyer_id = @buyerId AND product = @product`);

    const takeOne = (input: ReserveInput, expiresAt: number): Hold | undefined => {
      const params = { buyerId: input.buyerId, product: input.product, now: input.now, appId: input.appId, appVersion: input.appVersion };
      const row = (input.appVersion === undefined ? this.pick.get(params) : this.pickGuarded.get(params)) as { id: number } | undefined;
      if (!row) return undefined;
      const holdId = Number(this.insertHold.run(row.id, input.buyerId, input.appId, input.product, input.requestId, input.now, expiresAt).lastInsertRowid);
      return {
        id: holdId, packageId: Number(row.id), buyerId: input.buyerId, appId: input.appId, product: input.product,
        requestId: input.requestId, createdAt: input.now, expiresAt,
      };
    };
    // The same decisions as holds.ts reserve(), inside the transaction: nothing taken -> the app
    // changed? expired holds of this buyer and product back, try again; else exhausted or expired.
    const reserveOne = (input: ReserveInput, expiresAt: number): ReserveResult => {
      const hold = takeOne(input, expiresAt);
      if (hold) return { ok: true, hold };
      if (input.appVersion !== undefined) {
        const app = this.appState.get(input.appId) as { version: number; status: number } | undefined;
        if (!app || Number(app.version) !== input.appVersion || Number(app.status) !== 1) return { ok: false, reason: 'app-changed' };
      }
      const q = { now: input.now, buyerId: input.buyerId, product: input.product };
      const expired = this.expireHolds.all(q) as Array<{ package_id: number }>;
      if (expired.length > 0) {
        const perPackage = new Map<number, number>();
        for (const r of expired) perPackage.set(Number(r.package_id), (perPackage.get(Number(r.package_id)) ?? 0) + 1);
        for (const [id, n] of perPackage) this.releaseHeld.run(n, id);
        const again = takeOne(input, expiresAt);
        if (again) return { ok: true, hold: again };
      }
      const c = this.packageCounts.get(q) as { n: number; expired: number };
      return { ok: false, reason: Number(c.n) > 0 && Number(c.n) === Number(c.expired) ? 'expired' : 'exhausted' };
    };
    const settleOne = (hold: Hold, input: SettleInput, bill: boolean, move?: (packageId: number, used: number, held: number) => void): SettleResult => {
      // (run, not RETURNING: the statement's result object is all a call needs; a few µs per call)
      const closed = this.closeHold.run(bill ? 'posted' : 'voided', input.resultCode ?? null, input.now, hold.id, input.now).changes === 1;
      if (closed) {
        if (move) move(hold.packageId, bill ? 1 : 0, -1);
        else this.settlePackage.run(bill ? 1 : 0, hold.packageId);
      }
      const billed = !!closed && bill;
      this.insertLedger.run(hold.requestId, hold.buyerId, hold.appId, hold.product, hold.packageId, hold.id, input.resultCode ?? null,
        billed ? 1 : 0, Math.max(0, Math.round(input.latencyMs)), input.node, input.now);
      return { billed, settled: !!closed };
    };
    this.reserveTx = this.db.transaction(reserveOne);
    this.settleTx = this.db.transaction(settleOne);
    const expireAll = this.db.prepare(`UPDATE holds SET state = 'expired', settled_at = @now
      WHERE state = 'pending' AND expires_at <= @now RETURNING package_id`);
    this.sweepTx = this.db.transaction((now: number) => {
      const rows = expireAll.all({ now }) as Array<{ package_id: number }>;
      const perPackage = new Map<number, number>();
      for (const r of rows) perPackage.set(Number(r.package_id), (perPackage.get(Number(r.package_id)) ?? 0) + 1);
      for (const [id, n] of perPackage) this.releaseHeld.run(n, id);
      return rows.length;
    });
    // A batch decides in memory what each op would decide alone, in order, inside its one
    // IMMEDIATE transaction (no other writer can move a count meanwhile): the buyer's packages
    // and each app's state are read once per batch instead of once per call, and each package's
    // counters are written once per batch (guarded again by `used + held <= total`: a mistake
    // here fails the batch, which then runs op by op). Anything unusual — no package found, a
    // list cut short, a call given back (a void frees a call) — takes the one-op path above after
    // the counts so far are written.
    const candidates = this.db.prepare(`SELECT id, valid_from, valid_to, total - used - held AS free FROM call_packages
      WHERE buyer_id = ? AND product = ? AND valid_to > ? AND used + held < total ORDER BY valid_to, id LIMIT ${CANDIDATES}`);
    const movePackage = this.db.prepare('UPDATE call_packages SET used = used + ?, held = held + ? WHERE id = ? AND used + held + ? + ? <= total');
    this.batchTx = this.db.transaction((ops: FastOp[]) => {
      const lists = new Map<string, { now: number; cut: boolean; rows: Array<{ id: number; from: number; to: number; free: number }> }>();
      const apps = new Map<number, { version: number; status: number } | undefined>();
      const moves = new Map<number, { used: number; held: number }>();
      const move = (packageId: number, used: number, held: number) => {
        const m = moves.get(packageId);
        if (m) {
          m.used += used;
          m.held += held;
        } else {
          moves.set(packageId, { used, held });
        }
      };
      const flush = () => {
        for (const [id, m] of moves) {
          if (m.used === 0 && m.held === 0) continue;
          if (movePackage.run(m.used, m.held, id, m.used, m.held).changes !== 1) throw new Error(`package ${id}: the batch would overdraw it`);
        }
        moves.clear();
      };
      const slow = (key: string, input: ReserveInput): ReserveResult => {
        flush();
        lists.delete(key);
        return reserveOne(input, expiresAtOf(input));
      };
      const out: Array<ReserveResult | SettleResult> = new Array(ops.length);
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        if (op.kind === 'settle') {
          const bill = billable(op.input);
          const r = settleOne(op.hold, op.input, bill, move);
          // a void gives a call back: the buyer's list is read again before the next reserve
          if (r.settled && !bill) lists.delete(`${op.hold.buyerId}\u0000${op.hold.product}`);
          out[i] = r;
          continue;
        }
        const input = op.input;
        if (input.appVersion !== undefined) {
          let app = apps.get(input.appId);
          if (app === undefined && !apps.has(input.appId)) {
            app = this.appState.get(input.appId) as { version: number; status: number } | undefined;
            apps.set(input.appId, app);
          }
          if (!app || Number(app.version) !== input.appVersion || Number(app.status) !== 1) {
            out[i] = { ok: false, reason: 'app-changed' };
            continue;
          }
        }
        const key = `${input.buyerId}\u0000${input.product}`;
        let list = lists.get(key);
        if (!list || input.now < list.now) {
          flush();
          const rows = candidates.all(input.buyerId, input.product, input.now) as Array<{ id: number; valid_from: number; valid_to: number; free: number }>;
          list = {
            now: input.now, cut: rows.length >= CANDIDATES,
            rows: rows.map((r) => ({ id: Number(r.id), from: Number(r.valid_from), to: Number(r.valid_to), free: Number(r.free) })),
          };
          lists.set(key, list);
        }
        const now = input.now;
        const pick = list.rows.find((r) => r.free > 0 && r.from <= now && r.to > now);
        if (!pick) {
          out[i] = slow(key, input);
          continue;
        }
        pick.free--;
        move(pick.id, 0, 1);
        const expiresAt = expiresAtOf(input);
        const holdId = Number(this.insertHold.run(pick.id, input.buyerId, input.appId, input.product, input.requestId, now, expiresAt).lastInsertRowid);
        out[i] = {
          ok: true,
          hold: { id: holdId, packageId: pick.id, buyerId: input.buyerId, appId: input.appId, product: input.product, requestId: input.requestId, createdAt: now, expiresAt },
        };
      }
      flush();
      return out;
    });
  }

  /**
   * Group commit: every op in one IMMEDIATE transaction, each op's statements exactly as when it
   * runs alone (the conditional update still guards every single call). When the batch fails
   * for another reason than a busy database, each op runs again on its own, so one bad op
   * cannot fail the others; a busy database fails them all with FastPathBusy (the caller takes
   * the ordinary path).
   */
  runBatch(ops: FastOp[]): FastOutcome[] {
    try {
      return this.busy(() => this.batchTx.immediate(ops)).map((value) => ({ ok: true, value }));
    } catch (err) {
      if (err instanceof FastPathBusy || ops.length === 1) return ops.map(() => ({ ok: false, error: err }));
    }
    return ops.map((op): FastOutcome => {
      try {
        return { ok: true, value: op.kind === 'reserve' ? this.reserve(op.input) : this.settle(op.hold, op.input) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }

  reserve(input: ReserveInput): ReserveResult {
    return this.busy(() => this.reserveTx.immediate(input, expiresAtOf(input)));
  }

  settle(hold: Hold, input: SettleInput): SettleResult {
    return this.busy(() => this.settleTx.immediate(hold, input, billable(input)));
  }

  /** Every expired pending hold back to its package, in one short transaction; how many. */
  sweep(now: number): number {
    return this.busy(() => this.sweepTx.immediate(now));
  }

  close(): void {
    this.checkpointer?.postMessage('close');
    this.db.close();
  }

  private busy<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new FastPathBusy('database busy');
      throw err;
    }
  }
}
