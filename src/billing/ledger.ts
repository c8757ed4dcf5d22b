// The usage ledger: the audit that proves `used` equals the billed calls, and the 10-minute
// usage records (使用明细) derived from it.
import { sql } from 'kysely';
import type { Db } from './db.ts';

export interface AuditMismatch {
  kind: 'used' | 'held' | 'over-total' | 'hold-double-posted' | 'posted-hold-without-ledger' | 'billed-row-without-posted-hold';
  packageId?: number;
  holdId?: number;
  expected: number;
  actual: number;
}

export interface AuditReport {
  ok: boolean;
  packages: number;
  billedCalls: number;
  pendingHolds: number;
  mismatches: AuditMismatch[];
}

/**
 * Proves the books balance: for every package, used == billed ledger rows against it and
 * held == its pending holds, used + held <= total; every posted hold has exactly one billed
 * ledger row and every billed row a posted hold (no hold double-posted, no call billed twice).
 */
export async function auditLedger(db: Db): Promise<AuditReport> {
  const mismatches: AuditMismatch[] = [];
  const packages = await sql<{ id: number; total: number; used: number; held: number; billed_rows: number; pending: number }>`
    SELECT p.id, p.total, p.used, p.held,
      (SELECT count(*) FROM usage_ledger l WHERE l.package_id = p.id AND l.billed = 1) AS billed_rows,
      (SELECT count(*) FROM holds h WHERE h.package_id = p.id AND h.state = 'pending') AS pending
    FROM call_packages p ORDER BY p.id`.execute(db);
  let billedCalls = 0;
  let pendingHolds = 0;
  for (const p of packages.rows) {
    const id = Number(p.id);
    billedCalls += Number(p.billed_rows);
    pendingHolds += Number(p.pending);
    if (Number(p.used) !== Number(p.billed_rows)) mismatches.push({ kind: 'used', packageId: id, expected: Number(p.billed_rows), actual: Number(p.used) });
    if (Number(p.held) !== Number(p.pending)) mismatches.push({ kind: 'held', packageId: id, expected: Number(p.pending), actual: Number(p.held) });
    if (Number(p.used) + Number(p.held) > Number(p.total)) mismatches.push({ kind: 'over-total', packageId: id, expected: Number(p.total), actual: Number(p.used) + Number(p.held) });
  }
  const doubled = await sql<{ hold_id: number; n: number }>`
    SELECT hold_id, count(*) AS n FROM usage_ledger WHERE billed = 1 AND hold_id IS NOT NULL
    GROUP BY hold_id HAVING count(*) > 1`.execute(db);
  for (const r of doubled.rows) mismatches.push({ kind: 'hold-double-posted', holdId: Number(r.hold_id), expected: 1, actual: Number(r.n) });
  // An anti-join on the billed rows' hold ids, not a correlated NOT EXISTS: usage_ledger has no
  // index on hold_id (the hot path does not need one), and SQLite would scan the ledger once per
  // posted hold (quadratic: minutes at 100,000 calls); this way it builds one automatic index.
  const orphanHolds = await sql<{ id: number; package_id: number }>`
    SELECT h.id, h.package_id FROM holds h
      LEFT JOIN (SELECT DISTINCT hold_id FROM usage_ledger WHERE billed = 1 AND hold_id IS NOT NULL) l ON l.hold_id = h.id
    WHERE h.state = 'posted' AND l.hold_id IS NULL`.execute(db);
  for (const r of orphanHolds.rows) mismatches.push({ kind: 'posted-hold-without-ledger', holdId: Number(r.id), packageId: Number(r.package_id), expected: 1, actual: 0 });
  const orphanRows = await sql<{ hold_id: number | null; package_id: number | null }>`
    SELECT l.hold_id, l.package_id FROM usage_ledger l WHERE l.billed = 1
      AND (l.hold_id IS NULL OR NOT EXISTS (SELECT 1 FROM holds h WHERE h.id = l.hold_id AND h.state = 'posted' AND h.package_id = l.package_id))`.execute(db);
  for (const r of orphanRows.rows) {
    mismatches.push({ kind: 'billed-row-without-posted-hold', holdId: r.hold_id == null ? undefined : Number(r.hold_id), packageId: r.package_id == null ? undefined : Number(r.package_id), expected: 0, actual: 1 });
  }
  return { ok: mismatches.length === 0, packages: packages.rows.length, billedCalls, pendingHolds, mismatches };
}

const BUCKET_MS = 10 * 60_000;
// The seed's windows run from hh:m0:01 to hh:(m+1)0:01.
const BUCKET_OFFSET_MS = 1000;
const CHINA_OFFSET_MS = 8 * 3600_000;

export interface UsageRecord {
  /** 流水编号: stable for a (window, package) */
  serial: string;
  packageId: number;
  windowStart: number;
  windowEnd: number;
  /** 处理时间, China Standard Time: "2018-03-19 10:50:01 - 2018-03-19 11:00:01" */
  processedAt: string;
  /** 备注 */
  note: '套餐包消耗';
  /** billed calls in the window */
  calls: number;
  /** 消耗: "7次" */
  consumed: string;
}

export interface UsageRecordsPage {
  total: number;
  page: number;
  pageSize: number;
  records: UsageRecord[];
}

export type UsageRecordsQuery = ({ packageId: number } | { buyerId: number; product: string }) & {
  from?: number;
  to?: number;
  page?: number;
  pageSize?: number;
};

function chinaTime(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The 10-minute usage records (newest first), counted from the billed ledger rows. */
export async function usageRecords(db: Db, q: UsageRecordsQuery): Promise<UsageRecordsPage> {
  const page = Math.max(1, Math.floor(q.page ?? 1));
  const pageSize = Math.min(1000, Math.max(1, Math.floor(q.pageSize ?? 10)));
  const bucket = sql<number>`(created_at - ${sql.lit(BUCKET_OFFSET_MS)}) / ${sql.lit(BUCKET_MS)}`;
  let base = db.selectFrom('usage_ledger').where('billed', '=', 1).where('package_id', 'is not', null);
  if ('packageId' in q) base = base.where('package_id', '=', q.packageId);
  else base = base.where('buyer_id', '=', q.buyerId).where('product', '=', q.product);
  if (q.from !== undefined) base = base.where('created_at', '>=', q.from);
  if (q.to !== undefined) base = base.where('created_at', '<', q.to);
  const grouped = base.select([bucket.as('bucket'), 'package_id', sql<number>`count(*)`.as('calls')]).groupBy([bucket, 'package_id']);
  const totalRow = await db.selectFrom(grouped.as('g')).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const rows = await grouped.orderBy(bucket, 'desc').orderBy('package_id', 'desc')
    .limit(pageSize).offset((page - 1) * pageSize).execute();
  const records = rows.map((r): UsageRecord => {
    const b = Number(r.bucket);
    const packageId = Number(r.package_id);
    const windowStart = b * BUCKET_MS + BUCKET_OFFSET_MS;
    const windowEnd = windowStart + BUCKET_MS;
    const calls = Number(r.calls);
    return {
      serial: `${b}${String(packageId).padStart(5, '0')}`,
      packageId, windowStart, windowEnd,
      processedAt: `${chinaTime(windowStart)} - ${chinaTime(windowEnd)}`,
      note: '套餐包消耗', calls, consumed: `${calls}次`,
    };
  });
  return { total: Number(totalRow.n), page, pageSize, records };
}
