import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createTestDatabase, testDialect } from '../support/db.ts';
import { openStore } from '../../src/store/index.ts';

// Without a listener on the pool, pg re-throws an idle connection's error as an uncaught
// exception: one database restart (or a test dropping its database) took the whole process down.
test('the server killing an idle pooled connection is reported, not fatal; the next query reconnects', { skip: testDialect !== 'postgres' && 'PostgreSQL only' }, async () => {
  const tdb = await createTestDatabase();
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  const reported: Error[] = [];
  const store = openStore({ databaseUrl: tdb.env.DATABASE_URL, poolSize: 1, onIdleConnectionError: (err) => reported.push(err) });
  try {
    const { rows: [{ pid }] } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
    await sql`select pg_terminate_backend(${pid})`.execute(tdb.store.db);
    for (let i = 0; i < 100 && reported.length === 0; i++) await sleep(20);
    assert.equal(reported.length, 1, 'the dropped connection is reported once');
    assert.match(reported[0].message, /terminating connection/);
    const { rows: [again] } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
    assert.notEqual(again.pid, pid, 'a new connection');
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
    await store.close();
    await tdb.close();
  }
});
