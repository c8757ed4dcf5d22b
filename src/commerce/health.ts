// What the operator's health page reads: the serving nodes (each writes its heartbeat to the
// core `nodes` table), the database's round trip, and the renewal-warning delivery queue.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import type { Db } from './types.ts';
import { DAY_MS } from './types.ts';

/** how often a serving node writes its heartbeat */
export const NODE_HEARTBEAT_MS = 5_000;
/** a node is alive while seen within this many heartbeats */
const ALIVE_BEATS = 3;
/** nodes unseen this long are no longer listed, and deleted by the next heartbeat */
const NODE_FORGET_MS = 7 * DAY_MS;
const NODES_LISTED = 100;

let packageVersion: string | undefined;
/** the product's version, from package.json */
export function productVersion(): string {
  if (packageVersion === undefined) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      packageVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      packageVersion = 'unknown';
    }
  }
  return packageVersion;
}

export interface NodeHeartbeat {
  readonly id: string;
  /** writes one heartbeat now (the timer does it every interval) */
  beat(): Promise<void>;
  /** stops the timer and waits for a heartbeat in flight */
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  id?: string;
  version?: string;
  host?: string;
  pid?: number;
  intervalMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

/**
 * Registers this process in `nodes` and refreshes its `last_seen_at` every `intervalMs`
 * (default 5 s) until `stop()`. The first heartbeat is written before this resolves; failures
 * go to `onError` and the next beat tries again.
 */
export async function startNodeHeartbeat(db: Db, opts: HeartbeatOptions = {}): Promise<NodeHeartbeat> {
  const now = opts.now ?? Date.now;
  const intervalMs = opts.intervalMs ?? NODE_HEARTBEAT_MS;
  const host = (opts.host ?? os.hostname()).slice(0, 255);
  const pid = opts.pid ?? process.pid;
  const id = opts.id ?? `${host}:${pid}:${crypto.randomBytes(4).toString('hex')}`;
  const version = opts.version ?? productVersion();
  const startedAt = now();
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;

  const write = async () => {
    const t = now();
    await db.insertInto('nodes').values({ id, started_at: startedAt, last_seen_at: t, version, host, pid })
      .onConflict((oc) => oc.column('id').doUpdateSet({ last_seen_at: t }))
      .execute();
  };
  const beat = () => {
    inFlight = inFlight.then(write);
    return inFlight;
  };
  const report = (err: unknown) => {
    inFlight = Promise.resolve();
    opts.onError?.(err);
  };
  // a database that is down at start is retried by the timer
  await beat().catch(report);
  // the long-gone nodes of earlier runs
  await db.deleteFrom('nodes').where('last_seen_at', '<', startedAt - NODE_FORGET_MS).execute().catch(report);

  const timer = setInterval(() => {
    if (stopped) return;
    beat().catch(report);
  }, intervalMs);
  timer.unref();
  return {
    id,
    beat,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight.catch(() => {});
    },
  };
}

export interface NodeInfo {
  id: string;
  host: string | null;
  pid: number | null;
  version: string;
  startedAt: number;
  lastSeenAt: number;
  /** seen within three heartbeats */
  alive: boolean;
}

/** Nodes seen in the last 7 days, most recently seen first. */
export async function listNodes(db: Db, now: number, intervalMs = NODE_HEARTBEAT_MS): Promise<NodeInfo[]> {
  const rows = await db.selectFrom('nodes').selectAll().where('last_seen_at', '>=', now - NODE_FORGET_MS)
    .orderBy('last_seen_at', 'desc').orderBy('id').limit(NODES_LISTED).execute();
  return rows.map((r) => ({
    id: r.id, host: r.host ?? null, pid: r.pid === null || r.pid === undefined ? null : Number(r.pid), version: r.version,
    startedAt: Number(r.started_at), lastSeenAt: Number(r.last_seen_at),
    alive: now - Number(r.last_seen_at) <= ALIVE_BEATS * intervalMs,
  }));
}

export interface DatabaseHealth {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** One round trip to the database, timed. */
export async function pingDatabase(db: Db): Promise<DatabaseHealth> {
  const start = process.hrtime.bigint();
  try {
    await sql`select 1`.execute(db);
    return { ok: true, latencyMs: Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100 };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100, error: (err as Error).message?.slice(0, 200) ?? 'unreachable' };
  }
}

export interface AlertQueue {
  /** warnings whose e-mail or SMS is still being sent (or whose node stopped while sending) */
  pending: number;
  /** warnings of the last 24 hours whose e-mail or SMS failed */
  failed: number;
  /** warnings of the last 24 hours delivered by e-mail or SMS */
  sentLast24h: number;
  oldestPendingAt: number | null;
}

/** The renewal warnings' delivery, from the warnings table. */
export async function alertQueue(db: Db, now: number): Promise<AlertQueue> {
  const since = now - DAY_MS;
  const row = await db.selectFrom('renewal_warnings').select([
    sql<number>`coalesce(sum(case when email_status = 'pending' or sms_status = 'pending' then 1 else 0 end), 0)`.as('pending'),
    sql<number | null>`min(case when email_status = 'pending' or sms_status = 'pending' then created_at end)`.as('oldest'),
    sql<number>`coalesce(sum(case when created_at >= ${since} and (email_status like 'failed%' or sms_status like 'failed%') then 1 else 0 end), 0)`.as('failed'),
    sql<number>`coalesce(sum(case when created_at >= ${since} and (email_status = 'sent' or sms_status = 'sent') then 1 else 0 end), 0)`.as('sent'),
  ]).executeTakeFirstOrThrow();
  return {
    pending: Number(row.pending), failed: Number(row.failed), sentLast24h: Number(row.sent),
    oldestPendingAt: row.oldest === null || row.oldest === undefined ? null : Number(row.oldest),
  };
}
