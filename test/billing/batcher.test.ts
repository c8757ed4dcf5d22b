import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from '../../src/billing/batcher.ts';

test('pushCb and push share batches; each item answered once, in order, never synchronously', async () => {
  const batches: number[][] = [];
  const b = new Batcher<number, number>((items) => {
    batches.push(items);
    return items.map((i) => i * 10);
  });
  const seen: Array<[number, unknown, number | undefined]> = [];
  let sync = true;
  const done = new Promise<void>((resolve) => {
    for (const i of [1, 2, 3]) {
      b.pushCb(i, (err, out) => {
        assert.equal(sync, false, 'called back synchronously');
        seen.push([i, err, out]);
        if (seen.length === 3) resolve();
      });
    }
  });
  const p = b.push(4);
  sync = false;
  await done;
  assert.equal(await p, 40);
  assert.deepEqual(seen, [[1, undefined, 10], [2, undefined, 20], [3, undefined, 30]]);
  assert.deepEqual(batches, [[1, 2, 3, 4]]);
});

test('a failed batch gives every item its error once; the next batch runs', async () => {
  let fail = true;
  const b = new Batcher<number, number>(async (items) => {
    if (fail) throw new Error('boom');
    return items.map((i) => i + 1);
  });
  const calls: unknown[] = [];
  await new Promise<void>((resolve) => {
    for (const i of [1, 2]) b.pushCb(i, (err) => { calls.push((err as Error).message); if (calls.length === 2) resolve(); });
  });
  await assert.rejects(b.push(3), /boom/);
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(calls, ['boom', 'boom']);
  fail = false;
  assert.equal(await b.push(5), 6);
  assert.deepEqual(b.sent, { batches: 3, items: 4 });
});

test('a batch full at maxItems leaves at once; what comes meanwhile waits for it (one in flight)', async () => {
  const sizes: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const b = new Batcher<number, number>(async (items) => {
    sizes.push(items.length);
    if (sizes.length === 1) await gate;
    return items;
  }, { maxItems: 2, maxInFlight: 1 });
  const all = [1, 2, 3, 4, 5].map((i) => b.push(i));
  assert.deepEqual(sizes, [2], 'the first full batch left synchronously');
  release();
  assert.deepEqual(await Promise.all(all), [1, 2, 3, 4, 5]);
  assert.deepEqual(sizes, [2, 2, 1]);
});
