import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/db.ts';
import { migrateToLatest } from '../../src/store/index.ts';

test('migrations apply once and a second run is a no-op', async () => {
  const tdb = await createTestDatabase();
  try {
    await migrateToLatest(tdb.store); // already migrated by the helper: must not throw
    await tdb.store.db.insertInto('settings').values({ key: 'k', value: 'v' }).execute();
    const row = await tdb.store.db.selectFrom('settings').selectAll().where('key', '=', 'k').executeTakeFirst();
    assert.deepEqual(row, { key: 'k', value: 'v' });
  } finally {
    await tdb.close();
  }
});
