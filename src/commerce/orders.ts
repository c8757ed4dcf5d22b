// Orders: created unpaid, then paid (creating their packages in the same transaction),
// cancelled by the buyer, or expired after the configured time. Every transition is one
// guarded UPDATE … WHERE status = 'unpaid', so two payments of one order cannot both happen.
import { grantPackage, writeTransaction } from '../billing/index.ts';
import type { Db, Page, PageRequest, CommerceConfig } from './types.ts';
import { pageBounds } from './types.ts';
import { CommerceError, conflict, invalid, notFound } from './errors.ts';
import { findPlan } from './catalogue.ts';
import { changeBalance } from './balance.ts';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';

export type OrderStatus = 'unpaid' | 'paid' | 'cancelled' | 'expired';

export interface Order {
  id: number;
  planId: number;
  productCode: string;
  unitPriceFen: number;
  calls: number;
  validDays: number;
  quantity: number;
  amountFen: number;
  status: OrderStatus;
  paymentMethod: string | null;
  createdAt: number;
  expiresAt: number;
  paidAt: number | null;
  closedAt: number | null;
  packageIds: number[];
}

type OrderRow = {
  id: number; buyer_id: number; plan_id: number; product_code: string; unit_price_fen: number; calls: number; valid_days: number;
  quantity: number; amount_fen: number; status: OrderStatus; payment_method: string | null; created_at: number; expires_at: number;
  paid_at: number | null; closed_at: number | null;
};

function toOrder(r: OrderRow, packageIds: number[] = []): Order {
  return {
    id: Number(r.id), planId: Number(r.plan_id), productCode: r.product_code, unitPriceFen: Number(r.unit_price_fen),
    calls: Number(r.calls), validDays: Number(r.valid_days), quantity: Number(r.quantity), amountFen: Number(r.amount_fen),
    status: r.status, paymentMethod: r.payment_method, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
    paidAt: r.paid_at === null ? null : Number(r.paid_at), closedAt: r.closed_at === null ? null : Number(r.closed_at), packageIds,
  };
}

export const MAX_QUANTITY = 1000;

