// What operators do to buyers' money and packages; every action is audited in its transaction.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';
import { grantPackage, isProduct, listPackages, writeTransaction, type CallPackage } from '../billing/index.ts';
import type { Db, Page, PageRequest } from './types.ts';
import { pageBounds } from './types.ts';
import { invalid, notFound } from './errors.ts';
import { changeBalance, balanceOf } from './balance.ts';
import { recordAudit } from './audit.ts';
import { setBuyerActive } from '../gateway/index.ts';

const MAX_TOPUP_FEN = 100_000_000_00; // 1亿元 in one transfer is surely a typo

function checkReason(reason: string): string {
  const r = reason.trim();
  if (!r || r.length > 500) throw invalid('invalid_reason', 'give a reason of 1 to 500 characters');
  return r;
}

async function requireBuyer(db: Db, buyerId: number): Promise<void> {
  const row = await db.selectFrom('buyers').select('id').where('id', '=', buyerId).executeTakeFirst();
  if (!row) throw notFound('buyer');
}

/** An offline transfer received: credit the buyer's balance. */
export async function topUp(db: Kysely<DatabaseSchema>, input: { buyerId: number; amountFen: number; reason: string; operatorId: number; now: number }): Promise<{ balanceFen: number }> {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 1 || input.amountFen > MAX_TOPUP_FEN) throw invalid('invalid_amount', 'amountFen must be whole fen from 1');
  const reason = checkReason(input.reason);
  return writeTransaction(db, async (trx) => {
    await requireBuyer(trx, input.buyerId);
    const balanceFen = await changeBalance(trx, { buyerId: input.buyerId, deltaFen: input.amountFen, kind: 'topup', reason, operatorId: input.operatorId, now: input.now });
    await recordAudit(trx, { operatorId: input.operatorId, action: 'balance.topup', target: `buyer:${input.buyerId}`, detail: { amountFen: input.amountFen, reason, balanceFen }, now: input.now });
    return { balanceFen };
  });
}

/** A package given by hand (compensation, a pilot), not bought. */
export async function grantByHand(db: Kysely<DatabaseSchema>, input: { buyerId: number; product: string; calls: number; days: number; reason: string; operatorId: number; now: number }): Promise<CallPackage> {
  const reason = checkReason(input.reason);
  if (!isProduct(input.product)) throw invalid('invalid_product', 'unknown product');
  if (!Number.isSafeInteger(input.calls) || input.calls < 1 || input.calls > 100_000_000) throw invalid('invalid_calls', 'calls must be a whole number from 1');
  if (!Number.isSafeInteger(input.days) || input.days < 1 || input.days > 3650) throw invalid('invalid_days', 'days must be from 1 to 3650');
  return writeTransaction(db, async (trx) => {
    await requireBuyer(trx, input.buyerId);
    const pkg = await grantPackage(trx, { buyerId: input.buyerId, product: input.product, calls: input.calls, days: input.days, now: input.now, source: 'admin' });
    await recordAudit(trx, { operatorId: input.operatorId, action: 'package.grant', target: `buyer:${input.buyerId}`, detail: { packageId: pkg.id, product: input.product, calls: input.calls, days: input.days, reason }, now: input.now });
    return pkg;
  });
}

export interface BuyerSummary {
  id: number;
  name: string;
  email: string | null;
  balanceFen: number;
  createdAt: number;
  disabled: boolean;
}

export async function listBuyers(db: Db, req: PageRequest & { search?: string }): Promise<Page<BuyerSummary>> {
  const { page, pageSize, offset } = pageBounds(req, 20);
  let q = db.selectFrom('buyers').leftJoin('accounts', 'accounts.buyer_id', 'buyers.id').leftJoin('balances', 'balances.buyer_id', 'buyers.id');
  if (req.search) {
    const like = `%${req.search.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    // an explicit ESCAPE: SQLite has no default escape character for LIKE
    q = q.where(sql<boolean>`(buyers.name like ${like} escape '\\' or accounts.email like ${like} escape '\\')`);
  }
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.select(['buyers.id', 'buyers.name', 'buyers.created_at', 'accounts.email', 'accounts.disabled', 'balances.balance_fen'])
    .orderBy('buyers.id', 'desc').limit(pageSize).offset(offset).execute();
  return {
    total, page, pageSize,
    items: rows.map((r) => ({ id: Number(r.id), name: r.name, email: r.email, balanceFen: Number(r.balance_fen ?? 0), createdAt: Number(r.created_at), disabled: Number(r.disabled ?? 0) === 1 })),
  };
}

export async function buyerDetail(db: Db, buyerId: number, now: number) {
  const row = await db.selectFrom('buyers').leftJoin('accounts', 'accounts.buyer_id', 'buyers.id')
    .select(['buyers.id', 'buyers.name', 'buyers.created_at', 'accounts.email', 'accounts.disabled']).where('buyers.id', '=', buyerId).executeTakeFirst();
  if (!row) throw notFound('buyer');
  const packages = await listPackages(db, { buyerId, now });
  // refunded packages were revoked to 0 calls: show them as refunded, with the calls bought
  const refunded = new Map((await db.selectFrom('order_packages').innerJoin('orders', 'orders.id', 'order_packages.order_id')
    .select(['order_packages.package_id', 'orders.calls']).where('order_packages.buyer_id', '=', buyerId).where('order_packages.refunded_at', 'is not', null).execute())
    .map((r) => [Number(r.package_id), Number(r.calls)] as const));
  return {
    id: Number(row.id), name: row.name, email: row.email, createdAt: Number(row.created_at), disabled: Number(row.disabled ?? 0) === 1,
    balanceFen: await balanceOf(db, buyerId),
    packages: packages.map((p) => ({
      id: p.id, productCode: p.product, used: p.used, total: refunded.get(p.id) ?? p.total, validFrom: p.validFrom, validTo: p.validTo,
      status: refunded.has(p.id) ? '已退款' : p.status, source: p.source,
    })),
  };
}

/** Disabling a buyer's login ends its sessions; its apps are the gateway's to suspend. */
export async function setBuyerDisabled(db: Kysely<DatabaseSchema>, input: { buyerId: number; disabled: boolean; operatorId: number; now: number }): Promise<void> {
  await writeTransaction(db, async (trx) => {
    const r = await trx.updateTable('accounts').set({ disabled: input.disabled ? 1 : 0 }).where('buyer_id', '=', input.buyerId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound('buyer');
    await setBuyerActive(trx, input.buyerId, !input.disabled, input.now); // the gateway refuses its apps on every node at once
    if (input.disabled) {
      const account = await trx.selectFrom('accounts').select('id').where('buyer_id', '=', input.buyerId).executeTakeFirstOrThrow();
      await trx.deleteFrom('sessions').where('account_id', '=', account.id).execute();
    }
    await recordAudit(trx, { operatorId: input.operatorId, action: input.disabled ? 'buyer.disable' : 'buyer.enable', target: `buyer:${input.buyerId}`, now: input.now });
  });
}
