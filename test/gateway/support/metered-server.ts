// A small fastify app with metered stand-in routes, for the gateway's tests and benchmark: the
// real hooks (src/http/metering.ts) in front of handlers that answer the result code asked for
// (`result` in the JSON or form body, default '01'), optionally after `sleepMs`.
// Run as a script it listens on 127.0.0.1:$PORT (0 = any) and prints {"port": N} on stdout;
// ACCESS_LOG=1 adds what production does on every call besides metering: the access log to
// stdout (buildMeteredApp's accessLog) and the renewal-warning check after billed calls.
import fs from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { openStore, migrateToLatest, type Store } from '../../../src/store/index.ts';
import { registerMetering, type MeteringDeps } from '../../../src/http/metering.ts';
import type { HoldBook } from '../../../src/billing/index.ts';
import { newRequestId } from '../../../src/gateway/index.ts';
import { createLogger } from '../../../src/log.ts';
import { createMetrics } from '../../../src/http/metrics.ts';
import { registerAccessLog } from '../../../src/http/server.ts';
import { loadConfig } from '../../../src/config.ts';
import { createNotifier } from '../../../src/notify/index.ts';
import { checkRenewalWarnings } from '../../../src/commerce/index.ts';

/** CPU time of the event loop's own thread (Linux; undefined elsewhere), microseconds */
function mainThreadUs(): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime (fields 14 and 15 of the line, 12 and 13 after the name) in clock ticks
    return (Number(f[11]) + Number(f[12])) * (1e6 / 100);
  } catch {
    return undefined;
  }
}

export interface MeteredAppOptions {
  /**
   * Log and count every answer as production does (src/http/server.ts: its logger at info, one
   * access line per call, call metrics, its request ids); the benchmark turns it on. The log
   * goes to `logDestination` (default stdout).
   */
  accessLog?: boolean;
  logDestination?: import('pino').DestinationStream;
}

export async function buildMeteredApp(deps: Omit<MeteringDeps, 'notFound'>, options: MeteredAppOptions = {}): Promise<FastifyInstance> {
  const app = options.accessLog
    ? Fastify({
      loggerInstance: createLogger({ level: 'info', destination: options.logDestination }) as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: 256 * 1024,
      requestIdHeader: false,
      genReqId: () => newRequestId(),
    })
    : Fastify({ logger: false, bodyLimit: 256 * 1024 });
  if (options.accessLog) registerAccessLog(app, createMetrics());
  await app.register(formbody);
  // as src/http/server.ts registers it: fields (and files) parsed before metering's preValidation
  await app.register(multipart, { attachFieldsToBody: 'keyValues' });
  let holdBook: (() => Promise<HoldBook>) | undefined;
  registerMetering(app, { ...deps, notFound: true, holdBook: (get) => { holdBook = get; } });
  const handler = async (request: import('fastify').FastifyRequest) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const query = request.query as Record<string, unknown>;
    const result = String(body.result ?? query.result ?? '01');
    const sleepMs = Number(body.sleepMs ?? query.sleepMs ?? 0);
    if (sleepMs > 0) await new Promise((r) => setTimeout(r, sleepMs));
    if (result === 'crash') throw new Error('handler failed');
    request.resultCode = result;
    return { code: result, msg: 'ok', caller: request.caller };
  };
  for (const [url, product] of [['/idcard/verify', 'idcard-verify'], ['/OcridCard', 'idcard-ocr']] as const) {
    app.route({ method: ['GET', 'POST'], url, config: { product }, handler });
  }
  app.get('/free', async () => ({ ok: true }));
  // for the benchmark: this process's CPU time so far, in microseconds, and the event loop's
  // delay (ms) since the last probe: long stalls show there, queueing does not
  // and its garbage collection pauses since the last probe ([start (epoch ms), ms] each)
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let pauses: Array<[number, number]> = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (pauses.length < 100_000) pauses.push([performance.timeOrigin + e.startTime, e.duration]);
  }).observe({ entryTypes: ['gc'] });
  app.get('/_cpu', async () => {
    const u = process.cpuUsage();
    const loopDelay = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    loop.reset();
    const gc = pauses;
    pauses = [];
    return { us: u.user + u.system, mainUs: mainThreadUs(), holdBook: holdBook ? (await holdBook()).stats() : undefined, loopDelay, gc };
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = process.env;
  const store: Store = openStore({
    databaseUrl: env.DATABASE_URL,
    sqlitePath: env.SHIMING_DATA_DIR ? `${env.SHIMING_DATA_DIR}/shiming.sqlite` : undefined,
    poolSize: Number(env.POOL_SIZE ?? 10),
  });
  await migrateToLatest(store);
  // ACCESS_LOG=1: what production adds to every call besides metering — the access log line and
  // metrics, and the renewal-warning check after billed calls (src/http/server.ts wires both)
  const production = env.ACCESS_LOG === '1' ? (() => {
    const config = loadConfig(env);
    const notifier = createNotifier(config.notify);
    return { afterBilled: (call: { buyerId: number; product: string; now: number }) => checkRenewalWarnings(store.db, { notifier, config: config.commerce }, call) };
  })() : undefined;
  const app = await buildMeteredApp({
    store,
    gateway: {
      secretKey: env.SHIMING_SECRET_KEY!,
      rateLimits: env.RATE_LIMITS ? JSON.parse(env.RATE_LIMITS) : undefined,
    },
    billing: { holdTtlMs: Number(env.HOLD_TTL_MS ?? 300_000), sqliteThread: env.SQLITE_THREAD === '1' },
    nodeId: env.NODE_ID ?? `node-${process.pid}`,
    sweepIntervalMs: Number(env.SWEEP_INTERVAL_MS ?? 30_000),
    afterBilled: production?.afterBilled,
  }, { accessLog: production !== undefined });
  await app.listen({ host: '127.0.0.1', port: Number(env.PORT ?? 0) });
  const address = app.server.address();
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
  const stop = () => void app.close().then(() => store.close()).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
