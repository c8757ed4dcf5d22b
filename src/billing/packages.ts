// Buyers and their call packages (套餐包).
import { sql } from 'kysely';
import type { Db } from './db.ts';
import { isProduct, PRODUCTS, type Product } from './products.ts';

export interface Buyer {
  id: number;
  name: string;
  createdAt: number;
}

export type PackageStatus = '正常' | '已用完' | '已过期';

export interface CallPackage {
  id: number;
  buyerId: number;
  product: Product;
  total: number;
  used: number;
  held: number;
  /** total - used - held: calls a new request can still take */
  available: number;
  validFrom: number;
  validTo: number;
  status: PackageStatus;
  source: string | null;
  createdAt: number;
}

const DAY_MS = 24 * 3600 * 1000;
/** 自购买之日起2年有效: the seed's validity when a grant names no duration */
export const DEFAULT_PACKAGE_DAYS = 730;

export class BillingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BillingInputError';
  }
}

export async function createBuyer(db: Db, input: { name: string; now?: number }): Promise<Buyer> {
  const name = String(input.name ?? '').trim();
  if (!name || name.length > 200) throw new BillingInputError('buyer name must be 1 to 200 characters');
  const createdAt = input.now ?? Date.now();
  const row = await db.insertInto('buyers').values({ name, created_at: createdAt }).returning('id').executeTakeFirstOrThrow();
  return { id: Number(row.id), name, createdAt };
}

export async function getBuyer(db: Db, id: number): Promise<Buyer | undefined> {
  const row = await db.selectFrom('buyers').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { id: Number(row.id), name: row.name, createdAt: Number(row.created_at) } : undefined;
}

export function packageStatus(p: { total: number; used: number; validTo: number }, now: number): PackageStatus {
  if (p.used >= p.total) return '已用完';
  if (now >= p.validTo) return '已过期';
  return '正常';
}

type PackageRow = {
  id: number; buyer_id: number; product: string; total: number; used: number; held: number;
  valid_from: number; valid_to: number; source: string | null; created_at: number;
};

export function toCallPackage(row: PackageRow, now: number): CallPackage {
  const p = {
    id: Number(row.id),
    buyerId: Number(row.buyer_id),
    product: row.product as Product,
    total: Number(row.total),
    used: Number(row.used),
    held: Number(row.held),
    validFrom: Number(row.valid_from),
    validTo: Number(row.valid_to),
    source: row.source,
    createdAt: Number(row.created_at),
  };
  return { ...p, available: Math.max(0, p.total - p.used - p.held), status: packageStatus(p, now) };
}

export interface GrantInput {
  buyerId: number;
  product: Product | string;
  calls: number;
  /** validity in days from `validFrom` (default now); default 730 */
  days?: number;
  now: number;
  validFrom?: number;
  source?: string;
}

/** Adds a package of `calls` calls to a buyer. Accepts a kysely Transaction as `db`. */
export async function grantPackage(db: Db, input: GrantInput): Promise<CallPackage> {
  if (!isProduct(input.product)) throw new BillingInputError(`product must be one of ${PRODUCTS.join(', ')}`);
  if (!Number.isSafeInteger(input.calls) || input.calls < 1 || input.calls > 1e12) throw new BillingInputError('calls must be a whole number from 1');
  const days = input.days ?? DEFAULT_PACKAGE_DAYS;
  if (!Number.isFinite(days) || days <= 0 || days > 36500) throw new BillingInputError('days must be a positive number of days');
  if (!Number.isSafeInteger(input.buyerId) || input.buyerId < 1) throw new BillingInputError('buyer must be a buyer id');
  const buyer = await db.selectFrom('buyers').select('id').where('id', '=', input.buyerId).executeTakeFirst();
  if (!buyer) throw new BillingInputError(`no buyer ${input.buyerId}`);
  const validFrom = input.validFrom ?? input.now;
  const row = {
    buyer_id: input.buyerId,
    product: input.product,
    total: input.calls,
    used: 0,
    held: 0,
    valid_from: validFrom,
    valid_to: validFrom + Math.round(days * DAY_MS),
    source: input.source ?? null,
    created_at: input.now,
  };
  const inserted = await db.insertInto('call_packages').values(row).returning('id').executeTakeFirstOrThrow();
  return toCallPackage({ ...row, id: Number(inserted.id) }, input.now);
}

export async function listPackages(db: Db, q: { buyerId: number; product?: string; now: number }): Promise<CallPackage[]> {
  let query = db.selectFrom('call_packages').selectAll().where('buyer_id', '=', q.buyerId);
  if (q.product) query = query.where('product', '=', q.product);
  const rows = await query.orderBy('valid_to').orderBy('id').execute();
  return rows.map((r) => toCallPackage(r as PackageRow, q.now));
}

export async function getPackage(db: Db, id: number, now: number): Promise<CallPackage | undefined> {
  const row = await db.selectFrom('call_packages').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCallPackage(row as PackageRow, now) : undefined;
}

/**
 * Revokes a package nobody has touched (a refund): refused (false) when any call was posted or
 * is held, or the package has ended. Revoked, its total is 0 and it ends now, so it can never
 * bill again: every reserve re-checks `used + held < total` under the row lock, so even one that
 * picked the package before this committed takes nothing. Run it inside the caller's transaction.
 */
export async function revokeUnusedPackage(db: Db, packageId: number, now: number): Promise<boolean> {
  const r = await db.updateTable('call_packages').set({ total: 0, valid_to: now })
    .where('id', '=', packageId).where('used', '=', 0).where('held', '=', 0).where('total', '>', 0).where('valid_to', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Calls a buyer can still take for a product right now (over valid packages). */
export async function remainingCalls(db: Db, q: { buyerId: number; product: string; now: number }): Promise<number> {
  const row = await db.selectFrom('call_packages')
    .select(sql<number>`coalesce(sum(total - used - held), 0)`.as('n'))
    .where('buyer_id', '=', q.buyerId).where('product', '=', q.product)
    .where('valid_from', '<=', q.now).where('valid_to', '>', q.now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
