// 消费趋势: what a buyer spent per month over the last 12 months (China time, UTC+8, no DST),
// payments less refunds, and the balance, for the console's chart.
import type { Db } from './types.ts';
import { balanceOf } from './balance.ts';

const CHINA_OFFSET_MS = 8 * 3600_000;

export function monthOf(epochMs: number): string {
  const d = new Date(epochMs + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** epoch ms of the first instant of the month `months` before the month of `now` (China time) */
function monthStart(now: number, monthsBack: number): number {
  const d = new Date(now + CHINA_OFFSET_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1) - CHINA_OFFSET_MS;
}

export interface SpendTrend {
  balanceFen: number;
  months: Array<{ month: string; spendFen: number }>;
}

export async function spendTrend(db: Db, buyerId: number, now: number, months = 12): Promise<SpendTrend> {
  const since = monthStart(now, months - 1);
  const list: Array<{ month: string; spendFen: number }> = [];
  for (let i = months - 1; i >= 0; i--) list.push({ month: monthOf(monthStart(now, i)), spendFen: 0 });
  const byMonth = new Map(list.map((m) => [m.month, m]));
  const paid = await db.selectFrom('orders').select(['paid_at', 'amount_fen'])
    .where('buyer_id', '=', buyerId).where('status', '=', 'paid').where('paid_at', '>=', since).execute();
  for (const o of paid) {
    const m = byMonth.get(monthOf(Number(o.paid_at)));
    if (m) m.spendFen += Number(o.amount_fen);
  }
  const refunds = await db.selectFrom('order_packages').select(['refunded_at', 'unit_price_fen'])
    .where('buyer_id', '=', buyerId).where('refunded_at', '>=', since).execute();
  for (const r of refunds) {
    const m = byMonth.get(monthOf(Number(r.refunded_at)));
    if (m) m.spendFen -= Number(r.unit_price_fen);
  }
  return { balanceFen: await balanceOf(db, buyerId), months: list };
}
