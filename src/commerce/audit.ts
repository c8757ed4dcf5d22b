import type { Db, Page, PageRequest } from './types.ts';
import { pageBounds } from './types.ts';

/** Records one operator action; called inside the action's transaction so both or neither stay. */
export async function recordAudit(db: Db, entry: { operatorId: number; action: string; target: string; detail?: Record<string, unknown>; now: number }): Promise<void> {
  await db.insertInto('operator_audit').values({
    operator_id: entry.operatorId, action: entry.action, target: entry.target,
    detail: JSON.stringify(entry.detail ?? {}), created_at: entry.now,
  }).execute();
}

export interface AuditEntry {
  id: number;
  operatorId: number;
  operatorEmail: string | null;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  createdAt: number;
}

export async function listAudit(db: Db, req: PageRequest & { action?: string }): Promise<Page<AuditEntry>> {
  const { page, pageSize, offset } = pageBounds(req, 50);
  let q = db.selectFrom('operator_audit');
  if (req.action) q = q.where('action', '=', req.action);
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.leftJoin('accounts', 'accounts.id', 'operator_audit.operator_id')
    .select(['operator_audit.id', 'operator_audit.operator_id', 'accounts.email', 'operator_audit.action', 'operator_audit.target', 'operator_audit.detail', 'operator_audit.created_at'])
    .orderBy('operator_audit.id', 'desc').limit(pageSize).offset(offset).execute();
  return {
    total, page, pageSize,
    items: rows.map((r) => ({
      id: Number(r.id), operatorId: Number(r.operator_id), operatorEmail: r.email, action: r.action, target: r.target,
      detail: JSON.parse(r.detail) as Record<string, unknown>, createdAt: Number(r.created_at),
    })),
  };
}
