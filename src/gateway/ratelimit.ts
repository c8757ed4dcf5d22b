// Calls-per-second limits per app, per buyer and per API (product), answered with the cloud's
// "Throttled by … Flow Control" refusals.
//
// Trade-off (docs/OPERATIONS.md): each node counts locally in one-second windows and allows
// ceil(limit / N) calls per window, N being the nodes that sent a heartbeat in the last 15 s.
// That costs no database round trip on the hot path. It is exact with one node, and with N nodes
// behind a round-robin balancer the service-wide rate stays within [limit - N, limit + N] per
// second; a balancer that sends one app's traffic to one node throttles it at limit / N. A
// per-second counter row in the database would be exact across nodes at one write per call.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';
import type { GatewayErrorCode } from './errors.ts';

export interface RateLimits {
  /** calls per second of one app (0 = unlimited) */
  appPerSecond?: number;
  /** calls per second of one buyer over all its apps (0 = unlimited) */
  buyerPerSecond?: number;
  /** calls per second of an API (product) over all callers, by product (0 = unlimited) */
  apiPerSecond?: Record<string, number>;
}

export class RateLimiter {
  private readonly windows = new Map<string, { second: number; count: number }>();
  private nodes = 1;
  /** whether any limit is set (read on every metered call: worked out once) */
  readonly enabled: boolean;

  constructor(private readonly limits: RateLimits = {}) {
    const l = limits;
    this.enabled = !!(l.appPerSecond || l.buyerPerSecond || Object.values(l.apiPerSecond ?? {}).some((v) => v > 0));
  }

  /** live nodes sharing the limits (from the heartbeats) */
  setNodeCount(n: number): void {
    this.nodes = Math.max(1, Math.floor(n));
  }

  /** Counts one call; returns the refusal when a limit is reached (nothing counted then). */
  take(q: { appId: number; buyerId: number; product: string; now: number }): GatewayErrorCode | undefined {
    const second = Math.floor(q.now / 1000);
    const checks: Array<[string, number | undefined, GatewayErrorCode]> = [
      [`api:${q.product}`, this.limits.apiPerSecond?.[q.product], 'ThrottledByApi'],
      [`user:${q.buyerId}`, this.limits.buyerPerSecond, 'ThrottledByUser'],
      [`app:${q.appId}`, this.limits.appPerSecond, 'ThrottledByApp'],
    ];
    const hit: Array<{ second: number; count: number }> = [];
    for (const [key, limit, code] of checks) {
      if (!limit || limit <= 0) continue;
      let w = this.windows.get(key);
      if (!w || w.second !== second) {
        w = { second, count: 0 };
        this.windows.set(key, w);
      }
      if (w.count >= Math.ceil(limit / this.nodes)) return code;
      hit.push(w);
    }
    for (const w of hit) w.count++;
    if (this.windows.size > 50_000) for (const [k, w] of this.windows) if (w.second < second) this.windows.delete(k);
    return undefined;
  }
}

export const NODE_LIVENESS_MS = 15_000;

/** Records this node's heartbeat and returns how many nodes are live. */
export async function heartbeat(db: Kysely<DatabaseSchema>, nodeId: string, now: number): Promise<number> {
  await db.insertInto('gateway_nodes').values({ node_id: nodeId, last_seen_at: now })
    .onConflict((oc) => oc.column('node_id').doUpdateSet({ last_seen_at: now })).execute();
  const row = await db.selectFrom('gateway_nodes').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('last_seen_at', '>', now - NODE_LIVENESS_MS).executeTakeFirstOrThrow();
  return Number(row.n);
}