export async function createOrder(db: Db, config: Pick<CommerceConfig, 'orderTtlMinutes'>, input: { buyerId: number; planId: number; quantity: number; now: number }): Promise<Order> {
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_QUANTITY) {
    throw invalid('invalid_quantity', `quantity must be from 1 to ${MAX_QUANTITY}`);
  }
  const plan = await findPlan(db, input.planId);
  if (!plan || !plan.active || !plan.product_active) throw notFound('plan');
  if (plan.once_per_buyer) {
    if (input.quantity !== 1) throw invalid('invalid_quantity', 'this plan can be bought once');
    const claimed = await db.selectFrom('plan_claims').select('order_id').where('buyer_id', '=', input.buyerId).where('plan_id', '=', input.planId).executeTakeFirst();
    if (claimed) throw conflict('once_per_buyer', '该套餐每个账户限购一次');
  }
  const amount = Number(plan.price_fen) * input.quantity;
  if (!Number.isSafeInteger(amount)) throw invalid('invalid_quantity', 'amount too large');
  const row = await db.insertInto('orders').values({
    buyer_id: input.buyerId, plan_id: input.planId, product_code: plan.product_code, unit_price_fen: Number(plan.price_fen),
    calls: Number(plan.calls), valid_days: Number(plan.valid_days), quantity: input.quantity, amount_fen: amount, status: 'unpaid',
    payment_method: null, created_at: input.now, expires_at: input.now + config.orderTtlMinutes * 60_000, paid_at: null, closed_at: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toOrder(row as OrderRow);
}

/** Marks unpaid orders past their time as expired (all buyers, or one). */
export async function expireOrders(db: Db, now: number, buyerId?: number): Promise<number> {
  let q = db.updateTable('orders').set({ status: 'expired', closed_at: now }).where('status', '=', 'unpaid').where('expires_at', '<=', now);
  if (buyerId !== undefined) q = q.where('buyer_id', '=', buyerId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

async function packageIdsOf(db: Db, orderIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (!orderIds.length) return out;
  const rows = await db.selectFrom('order_packages').select(['order_id', 'package_id']).where('order_id', 'in', orderIds).orderBy('package_id').execute();
  for (const r of rows) {
    const list = out.get(Number(r.order_id)) ?? [];
    list.push(Number(r.package_id));
    out.set(Number(r.order_id), list);
  }
  return out;
}

/** One order of the buyer (404 for another buyer's). */
export async function getOrder(db: Db, buyerId: number, orderId: number, now: number): Promise<Order> {
  await expireOrders(db, now, buyerId);
  const row = await db.selectFrom('orders').selectAll().where('id', '=', orderId).where('buyer_id', '=', buyerId).executeTakeFirst();
  if (!row) throw notFound('order');
  return toOrder(row as OrderRow, (await packageIdsOf(db, [orderId])).get(orderId) ?? []);
}

export async function listOrders(db: Db, buyerId: number | undefined, req: PageRequest & { status?: OrderStatus; now: number }): Promise<Page<Order & { buyerId: number }>> {
  await expireOrders(db, req.now, buyerId);
  const { page, pageSize, offset } = pageBounds(req);
  let q = db.selectFrom('orders');
  if (buyerId !== undefined) q = q.where('buyer_id', '=', buyerId);
  if (req.status) q = q.where('status', '=', req.status);
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.selectAll().orderBy('id', 'desc').limit(pageSize).offset(offset).execute();
  const pk = await packageIdsOf(db, rows.map((r) => Number(r.id)));
  return { total, page, pageSize, items: rows.map((r) => ({ ...toOrder(r as OrderRow, pk.get(Number(r.id)) ?? []), buyerId: Number(r.buyer_id) })) };
}

export async function countUnpaid(db: Db, buyerId: number, now: number): Promise<number> {
  await expireOrders(db, now, buyerId);
  const r = await db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('buyer_id', '=', buyerId).where('status', '=', 'unpaid').executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function cancelOrder(db: Db, buyerId: number, orderId: number, now: number): Promise<Order> {
  const r = await db.updateTable('orders').set({ status: 'cancelled', closed_at: now })
    .where('id', '=', orderId).where('buyer_id', '=', buyerId).where('status', '=', 'unpaid').where('expires_at', '>', now).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    const order = await getOrder(db, buyerId, orderId, now); // 404 when not the buyer's
    throw conflict(`order_${order.status}`, `order is ${order.status}`);
  }
  return getOrder(db, buyerId, orderId, now);
}

/**
 * Takes money for an order inside the payment's transaction. `balancePayment` debits the
 * prepaid balance (账户余额). An online provider (none is built) would, once its callback is
 * verified, call `payOrder` with a provider whose `charge` records the external payment (and
 * refuses an amount that differs from the order's), so the order still turns paid and gets its
 * packages exactly once.
 */
export interface PaymentProvider {
  readonly method: string;
  /** charge `order` within `trx`; throw a CommerceError to refuse (the transaction rolls back) */
  charge(trx: Db, order: { id: number; buyerId: number; amountFen: number }, now: number): Promise<void>;
}

export const balancePayment: PaymentProvider = {
  method: 'balance',
  async charge(trx, order, now) {
    if (order.amountFen === 0) return;
    await changeBalance(trx, { buyerId: order.buyerId, deltaFen: -order.amountFen, kind: 'payment', reason: `订单 ${order.id}`, orderId: order.id, now });
  },
};

/**
 * Pays an unpaid order and creates its packages, all in one transaction: the order's guarded
 * status change goes first, so a second payment (on any node) finds it paid and changes nothing.
 */
export async function payOrder(db: Kysely<DatabaseSchema>, input: { buyerId: number; orderId: number; now: number; provider?: PaymentProvider }): Promise<Order> {
  const provider = input.provider ?? balancePayment;
  const { buyerId, orderId, now } = input;
  await writeTransaction(db, async (trx) => {
    const paid = await trx.updateTable('orders').set({ status: 'paid', paid_at: now, payment_method: provider.method })
      .where('id', '=', orderId).where('buyer_id', '=', buyerId).where('status', '=', 'unpaid').where('expires_at', '>', now)
      .returningAll().executeTakeFirst();
    if (!paid) {
      const row = await trx.selectFrom('orders').select(['status', 'expires_at']).where('id', '=', orderId).where('buyer_id', '=', buyerId).executeTakeFirst();
      if (!row) throw notFound('order');
      if (row.status === 'paid') throw conflict('already_paid', '订单已支付');
      if (row.status === 'unpaid') throw conflict('order_expired', '订单已过期');
      throw conflict(`order_${row.status}`, `order is ${row.status}`);
    }
    const order = toOrder(paid as OrderRow);
    const plan = await trx.selectFrom('plans').select('once_per_buyer').where('id', '=', order.planId).executeTakeFirstOrThrow();
    if (plan.once_per_buyer) {
      const claim = await trx.insertInto('plan_claims').values({ buyer_id: buyerId, plan_id: order.planId, order_id: orderId })
        .onConflict((oc) => oc.columns(['buyer_id', 'plan_id']).doNothing()).returning('order_id').executeTakeFirst();
      if (!claim) throw conflict('once_per_buyer', '该套餐每个账户限购一次');
    }
    await provider.charge(trx, { id: orderId, buyerId, amountFen: order.amountFen }, now);
    for (let i = 0; i < order.quantity; i++) {
      const pkg = await grantPackage(trx, { buyerId, product: order.productCode, calls: order.calls, days: order.validDays, now });
      await trx.insertInto('order_packages').values({ package_id: pkg.id, order_id: orderId, buyer_id: buyerId, unit_price_fen: order.unitPriceFen, refunded_at: null }).execute();
    }
  });
  return getOrder(db, buyerId, orderId, now);
}

