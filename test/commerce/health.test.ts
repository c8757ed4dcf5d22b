// GET /admin/api/health: the database, the serving nodes (each server writes its heartbeat to
// `nodes`), the verification source, and the renewal-warning delivery queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createTestDatabase, testDialect } from '../support/db.ts';
import { startHarness, Browser, operatorBrowser, SECRET_KEY } from './harness.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { buildServer } from '../../src/http/server.ts';
import { registerAdminApi } from '../../src/http/admin/index.ts';
import { createOperator, defaultCommerceConfig, startNodeHeartbeat, listNodes } from '../../src/commerce/index.ts';
import { createVerificationSource, registerIdentity } from '../../src/verification/index.ts';
import { Writable } from 'node:stream';

const pkgVersion = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
const quiet = () => createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

test('two servers on one database: both nodes alive, the database and the registry reported', async () => {
  const tdb = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-health-'));
  const config = loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_SECRET_KEY: SECRET_KEY });
  const storeB = tdb.openAnother();
  const verification = createVerificationSource(tdb.store, config);
  const a = await buildServer({ config, store: tdb.store, recognizer: undefined, verification, metering: false, logger: quiet() });
  const b = await buildServer({ config, store: storeB, recognizer: undefined, verification: createVerificationSource(storeB, config), metering: false, logger: quiet() });
  try {
    await a.ready();
    await b.ready();
    await registerIdentity(tdb.store, config, { name: '张三', idNumber: '522229198509112018' });
    await createOperator(tdb.store.db, { email: 'ops@example.com', password: 'operator secret 1' });
    const ops = new Browser(a);
    assert.equal((await ops.logIn('ops@example.com', 'operator secret 1', '/admin/api')).statusCode, 200);

    const res = await ops.get('/admin/api/health');
    assert.equal(res.statusCode, 200, res.body);
    const health = res.json();
    assert.equal(health.database.dialect, testDialect);
    assert.equal(health.database.ok, true);
    assert.ok(typeof health.database.latencyMs === 'number' && health.database.latencyMs >= 0 && health.database.latencyMs < 5000);
    assert.equal(health.nodes.length, 2, JSON.stringify(health.nodes));
    assert.notEqual(health.nodes[0].id, health.nodes[1].id);
    for (const n of health.nodes) {
      assert.deepEqual([n.alive, n.version, n.host, n.pid], [true, pkgVersion, os.hostname(), process.pid]);
      assert.ok(n.startedAt <= n.lastSeenAt && Date.now() - n.lastSeenAt < 15_000);
    }
    assert.deepEqual(health.verificationSource, { kind: 'registry', ok: true, detail: 'identities in the registry: 1' });
    assert.deepEqual(health.alerts, { pending: 0, failed: 0, sentLast24h: 0, oldestPendingAt: null });

    assert.equal((await a.inject({ method: 'GET', url: '/admin/api/health' })).statusCode, 401, 'operators only');
  } finally {
    await a.close();
    await b.close();
    await tdb.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the heartbeat refreshes last_seen_at until stopped; alive means seen within three beats', async () => {
  const tdb = await createTestDatabase();
  try {
    const db = tdb.store.db;
    const hb = await startNodeHeartbeat(db, { intervalMs: 25, host: 'node-a', pid: 4242, version: '9.9.9' });
    const seen = async () => Number((await db.selectFrom('nodes').select('last_seen_at').where('id', '=', hb.id).executeTakeFirstOrThrow()).last_seen_at);
    const first = await seen();
    await new Promise((r) => setTimeout(r, 200));
    const later = await seen();
    assert.ok(later > first, 'the timer beat again');
    await hb.stop();
    const stopped = await seen();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await seen(), stopped, 'no beat after stop');

    const [node] = await listNodes(db, stopped + 75, 25);
    assert.deepEqual({ ...node, startedAt: 0 }, { id: hb.id, host: 'node-a', pid: 4242, version: '9.9.9', startedAt: 0, lastSeenAt: stopped, alive: true });
    assert.equal((await listNodes(db, stopped + 76, 25))[0]!.alive, false);
    // a week unseen: no longer listed
    assert.deepEqual(await listNodes(db, stopped + 8 * 86_400_000, 25), []);
  } finally {
    await tdb.close();
  }
});

