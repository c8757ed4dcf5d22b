// Invoices (发票申请): a buyer picks paid, not yet invoiced orders and asks for one invoice over
// them; an operator issues it (number + PDF) or rejects it (the orders become invoiceable again).
// `invoice_orders.order_id` is a primary key, so an order is on at most one live invoice even
// when two requests race.
import { writeTransaction } from '../billing/index.ts';
import type { Db, Page, PageRequest } from './types.ts';
import { pageBounds } from './types.ts';
import { conflict, invalid, notFound } from './errors.ts';
import { isUniqueViolation } from './accounts.ts';
import { normalizeEmail } from './accounts.ts';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';
import { recordAudit } from './audit.ts';

export interface InvoiceableOrder {
  orderId: number;
  productCode: string;
  paidAt: number;
  /** what was paid, less refunds */
  amountFen: number;
}

/** Paid orders of the buyer with money on them that are on no live invoice. */
export async function invoiceableOrders(db: Db, buyerId: number): Promise<{ orders: InvoiceableOrder[]; pendingFen: number }> {
  const rows = await db.selectFrom('orders')
    .leftJoin('invoice_orders', 'invoice_orders.order_id', 'orders.id')
    .select(['orders.id', 'orders.product_code', 'orders.paid_at', 'orders.amount_fen'])
    .where('orders.buyer_id', '=', buyerId).where('orders.status', '=', 'paid').where('orders.amount_fen', '>', 0)
    .where('invoice_orders.order_id', 'is', null)
    .orderBy('orders.paid_at', 'desc').execute();
  const refunded = await refundedByOrder(db, rows.map((r) => Number(r.id)));
  const orders = rows
    .map((r) => ({ orderId: Number(r.id), productCode: r.product_code, paidAt: Number(r.paid_at), amountFen: Number(r.amount_fen) - (refunded.get(Number(r.id)) ?? 0) }))
    .filter((o) => o.amountFen > 0);
  return { orders, pendingFen: orders.reduce((s, o) => s + o.amountFen, 0) };
}

async function refundedByOrder(db: Db, orderIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!orderIds.length) return out;
  const rows = await db.selectFrom('order_packages').select(['order_id', 'unit_price_fen'])
    .where('order_id', 'in', orderIds).where('refunded_at', 'is not', null).execute();
  for (const r of rows) out.set(Number(r.order_id), (out.get(Number(r.order_id)) ?? 0) + Number(r.unit_price_fen));
  return out;
}

export interface InvoiceRequest {
  orderIds: number[];
  title: string;
  taxId: string;
  type: 'normal' | 'special';
  email: string;
}

export interface Invoice {
  id: number;
  buyerId: number;
  title: string;
  taxId: string;
  type: 'normal' | 'special';
  email: string;
  amountFen: number;
  status: 'requested' | 'issued' | 'rejected';
  number: string | null;
  rejectReason: string | null;
  hasPdf: boolean;
  orderIds: number[];
  createdAt: number;
  decidedAt: number | null;
}

const TAX_ID = /^[0-9A-Z]{15,20}$/;

