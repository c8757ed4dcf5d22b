// 使用情况 as a chart: calls and billed calls per hour or per day and per result code, from
// billing's usage ledger. Buckets are China local hours/days (Asia/Shanghai is UTC+8 all year,
// no daylight saving), so a bucket starts at (floor((ms + 8 h) / size) * size) - 8 h, computed
// by the database with integer arithmetic on both SQLite and PostgreSQL.
import { sql } from 'kysely';
import { isProduct } from '../billing/index.ts';
import type { Db } from './types.ts';
import { DAY_MS } from './types.ts';
import { invalid } from './errors.ts';

export type SeriesBucket = 'hour' | 'day';

const HOUR_MS = 3600_000;
const CHINA_OFFSET_MS = 8 * HOUR_MS;
const BUCKET_MS: Record<SeriesBucket, number> = { hour: HOUR_MS, day: DAY_MS };
/** the longest range one request may cover */
export const SERIES_MAX_SPAN_MS: Record<SeriesBucket, number> = { hour: 31 * DAY_MS, day: 366 * DAY_MS };
/** buckets shown when the range is not given: the last 24 hours, the last 30 days */
const DEFAULT_BUCKETS: Record<SeriesBucket, number> = { hour: 24, day: 30 };
const MAX_MS = 8_640_000_000_000_000;

export interface SeriesPoint {
  /** the bucket's start (epoch ms of a China local hour or midnight) */
  t: number;
  code: string;
  calls: number;
  billed: number;
}

export interface UsageSeries {
  bucket: SeriesBucket;
  from: number;
  to: number;
  points: SeriesPoint[];
  /** the result codes that occur in `points`, sorted */
  codes: string[];
}

export interface SeriesQuery {
  bucket?: string;
  from?: number;
  to?: number;
  /** undefined: every buyer (operators) */
  buyerId?: number;
  appId?: number;
  product?: string;
  now: number;
}

/** The start of the China local hour or day that contains `ms`. */
export function bucketStart(ms: number, bucket: SeriesBucket): number {
  const size = BUCKET_MS[bucket];
  return Math.floor((ms + CHINA_OFFSET_MS) / size) * size - CHINA_OFFSET_MS;
}

function checkMs(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0 || v > MAX_MS)) throw invalid('invalid_range', `${name} must be epoch milliseconds (a whole number from 0)`);
}

function checkId(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw invalid(`invalid_${name}`, `${name} must be a whole number from 1`);
}

/**
 * The range a series covers: [from, to). Without `to`, the end of the bucket that contains now
 * (so a call made this very millisecond is in); without `from`, 24 hours (hour) or 30 days
 * (day) before `to`, so the default chart has 24 or 30 whole buckets, the last one the current.
 */
export function seriesRange(q: Pick<SeriesQuery, 'bucket' | 'from' | 'to' | 'now'>): { bucket: SeriesBucket; from: number; to: number } {
  const bucket = q.bucket ?? 'hour';
  if (bucket !== 'hour' && bucket !== 'day') throw invalid('invalid_bucket', 'bucket must be hour or day');
  checkMs('from', q.from);
  checkMs('to', q.to);
  const to = q.to ?? bucketStart(q.now, bucket) + BUCKET_MS[bucket];
  const from = q.from ?? Math.max(0, bucketStart(to - 1, bucket) - (DEFAULT_BUCKETS[bucket] - 1) * BUCKET_MS[bucket]);
  if (from > to) throw invalid('invalid_range', 'from must not be after to');
  if (to - from > SERIES_MAX_SPAN_MS[bucket]) {
    throw invalid('range_too_long', bucket === 'hour'
      ? 'hour buckets cover at most 31 days: ask for a shorter range or bucket=day'
      : 'day buckets cover at most 366 days: ask for a shorter range');
  }
  return { bucket, from, to };
}

/** Calls per bucket and result code in [from, to), oldest bucket first. */
export async function usageSeries(db: Db, q: SeriesQuery): Promise<UsageSeries> {
  const { bucket, from, to } = seriesRange(q);
  checkId('buyerId', q.buyerId);
  checkId('appId', q.appId);
  if (q.product !== undefined && !isProduct(q.product)) throw invalid('invalid_product', 'product must be idcard-ocr or idcard-verify');
  if (from === to) return { bucket, from, to, points: [], codes: [] };
  // constants only, written into the statement as literals so the grouped expression is the
  // selected one on PostgreSQL
  const size = sql.lit(BUCKET_MS[bucket]);
  const offset = sql.lit(CHINA_OFFSET_MS);
  const t = sql<number>`((created_at + ${offset}) / ${size}) * ${size} - ${offset}`;
  let query = db.selectFrom('usage_ledger').where('created_at', '>=', from).where('created_at', '<', to);
  if (q.buyerId !== undefined) query = query.where('buyer_id', '=', q.buyerId);
  if (q.appId !== undefined) query = query.where('app_id', '=', q.appId);
  if (q.product !== undefined) query = query.where('product', '=', q.product);
  const rows = await query
    .select([t.as('t'), sql<string | null>`result_code`.as('code'), sql<number>`count(*)`.as('calls'), sql<number>`coalesce(sum(billed), 0)`.as('billed')])
    .groupBy([sql`1`, sql`2`])
    .execute();
  const points = rows
    .map((r) => ({ t: Number(r.t), code: r.code ?? '', calls: Number(r.calls), billed: Number(r.billed) }))
    .sort((a, b) => a.t - b.t || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const codes = [...new Set(points.map((p) => p.code))].sort();
  return { bucket, from, to, points, codes };
}
