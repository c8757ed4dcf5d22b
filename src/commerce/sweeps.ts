// The periodic upkeep of commerce, safe to run on every node at once: unpaid orders past their
// time become expired, packages nearing expiry with calls left are warned about (the unique
// warning row keeps it once), and dead sessions and old login failures are deleted.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';
import type { CommerceConfig } from './types.ts';
import { expireOrders } from './orders.ts';
import { sweepRenewalWarnings, type RenewalDeps } from './warnings.ts';

export interface SweepReport {
  expiredOrders: number;
  warningsSent: number;
  sessionsDeleted: number;
}

export async function sweepCommerce(db: Kysely<DatabaseSchema>, deps: RenewalDeps & { config: Pick<CommerceConfig, 'loginWindowMinutes'> }, now: number): Promise<SweepReport> {
  const expiredOrders = await expireOrders(db, now);
  const warningsSent = await sweepRenewalWarnings(db, deps, now);
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  await db.deleteFrom('login_failures').where('at', '<', now - deps.config.loginWindowMinutes * 60_000).execute();
  return { expiredOrders, warningsSent, sessionsDeleted: Number(sessions.numDeletedRows) };
}

/** Runs `sweepCommerce` every `intervalMs` (default 5 minutes) until `stop()`. */
export function startCommerceSweeps(
  db: Kysely<DatabaseSchema>,
  deps: RenewalDeps & { config: Pick<CommerceConfig, 'loginWindowMinutes'> },
  opts: { intervalMs?: number; now?: () => number; onError?: (err: unknown) => void } = {},
): { stop(): void } {
  const now = opts.now ?? Date.now;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepCommerce(db, deps, now()).catch((err: unknown) => opts.onError?.(err)).finally(() => {
      running = false;
    });
  }, opts.intervalMs ?? 5 * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
