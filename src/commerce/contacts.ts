// Where a buyer's renewal warnings go, and at what threshold.
import type { Db, CommerceConfig } from './types.ts';
import { invalid } from './errors.ts';
import { normalizeEmail } from './accounts.ts';

export interface Contacts {
  email: string | null;
  phone: string | null;
  warnThresholdPct: number;
}

/** the buyer's contacts; by default the login e-mail and the configured threshold */
export async function contactsOf(db: Db, config: Pick<CommerceConfig, 'warnThresholdPct'>, buyerId: number): Promise<Contacts> {
  const row = await db.selectFrom('buyer_contacts').selectAll().where('buyer_id', '=', buyerId).executeTakeFirst();
  if (row) return { email: row.email, phone: row.phone, warnThresholdPct: Number(row.warn_threshold_pct) };
  const account = await db.selectFrom('accounts').select('email').where('buyer_id', '=', buyerId).executeTakeFirst();
  return { email: account?.email ?? null, phone: null, warnThresholdPct: config.warnThresholdPct };
}

const PHONE = /^\+?[0-9]{5,20}$/;

export async function setContacts(db: Db, config: Pick<CommerceConfig, 'warnThresholdPct'>, buyerId: number, input: Partial<Contacts>, now: number): Promise<Contacts> {
  const current = await contactsOf(db, config, buyerId);
  const next: Contacts = { ...current };
  if (input.email !== undefined) next.email = input.email === null || input.email === '' ? null : normalizeEmail(input.email);
  if (input.phone !== undefined) {
    const phone = input.phone === null ? '' : input.phone.replace(/[\s-]/g, '');
    if (phone && !PHONE.test(phone)) throw invalid('invalid_phone', 'phone must be 5 to 20 digits, optionally after +');
    next.phone = phone || null;
  }
  if (input.warnThresholdPct !== undefined) {
    if (!Number.isSafeInteger(input.warnThresholdPct) || input.warnThresholdPct < 1 || input.warnThresholdPct > 99) {
      throw invalid('invalid_threshold', 'warnThresholdPct must be from 1 to 99');
    }
    next.warnThresholdPct = input.warnThresholdPct;
  }
  await db.insertInto('buyer_contacts').values({ buyer_id: buyerId, email: next.email, phone: next.phone, warn_threshold_pct: next.warnThresholdPct, updated_at: now })
    .onConflict((oc) => oc.column('buyer_id').doUpdateSet({ email: next.email, phone: next.phone, warn_threshold_pct: next.warnThresholdPct, updated_at: now }))
    .execute();
  return next;
}
