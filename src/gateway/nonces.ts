// X-Ca-Nonce replay protection and Idempotency-Key outcomes, shared by every node through the
// database (a unique key decides the race).
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';

type Db = Kysely<DatabaseSchema>;

function storedNonce(nonce: string): string {
  return nonce.length <= 128 ? nonce : 'sha256:' + crypto.createHash('sha256').update(nonce).digest('hex');
}

/** true when the nonce is fresh for the app (and is now recorded); false when seen in the window. */
export async function useNonce(db: Db, q: { appId: number; nonce: string; now: number; windowMs: number }): Promise<boolean> {
  const { rows } = await sql<{ app_id: number }>`
    INSERT INTO gateway_nonces (app_id, nonce, expires_at) VALUES (${q.appId}, ${storedNonce(q.nonce)}, ${q.now + q.windowMs})
    ON CONFLICT (app_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE gateway_nonces.expires_at <= ${q.now}
    RETURNING app_id`.execute(db);
  return rows.length === 1;
}

export type IdempotencyClaim =
  | { kind: 'new' }
  /** the first request was billed: answer again without charging */
  | { kind: 'billed-before'; firstRequestId: string }
  | { kind: 'in-progress' }
  | { kind: 'reused' };

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export function requestFingerprint(method: string, path: string, body: Buffer | undefined): string {
  const h = crypto.createHash('sha256').update(`${method} ${path}\n`);
  if (body) h.update(body);
  return h.digest('hex');
}

/**
 * Claims an idempotency key for this request. A pending claim older than `staleAfterMs` (its
 * node died; its hold has expired) can be taken over.
 */
export async function claimIdempotencyKey(db: Db, q: {
  appId: number; key: string; fingerprint: string; requestId: string; now: number; staleAfterMs: number;
}): Promise<IdempotencyClaim> {
  const key = storedNonce(q.key);
  const inserted = await db.insertInto('gateway_idempotency').values({
    app_id: q.appId, key, fingerprint: q.fingerprint, request_id: q.requestId, state: 'pending', billed: 0,
    result_code: null, created_at: q.now, expires_at: q.now + IDEMPOTENCY_TTL_MS,
  }).onConflict((oc) => oc.columns(['app_id', 'key']).doNothing()).returning('app_id').executeTakeFirst();
  if (inserted) return { kind: 'new' };
  const row = await db.selectFrom('gateway_idempotency').selectAll().where('app_id', '=', q.appId).where('key', '=', key).executeTakeFirst();
  if (!row) return { kind: 'in-progress' };
  const expired = Number(row.expires_at) <= q.now;
  if (!expired && row.fingerprint !== q.fingerprint) return { kind: 'reused' };
  if (!expired && row.state === 'done' && Number(row.billed) === 1) return { kind: 'billed-before', firstRequestId: row.request_id };
  let state = row.state;
  const stalePending = row.state === 'pending' && Number(row.created_at) <= q.now - q.staleAfterMs;
  if (stalePending) {
    // Its node died after settling but before recording the outcome here: the ledger knows.
    const first = await db.selectFrom('usage_ledger').select(['billed', 'result_code']).where('request_id', '=', row.request_id).executeTakeFirst();
    if (first) {
      await db.updateTable('gateway_idempotency').set({ state: 'done', billed: Number(first.billed), result_code: first.result_code })
        .where('app_id', '=', q.appId).where('key', '=', key).where('request_id', '=', row.request_id).execute();
      state = 'done';
      if (Number(first.billed) === 1 && !expired) return { kind: 'billed-before', firstRequestId: row.request_id };
    }
  }
  if (!expired && row.state === 'pending' && !stalePending) return { kind: 'in-progress' };
  // expired, unbilled, or abandoned: take it over, unless another request just did
  const took = await db.updateTable('gateway_idempotency')
    .set({ fingerprint: q.fingerprint, request_id: q.requestId, state: 'pending', billed: 0, result_code: null, created_at: q.now, expires_at: q.now + IDEMPOTENCY_TTL_MS })
    .where('app_id', '=', q.appId).where('key', '=', key).where('request_id', '=', row.request_id).where('state', '=', state)
    .executeTakeFirst();
  return Number(took.numUpdatedRows) === 1 ? { kind: 'new' } : { kind: 'in-progress' };
}

export async function finishIdempotencyKey(db: Db, q: { appId: number; key: string; requestId: string; billed: boolean; resultCode?: string }): Promise<void> {
  await db.updateTable('gateway_idempotency')
    .set({ state: 'done', billed: q.billed ? 1 : 0, result_code: q.resultCode ?? null })
    .where('app_id', '=', q.appId).where('key', '=', storedNonce(q.key)).where('request_id', '=', q.requestId)
    .execute();
}

export async function sweepGatewayState(db: Db, now: number): Promise<void> {
  await db.deleteFrom('gateway_nonces').where('expires_at', '<=', now).execute();
  await db.deleteFrom('gateway_idempotency').where('expires_at', '<=', now).execute();
}