export async function requestInvoice(db: Kysely<DatabaseSchema>, buyerId: number, req: InvoiceRequest, now: number): Promise<Invoice> {
  const ids = [...new Set(req.orderIds)];
  if (ids.length === 0 || ids.length > 500) throw invalid('invalid_orders', 'choose 1 to 500 orders');
  const title = req.title.trim();
  if (!title || title.length > 100 || /[\u0000-\u001f\u007f]/.test(title)) throw invalid('invalid_title', 'title must be 1 to 100 printable characters');
  const taxId = req.taxId.trim().toUpperCase();
  if (!TAX_ID.test(taxId)) throw invalid('invalid_taxId', '纳税人识别号 must be 15 to 20 letters or digits');
  if (req.type !== 'normal' && req.type !== 'special') throw invalid('invalid_type', 'type must be normal or special');
  const email = normalizeEmail(req.email);
  const id = await writeTransaction(db, async (trx) => {
    const { orders } = await invoiceableOrders(trx, buyerId);
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    for (const orderId of ids) {
      if (!byId.has(orderId)) {
        const exists = await trx.selectFrom('orders').select('id').where('id', '=', orderId).where('buyer_id', '=', buyerId).executeTakeFirst();
        if (!exists) throw notFound('order');
        throw conflict('not_invoiceable', `order ${orderId} is not paid or already invoiced`);
      }
    }
    const amount = ids.reduce((s, oid) => s + byId.get(oid)!.amountFen, 0);
    const row = await trx.insertInto('invoices').values({
      buyer_id: buyerId, title, tax_id: taxId, type: req.type, email, amount_fen: amount, status: 'requested',
      number: null, reject_reason: null, pdf: null, pdf_name: null, created_at: now, decided_at: null, decided_by: null,
    }).returning('id').executeTakeFirstOrThrow();
    // A concurrent request for the same order hits the primary key here and rolls back.
    await trx.insertInto('invoice_orders').values(ids.map((orderId) => ({ order_id: orderId, invoice_id: Number(row.id) }))).execute();
    return Number(row.id);
  }).catch((err: unknown) => {
    if (isUniqueViolation(err)) throw conflict('not_invoiceable', 'an order is already on another invoice');
    throw err;
  });
  return getInvoice(db, buyerId, id);
}

type InvoiceRow = {
  id: number; buyer_id: number; title: string; tax_id: string; type: 'normal' | 'special'; email: string; amount_fen: number;
  status: 'requested' | 'issued' | 'rejected'; number: string | null; reject_reason: string | null; has_pdf: number;
  created_at: number; decided_at: number | null;
};

const invoiceColumns = ['id', 'buyer_id', 'title', 'tax_id', 'type', 'email', 'amount_fen', 'status', 'number', 'reject_reason', 'created_at', 'decided_at'] as const;

async function toInvoices(db: Db, rows: InvoiceRow[]): Promise<Invoice[]> {
  const ids = rows.map((r) => Number(r.id));
  const links = ids.length ? await db.selectFrom('invoice_orders').select(['invoice_id', 'order_id']).where('invoice_id', 'in', ids).orderBy('order_id').execute() : [];
  // a rejected invoice has released its orders; remember them through the audit detail instead
  return rows.map((r) => ({
    id: Number(r.id), buyerId: Number(r.buyer_id), title: r.title, taxId: r.tax_id, type: r.type, email: r.email, amountFen: Number(r.amount_fen),
    status: r.status, number: r.number, rejectReason: r.reject_reason, hasPdf: Number(r.has_pdf) === 1,
    orderIds: links.filter((l) => Number(l.invoice_id) === Number(r.id)).map((l) => Number(l.order_id)),
    createdAt: Number(r.created_at), decidedAt: r.decided_at === null ? null : Number(r.decided_at),
  }));
}

function selectInvoices(db: Db) {
  return db.selectFrom('invoices').select([...invoiceColumns])
    .select((eb) => eb.case().when('pdf', 'is not', null).then(1).else(0).end().as('has_pdf'));
}

