import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRequestId } from '../../src/gateway/index.ts';

test('request ids: upper-case UUIDv7, the time in the first 48 bits, unique, sorting with time', () => {
  const now = Date.UTC(2026, 10, 30, 9, 30, 0, 123);
  const id = newRequestId(now);
  assert.match(id, /^[0-9A-F]{8}-[0-9A-F]{4}-7[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), now);
  const ids = Array.from({ length: 5000 }, (_, i) => newRequestId(now + i));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  // each call a string of its own (the id buffer is reused inside)
  const a = newRequestId(now);
  const b = newRequestId(now);
  assert.notEqual(a, b);
  assert.equal(a.length, 36);
});
