// The prepaid balance (账户余额): a row per buyer that only guarded updates change, and an
// entry per change so that the balance is always explained.
import type { Db, Page, PageRequest } from './types.ts';
import { pageBounds } from './types.ts';
import { CommerceError, invalid } from './errors.ts';

export async function balanceOf(db: Db, buyerId: number): Promise<number> {
  const row = await db.selectFrom('balances').select('balance_fen').where('buyer_id', '=', buyerId).executeTakeFirst();
  return row ? Number(row.balance_fen) : 0;
}

type EntryKind = 'topup' | 'payment' | 'refund';

interface Change {
  buyerId: number;
  deltaFen: number;
  kind: EntryKind;
  reason: string;
  orderId?: number;
  packageId?: number;
  operatorId?: number;
  now: number;
}

/**
 * Adds `deltaFen` (negative to take) in one guarded statement: a debit that would make the
 * balance negative changes nothing and throws `insufficient_balance`. Call inside a
 * transaction together with what the money is for.
 */
export async function changeBalance(db: Db, change: Change): Promise<number> {
  if (!Number.isSafeInteger(change.deltaFen)) throw invalid('invalid_amount', 'amount must be whole fen');
  if (change.deltaFen > 0) {
    await db.insertInto('balances').values({ buyer_id: change.buyerId, balance_fen: 0, updated_at: change.now })
      .onConflict((oc) => oc.column('buyer_id').doNothing()).execute();
  }
  const updated = await db.updateTable('balances')
    .set((eb) => ({ balance_fen: eb('balance_fen', '+', change.deltaFen), updated_at: change.now }))
    .where('buyer_id', '=', change.buyerId)
    .where('balance_fen', '>=', -change.deltaFen)
    .returning('balance_fen')
    .executeTakeFirst();
  if (!updated) throw new CommerceError(402, 'insufficient_balance', '账户余额不足');
  const after = Number(updated.balance_fen);
  await db.insertInto('balance_entries').values({
    buyer_id: change.buyerId, delta_fen: change.deltaFen, balance_after_fen: after, kind: change.kind,
    order_id: change.orderId ?? null, package_id: change.packageId ?? null, reason: change.reason,
    operator_id: change.operatorId ?? null, created_at: change.now,
  }).execute();
  return after;
}

export interface BalanceEntry {
  id: number;
  deltaFen: number;
  balanceAfterFen: number;
  kind: EntryKind;
  orderId: number | null;
  packageId: number | null;
  reason: string;
  createdAt: number;
}

export async function listBalanceEntries(db: Db, buyerId: number, req: PageRequest): Promise<Page<BalanceEntry>> {
  const { page, pageSize, offset } = pageBounds(req);
  const q = db.selectFrom('balance_entries').where('buyer_id', '=', buyerId);
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.selectAll().orderBy('id', 'desc').limit(pageSize).offset(offset).execute();
  return {
    total, page, pageSize,
    items: rows.map((r) => ({
      id: Number(r.id), deltaFen: Number(r.delta_fen), balanceAfterFen: Number(r.balance_after_fen), kind: r.kind,
      orderId: r.order_id === null ? null : Number(r.order_id), packageId: r.package_id === null ? null : Number(r.package_id),
      reason: r.reason, createdAt: Number(r.created_at),
    })),
  };
}

export interface RefundEntry {
  id: number;
  buyerId: number;
  orderId: number | null;
  packageId: number | null;
  amountFen: number;
  reason: string;
  operatorId: number | null;
  createdAt: number;
}

/** 退款管理: every refund, newest first (all buyers, or one). */
export async function listRefunds(db: Db, req: PageRequest & { buyerId?: number }): Promise<Page<RefundEntry>> {
  const { page, pageSize, offset } = pageBounds(req, 20);
  let q = db.selectFrom('balance_entries').where('kind', '=', 'refund');
  if (req.buyerId !== undefined) q = q.where('buyer_id', '=', req.buyerId);
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.selectAll().orderBy('id', 'desc').limit(pageSize).offset(offset).execute();
  return {
    total, page, pageSize,
    items: rows.map((r) => ({
      id: Number(r.id), buyerId: Number(r.buyer_id), orderId: r.order_id === null ? null : Number(r.order_id),
      packageId: r.package_id === null ? null : Number(r.package_id), amountFen: Number(r.delta_fen), reason: r.reason,
      operatorId: r.operator_id === null ? null : Number(r.operator_id), createdAt: Number(r.created_at),
    })),
  };
}
