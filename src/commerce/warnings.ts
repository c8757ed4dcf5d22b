// 产品续费 warnings. When the calls left over a buyer's live packages of a product fall under the
// buyer's threshold (default 20 %), at 0, and when a package with calls left expires within the
// configured days, the buyer is told once by e-mail, SMS and in the console.
//
// "Once" holds across nodes: the warning is a row with a unique (buyer, product, kind, crossing)
// and only the node whose insert lands sends it. A crossing is identified by the set of live
// packages: buying a new package changes the set, so falling under the threshold again later
// warns again; for expiry the crossing is the package.
import crypto from 'node:crypto';
import { listPackages } from '../billing/index.ts';
import type { Notifier } from '../notify/index.ts';
import type { Db, CommerceConfig, Page, PageRequest } from './types.ts';
import { DAY_MS, pageBounds } from './types.ts';
import { contactsOf } from './contacts.ts';
import { notFound } from './errors.ts';

export interface RenewalDeps {
  notifier: Notifier;
  config: Pick<CommerceConfig, 'warnThresholdPct' | 'expiryWarnDays'>;
}

export type WarningKind = 'low' | 'empty' | 'expiring';

export interface RenewalWarning {
  id: number;
  productCode: string;
  kind: WarningKind;
  remaining: number;
  total: number;
  message: string;
  emailStatus: string;
  smsStatus: string;
  createdAt: number;
  readAt: number | null;
}

