// 退款管理: an operator refunds a package that was never used, within the configured number of
// days after payment, to the buyer's balance. Billing revokes the package with one guarded
// update (no call used, none in flight) in the refund's transaction, so a call racing the refund
// either wins (and the refund is refused) or finds the package revoked.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';
import { revokeUnusedPackage, writeTransaction } from '../billing/index.ts';
import type { CommerceConfig } from './types.ts';
import { DAY_MS } from './types.ts';
import { conflict, invalid, notFound } from './errors.ts';
import { changeBalance } from './balance.ts';
import { recordAudit } from './audit.ts';

export interface RefundResult {
  packageId: number;
  orderId: number;
  buyerId: number;
  amountFen: number;
  balanceFen: number;
}

export async function refundPackage(db: Kysely<DatabaseSchema>, config: Pick<CommerceConfig, 'refundDays'>, input: { packageId: number; reason: string; operatorId: number; now: number }): Promise<RefundResult> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 500) throw invalid('invalid_reason', 'give a reason of 1 to 500 characters');
  const { now } = input;
  return writeTransaction(db, async (trx) => {
    const link = await trx.selectFrom('order_packages').innerJoin('orders', 'orders.id', 'order_packages.order_id')
      .select(['order_packages.order_id', 'order_packages.buyer_id', 'order_packages.unit_price_fen', 'order_packages.refunded_at', 'orders.paid_at'])
      .where('order_packages.package_id', '=', input.packageId).executeTakeFirst();
    if (!link) throw notFound('purchased package');
    if (link.refunded_at !== null) throw conflict('already_refunded', 'this package was refunded already');
    if (Number(link.paid_at) + config.refundDays * DAY_MS < now) throw conflict('refund_window_passed', `packages can be refunded within ${config.refundDays} days of payment`);
    const onInvoice = await trx.selectFrom('invoice_orders').select('invoice_id').where('order_id', '=', link.order_id).executeTakeFirst();
    if (onInvoice) throw conflict('invoiced', 'the order is on an invoice; reject or void the invoice first');
    // billing revokes the package only if untouched (no call posted or held)
    if (!(await revokeUnusedPackage(trx, input.packageId, now))) throw conflict('package_used', 'a package with any call used or in progress (or expired) cannot be refunded');
    const marked = await trx.updateTable('order_packages').set({ refunded_at: now })
      .where('package_id', '=', input.packageId).where('refunded_at', 'is', null).executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0) throw conflict('already_refunded', 'this package was refunded already');
    const amount = Number(link.unit_price_fen);
    const buyerId = Number(link.buyer_id);
    const balanceFen = amount > 0
      ? await changeBalance(trx, { buyerId, deltaFen: amount, kind: 'refund', reason, orderId: Number(link.order_id), packageId: input.packageId, operatorId: input.operatorId, now })
      : (await trx.selectFrom('balances').select('balance_fen').where('buyer_id', '=', buyerId).executeTakeFirst())?.balance_fen ?? 0;
    await recordAudit(trx, { operatorId: input.operatorId, action: 'package.refund', target: `package:${input.packageId}`, detail: { buyerId, orderId: Number(link.order_id), amountFen: amount, reason }, now });
    return { packageId: input.packageId, orderId: Number(link.order_id), buyerId, amountFen: amount, balanceFen: Number(balanceFen) };
  });
}