/** One invoice; with `buyerId`, only if it is that buyer's. */
export async function getInvoice(db: Db, buyerId: number | undefined, invoiceId: number): Promise<Invoice> {
  let q = selectInvoices(db).where('id', '=', invoiceId);
  if (buyerId !== undefined) q = q.where('buyer_id', '=', buyerId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('invoice');
  return (await toInvoices(db, [row as InvoiceRow]))[0];
}

export async function listInvoices(db: Db, filter: PageRequest & { buyerId?: number; status?: Invoice['status'] }): Promise<Page<Invoice>> {
  const { page, pageSize, offset } = pageBounds(filter);
  let count = db.selectFrom('invoices').select((eb) => eb.fn.countAll<number>().as('n'));
  let q = selectInvoices(db);
  if (filter.buyerId !== undefined) {
    count = count.where('buyer_id', '=', filter.buyerId);
    q = q.where('buyer_id', '=', filter.buyerId);
  }
  if (filter.status) {
    count = count.where('status', '=', filter.status);
    q = q.where('status', '=', filter.status);
  }
  const total = Number((await count.executeTakeFirstOrThrow()).n);
  const rows = await q.orderBy('id', filter.status === 'requested' ? 'asc' : 'desc').limit(pageSize).offset(offset).execute();
  return { total, page, pageSize, items: await toInvoices(db, rows as InvoiceRow[]) };
}

export async function invoicePdf(db: Db, buyerId: number | undefined, invoiceId: number): Promise<{ pdf: Buffer; name: string }> {
  let q = db.selectFrom('invoices').select(['pdf', 'pdf_name']).where('id', '=', invoiceId).where('status', '=', 'issued');
  if (buyerId !== undefined) q = q.where('buyer_id', '=', buyerId);
  const row = await q.executeTakeFirst();
  if (!row || !row.pdf) throw notFound('invoice PDF');
  return { pdf: Buffer.from(row.pdf), name: row.pdf_name ?? `invoice-${invoiceId}.pdf` };
}

export async function issueInvoice(db: Kysely<DatabaseSchema>, input: { invoiceId: number; number: string; pdf: Buffer; pdfName?: string; maxBytes: number; operatorId: number; now: number }): Promise<Invoice> {
  const number = input.number.trim();
  if (!/^[0-9A-Za-z-]{1,40}$/.test(number)) throw invalid('invalid_number', 'invoice number must be 1 to 40 letters, digits or dashes');
  if (input.pdf.length === 0) throw invalid('invalid_pdf', 'attach the invoice PDF');
  if (input.pdf.length > input.maxBytes) throw invalid('pdf_too_large', `the PDF may have at most ${input.maxBytes} bytes`);
  if (input.pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw invalid('invalid_pdf', 'the file is not a PDF');
  const pdfName = (input.pdfName ?? '').replace(/[^\w.\-]/g, '_').slice(0, 100) || `invoice-${input.invoiceId}.pdf`;
  await writeTransaction(db, async (trx) => {
    const r = await trx.updateTable('invoices').set({ status: 'issued', number, pdf: input.pdf, pdf_name: pdfName, decided_at: input.now, decided_by: input.operatorId })
      .where('id', '=', input.invoiceId).where('status', '=', 'requested').executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) {
      const row = await trx.selectFrom('invoices').select('status').where('id', '=', input.invoiceId).executeTakeFirst();
      if (!row) throw notFound('invoice');
      throw conflict(`invoice_${row.status}`, `invoice is already ${row.status}`);
    }
    await recordAudit(trx, { operatorId: input.operatorId, action: 'invoice.issue', target: `invoice:${input.invoiceId}`, detail: { number, pdfBytes: input.pdf.length }, now: input.now });
  });
  return getInvoice(db, undefined, input.invoiceId);
}

export async function rejectInvoice(db: Kysely<DatabaseSchema>, input: { invoiceId: number; reason: string; operatorId: number; now: number }): Promise<Invoice> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 500) throw invalid('invalid_reason', 'give a reason of 1 to 500 characters');
  await writeTransaction(db, async (trx) => {
    const r = await trx.updateTable('invoices').set({ status: 'rejected', reject_reason: reason, decided_at: input.now, decided_by: input.operatorId })
      .where('id', '=', input.invoiceId).where('status', '=', 'requested').executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) {
      const row = await trx.selectFrom('invoices').select('status').where('id', '=', input.invoiceId).executeTakeFirst();
      if (!row) throw notFound('invoice');
      throw conflict(`invoice_${row.status}`, `invoice is already ${row.status}`);
    }
    const orders = await trx.selectFrom('invoice_orders').select('order_id').where('invoice_id', '=', input.invoiceId).execute();
    await trx.deleteFrom('invoice_orders').where('invoice_id', '=', input.invoiceId).execute();
    await recordAudit(trx, { operatorId: input.operatorId, action: 'invoice.reject', target: `invoice:${input.invoiceId}`, detail: { reason, orderIds: orders.map((o) => Number(o.order_id)) }, now: input.now });
  });
  return getInvoice(db, undefined, input.invoiceId);
}