function chinaDate(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * Checks one buyer's product after a call was settled (or from a periodic sweep) and sends the
 * warnings that are due. Returns the warnings this call created (usually none).
 */
export async function checkRenewalWarnings(db: Db, deps: RenewalDeps, input: { buyerId: number; product: string; now: number }): Promise<RenewalWarning[]> {
  const { buyerId, product, now } = input;
  const refunded = new Set((await db.selectFrom('order_packages').select('package_id').where('buyer_id', '=', buyerId).where('refunded_at', 'is not', null).execute()).map((r) => Number(r.package_id)));
  const live = (await listPackages(db, { buyerId, product, now })).filter((p) => p.validFrom <= now && now < p.validTo && !refunded.has(p.id));
  if (!live.length) return [];
  const total = live.reduce((s, p) => s + p.total, 0);
  const remaining = live.reduce((s, p) => s + p.available, 0);
  const productRow = await db.selectFrom('products').select('name').where('code', '=', product).executeTakeFirst();
  const productName = productRow?.name ?? product;
  const contacts = await contactsOf(db, deps.config, buyerId);
  const due: Array<{ kind: WarningKind; crossing: string; remaining: number; total: number; message: string }> = [];
  const crossing = crypto.createHash('sha256').update(live.map((p) => p.id).sort((a, b) => a - b).join(',')).digest('hex').slice(0, 32);
  if (remaining === 0) {
    due.push({ kind: 'empty', crossing, remaining, total, message: `您购买的「${productName}」套餐已用完（剩余 0/${total} 次），请及时续费，以免影响使用。` });
  } else if (remaining * 100 < contacts.warnThresholdPct * total) {
    due.push({ kind: 'low', crossing, remaining, total, message: `您购买的「${productName}」套餐剩余 ${remaining}/${total} 次，已不足 ${contacts.warnThresholdPct}%，请及时续费。` });
  }
  for (const p of live) {
    if (p.available > 0 && p.validTo - now <= deps.config.expiryWarnDays * DAY_MS) {
      due.push({
        kind: 'expiring', crossing: `package:${p.id}`, remaining: p.available, total: p.total,
        message: `您购买的「${productName}」套餐包 ${p.id} 将于 ${chinaDate(p.validTo)} 到期，尚余 ${p.available} 次未使用，请及时使用或续费。`,
      });
    }
  }
  const created: RenewalWarning[] = [];
  for (const w of due) {
    const row = await db.insertInto('renewal_warnings').values({
      buyer_id: buyerId, product_code: product, kind: w.kind, crossing: w.crossing, remaining: w.remaining, total: w.total, message: w.message,
      email_to: contacts.email, email_status: contacts.email ? 'pending' : 'no contact', sms_to: contacts.phone, sms_status: contacts.phone ? 'pending' : 'no contact',
      created_at: now, read_at: null,
    }).onConflict((oc) => oc.columns(['buyer_id', 'product_code', 'kind', 'crossing']).doNothing()).returning('id').executeTakeFirst();
    if (!row) continue; // another call, or another node, already warned about this crossing
    const subject = w.kind === 'expiring' ? `【续费提醒】${productName} 套餐包即将到期` : `【续费提醒】${productName} 剩余次数不足`;
    const [emailStatus, smsStatus] = await Promise.all([
      contacts.email ? deps.notifier.email({ to: contacts.email, subject, text: w.message }) : Promise.resolve('no contact'),
      contacts.phone ? deps.notifier.sms({ to: contacts.phone, text: `【实名】${w.message}` }) : Promise.resolve('no contact'),
    ]);
    await db.updateTable('renewal_warnings').set({ email_status: emailStatus, sms_status: smsStatus }).where('id', '=', row.id).execute();
    created.push({ id: Number(row.id), productCode: product, kind: w.kind, remaining: w.remaining, total: w.total, message: w.message, emailStatus, smsStatus, createdAt: now, readAt: null });
  }
  return created;
}

/**
 * The periodic part: packages that come within the expiry window while their buyer makes no
 * calls are found here. Run it every few minutes on any node (the unique row keeps it once).
 */
export async function sweepRenewalWarnings(db: Db, deps: RenewalDeps, now: number): Promise<number> {
  const pairs = await db.selectFrom('call_packages').select(['buyer_id', 'product']).distinct()
    .where('valid_to', '>', now).where('valid_to', '<=', now + deps.config.expiryWarnDays * DAY_MS)
    .where('valid_from', '<=', now)
    .whereRef('used', '<', 'total')
    .execute();
  let sent = 0;
  for (const p of pairs) sent += (await checkRenewalWarnings(db, deps, { buyerId: Number(p.buyer_id), product: p.product, now })).length;
  return sent;
}

/** A buyer's warnings; with `buyerId` undefined (operators), everyone's. */
export async function listWarnings(db: Db, buyerId: number | undefined, req: PageRequest & { unreadOnly?: boolean }): Promise<Page<RenewalWarning & { buyerId: number }> & { unread: number }> {
  const { page, pageSize, offset } = pageBounds(req);
  let q = db.selectFrom('renewal_warnings');
  if (buyerId !== undefined) q = q.where('buyer_id', '=', buyerId);
  const unread = Number((await q.where('read_at', 'is', null).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  if (req.unreadOnly) q = q.where('read_at', 'is', null);
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.selectAll().orderBy('id', 'desc').limit(pageSize).offset(offset).execute();
  return {
    total, page, pageSize, unread,
    items: rows.map((r) => ({
      id: Number(r.id), buyerId: Number(r.buyer_id), productCode: r.product_code, kind: r.kind, remaining: Number(r.remaining), total: Number(r.total), message: r.message,
      emailStatus: r.email_status, smsStatus: r.sms_status, createdAt: Number(r.created_at), readAt: r.read_at === null ? null : Number(r.read_at),
    })),
  };
}

export async function markWarningRead(db: Db, buyerId: number, warningId: number, now: number): Promise<void> {
  const r = await db.updateTable('renewal_warnings').set({ read_at: now }).where('id', '=', warningId).where('buyer_id', '=', buyerId).where('read_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    const exists = await db.selectFrom('renewal_warnings').select('id').where('id', '=', warningId).where('buyer_id', '=', buyerId).executeTakeFirst();
    if (!exists) throw notFound('warning');
  }
}
