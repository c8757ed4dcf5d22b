// What a buyer has bought: 已购买的服务 (one line per product), 套餐包列表, and the usage views
// over billing's packages and ledger.
import { sql } from 'kysely';
import { listPackages, getPackage, usageRecords, type CallPackage, type UsageRecordsPage } from '../billing/index.ts';
import type { Db, Page, PageRequest } from './types.ts';
import { pageBounds } from './types.ts';
import { invalid, notFound } from './errors.ts';

export interface PurchasedService {
  productCode: string;
  productName: string;
  apiPath: string;
  /** 已开通 */
  status: string;
  /** 付费方式 */
  paymentMode: string;
  createdAt: number;
  /** over packages still inside their validity window */
  used: number;
  total: number;
}

export interface PackageView {
  id: number;
  name: string;
  productCode: string;
  used: number;
  total: number;
  validFrom: number;
  validTo: number;
  /** 正常 | 已用完 | 已过期 | 已退款 */
  status: string;
  orderId: number | null;
  createdAt: number;
}

const isLive = (p: CallPackage, now: number) => p.validFrom <= now && now < p.validTo;

export async function purchasedServices(db: Db, buyerId: number, now: number): Promise<PurchasedService[]> {
  const packages = await listPackages(db, { buyerId, now });
  const refunded = await refundedOnly(db, buyerId);
  const products = await db.selectFrom('products').select(['code', 'name', 'api_path']).execute();
  const out: PurchasedService[] = [];
  for (const product of products) {
    const mine = packages.filter((p) => p.product === product.code && !refunded.has(p.id));
    if (!mine.length) continue;
    const live = mine.filter((p) => isLive(p, now));
    out.push({
      productCode: product.code, productName: product.name, apiPath: product.api_path, status: '已开通', paymentMode: '套餐包',
      createdAt: Math.min(...mine.map((p) => p.createdAt)),
      used: live.reduce((s, p) => s + p.used, 0), total: live.reduce((s, p) => s + p.total, 0),
    });
  }
  return out;
}

async function refundedOnly(db: Db, buyerId: number): Promise<Set<number>> {
  const rows = await db.selectFrom('order_packages').select('package_id').where('buyer_id', '=', buyerId).where('refunded_at', 'is not', null).execute();
  return new Set(rows.map((r) => Number(r.package_id)));
}

function toView(p: CallPackage, orderOf: Map<number, { orderId: number; calls: number }>, refunded: Set<number>, now: number): PackageView {
  const order = orderOf.get(p.id);
  return {
    // a refunded package was revoked to 0 calls; it shows the calls it was bought with
    id: p.id, name: '使用次数套餐包', productCode: p.product, used: p.used, total: refunded.has(p.id) && order ? order.calls : p.total,
    validFrom: p.validFrom, validTo: p.validTo,
    status: refunded.has(p.id) ? '已退款' : p.status === '正常' && p.validFrom > now ? '未生效' : p.status,
    orderId: order?.orderId ?? null, createdAt: p.createdAt,
  };
}

/** 套餐包列表 of one product, newest first, 10 a page by default. */
export async function packagesOf(db: Db, buyerId: number, productCode: string, req: PageRequest & { now: number }): Promise<Page<PackageView>> {
  const { page, pageSize, offset } = pageBounds(req);
  const all = (await listPackages(db, { buyerId, product: productCode, now: req.now })).sort((a, b) => b.id - a.id);
  const orders = await db.selectFrom('order_packages').innerJoin('orders', 'orders.id', 'order_packages.order_id')
    .select(['order_packages.package_id', 'order_packages.order_id', 'orders.calls']).where('order_packages.buyer_id', '=', buyerId).execute();
  const orderOf = new Map(orders.map((o) => [Number(o.package_id), { orderId: Number(o.order_id), calls: Number(o.calls) }] as const));
  const refunded = await refundedOnly(db, buyerId);
  return { total: all.length, page, pageSize, items: all.slice(offset, offset + pageSize).map((p) => toView(p, orderOf, refunded, req.now)) };
}

/** One package of the buyer; another buyer's is "not found". */
export async function packageOf(db: Db, buyerId: number | undefined, packageId: number, now: number): Promise<CallPackage> {
  const p = await getPackage(db, packageId, now);
  if (!p || (buyerId !== undefined && p.buyerId !== buyerId)) throw notFound('package');
  return p;
}

export interface TimeRange {
  from?: number;
  to?: number;
}

export function checkRange(range: TimeRange): void {
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) throw invalid('invalid_range', 'from must not be after to');
}

/** 使用明细: the 10-minute records of a package, or of all of a buyer's packages of a product. */
export async function usageDetail(db: Db, buyerId: number, scope: { packageId: number } | { product: string }, req: PageRequest & TimeRange & { now: number }): Promise<UsageRecordsPage> {
  checkRange(req);
  const { page, pageSize } = pageBounds(req);
  if ('packageId' in scope) {
    await packageOf(db, buyerId, scope.packageId, req.now);
    return usageRecords(db, { packageId: scope.packageId, from: req.from, to: req.to, page, pageSize });
  }
  return usageRecords(db, { buyerId, product: scope.product, from: req.from, to: req.to, page, pageSize });
}

export interface BreakdownRow {
  key: string;
  calls: number;
  billed: number;
}

/**
 * Calls in a period grouped by app or by result code, from the usage ledger.
 * Without `buyerId` (operators) it covers every buyer and may group by buyer.
 */
export async function usageBreakdown(db: Db, q: { buyerId?: number; by: 'app' | 'code' | 'buyer' | 'product'; product?: string; from: number; to: number }): Promise<BreakdownRow[]> {
  checkRange(q);
  const column = q.by === 'app' ? 'app_id' : q.by === 'code' ? 'result_code' : q.by === 'buyer' ? 'buyer_id' : 'product';
  let base = db.selectFrom('usage_ledger').where('created_at', '>=', q.from).where('created_at', '<', q.to);
  if (q.buyerId !== undefined) base = base.where('buyer_id', '=', q.buyerId);
  if (q.product) base = base.where('product', '=', q.product);
  const rows = await base
    .select([sql<string | number | null>`${sql.ref(column)}`.as('k'), sql<number>`count(*)`.as('calls'), sql<number>`coalesce(sum(billed), 0)`.as('billed')])
    .groupBy(column).orderBy(sql`count(*)`, 'desc').limit(1000).execute();
  return rows.map((r) => ({ key: r.k === null ? '' : String(r.k), calls: Number(r.calls), billed: Number(r.billed) }));
}