test('health reports an http source by its breaker, and the renewal-warning queue', async () => {
  const h = await startHarness();
  const upstream = http.createServer((_req, res) => res.writeHead(500).end('down'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const source = createVerificationSource(h.tdb.store, {
    verification: {
      source: 'http', hmacKey: 'c'.repeat(64), cacheTtlMs: 0,
      http: {
        url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/verify`, method: 'POST', headers: {},
        body: { name: '{name}', id: '{idNumber}' }, response: { path: 'r', match: [1], mismatch: [2], unknown: [3] },
        timeoutMs: 2000, retries: 0, backoffMs: 1, breakerFailureThreshold: 2, breakerCooldownMs: 60_000,
      },
    },
  });
  const app = Fastify();
  await registerAdminApi(app, {
    store: h.tdb.store, config: { commerce: defaultCommerceConfig, gateway: { secretKey: SECRET_KEY } }, now: () => h.clock.now,
    health: { verification: source },
  });
  try {
    await operatorBrowser(h);
    const ops = new Browser(app);
    assert.equal((await ops.logIn('ops@example.com', 'operator secret 1', '/admin/api')).statusCode, 200);
    const healthy = (await ops.get('/admin/api/health')).json();
    assert.deepEqual(healthy.verificationSource, { kind: 'http', ok: true, detail: 'circuit breaker closed' });
    assert.deepEqual(healthy.nodes, [], 'no heartbeat unless asked');
    for (let i = 0; i < 2; i++) await assert.rejects(source.verify({ name: '张三', idNumber: '522229198509112018' }));
    const open = (await ops.get('/admin/api/health')).json().verificationSource;
    assert.deepEqual([open.kind, open.ok], ['http', false]);
    assert.match(open.detail, /breaker open/);

    // the warnings table: pending (a node stopped while sending), failed and sent, old and new
    const now = h.clock.now;
    const row = (kind: 'low' | 'empty' | 'expiring', crossing: string, email: string, sms: string, at: number) => ({
      buyer_id: 1, product_code: 'idcard-ocr', kind, crossing, remaining: 1, total: 10, message: 'm',
      email_to: 'a@example.com', email_status: email, sms_to: null, sms_status: sms, created_at: at, read_at: null,
    });
    await h.tdb.store.db.insertInto('renewal_warnings').values([
      row('low', 'a', 'pending', 'no contact', now - 3 * 3600_000),
      row('low', 'b', 'sent', 'pending', now - 60_000),
      row('low', 'c', 'failed: ECONNREFUSED', 'no contact', now - 3600_000),
      row('empty', 'c', 'failed: timeout', 'failed: HTTP 500', now - 2 * 86_400_000),
      row('empty', 'd', 'sent', 'sent', now - 10_000),
      row('expiring', 'e', 'no contact', 'sent', now - 20_000),
      row('expiring', 'f', 'sent', 'no contact', now - 25 * 3600_000),
    ]).execute();
    const alerts = (await ops.get('/admin/api/health')).json().alerts;
    assert.deepEqual(alerts, { pending: 2, failed: 1, sentLast24h: 3, oldestPendingAt: now - 3 * 3600_000 });
  } finally {
    await app.close();
    upstream.close();
    await h.close();
  }
});

test('the admin API writes the heartbeat from ready to close', async () => {
  const tdb = await createTestDatabase();
  const app = Fastify();
  await registerAdminApi(app, {
    store: tdb.store, config: { commerce: defaultCommerceConfig, gateway: { secretKey: SECRET_KEY } },
    health: { heartbeat: { intervalMs: 25, host: 'node-b' } },
  });
  try {
    const seen = async () => (await tdb.store.db.selectFrom('nodes').select(['host', 'last_seen_at']).execute()).map((r) => [r.host, Number(r.last_seen_at)] as const);
    assert.deepEqual(await seen(), [], 'nothing before ready');
    await app.ready();
    const [[host, first]] = await seen() as Array<readonly [string | null, number]>;
    assert.equal(host, 'node-b');
    await new Promise((r) => setTimeout(r, 200));
    const [[, later]] = await seen() as Array<readonly [string | null, number]>;
    assert.ok(later > first!);
    await app.close();
    const [[, closed]] = await seen() as Array<readonly [string | null, number]>;
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual((await seen()).map(([, t]) => t), [closed], 'stopped on close');
  } finally {
    await app.close();
    await tdb.close();
  }
});
